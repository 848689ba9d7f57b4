from offers.mapping_memory import ERROR_COLUMN, header_shape, proposal, remember, remembered
from tests.stall_support import make_vendor_member


def test_header_shape_ignores_case_spaces_and_our_error_column():
    assert header_shape(["SKU", " Price "]) == header_shape(["sku", "price", ERROR_COLUMN])
    assert header_shape(["sku", "price"]) != header_shape(["price", "sku"])


def test_proposal_maps_aliases_and_says_when_nothing_is_left_to_decide():
    mapping, complete = proposal(["编号", "型号", "单价", "币种"], None)
    assert mapping["columns"] == {"编号": "sku", "型号": "gpu_model", "单价": "price", "币种": "currency"}
    assert complete
    mapping, complete = proposal(["编号", "Hourly USD"], None)
    assert mapping["columns"]["Hourly USD"] is None and not complete


def test_remembered_per_vendor_and_shape(app):
    from extensions import db

    _, acme = make_vendor_member("a@example.com", "acme")
    _, other = make_vendor_member("b@example.com", "other")
    saved = {"columns": {"Hourly USD": "price"}, "defaults": {"currency": "USD"}}
    remember(db.session, acme.id, ["Hourly USD"], saved)
    db.session.commit()
    assert remembered(db.session, acme.id, ["hourly usd"]) == saved
    assert remembered(db.session, other.id, ["Hourly USD"]) is None
    assert proposal(["Hourly USD"], saved) == (saved, True)
    remember(db.session, acme.id, ["Hourly USD"], {"columns": {"Hourly USD": "input_price"}, "defaults": {}})
    db.session.commit()
    assert remembered(db.session, acme.id, ["Hourly USD"])["columns"]["Hourly USD"] == "input_price"
