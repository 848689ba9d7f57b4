"""Write-off (核销): a voucher line is claimable only once it is delivered and its invoice is recorded; the vendor
records the invoice in the stall, and corrects it only with a reason that the audit log keeps."""

import pytest
from sqlalchemy import select, update

from accounts import AuditLog
from checkout.models import OrderLine
from checkout.write_off import ClaimState, InvoiceRefused, claim_state, claimable, record_invoice
from extensions import db
from tests.checkout.voucher_support import deliver, make_program, voucher_order
from tests.stall_support import log_in, make_user, make_vendor_member
from tests.web.test_every_page_translated import problems


@pytest.fixture()
def seller(app):
    return make_vendor_member("seller@example.cn", "acme")


@pytest.fixture()
def line(seller) -> OrderLine:
    return voucher_order(make_program(), seller[1]).lines[0]


def _reload(line_id: int) -> OrderLine:
    db.session.expire_all()
    return db.session.get(OrderLine, line_id)


def test_a_line_is_claimable_only_after_delivery_and_the_invoice(seller, line):
    user = seller[0]
    assert claim_state(line) == ClaimState.AWAITING_DELIVERY
    record_invoice(db.session, line, "26332000000012345678", by_user_id=user.id)
    line = _reload(line.id)
    assert (line.invoice_number, line.invoice_recorded_by_user_id) == ("26332000000012345678", user.id)
    assert line.invoice_recorded_at is not None
    assert claim_state(line) == ClaimState.AWAITING_DELIVERY and not claimable(line)  # an invoice is not delivery
    deliver(line, user)
    assert claimable(_reload(line.id))


def test_delivered_without_an_invoice_waits_for_the_invoice(seller, line):
    deliver(line, seller[0])
    line = _reload(line.id)
    assert claim_state(line) == ClaimState.AWAITING_INVOICE and not claimable(line)
    record_invoice(db.session, line, "12345678", by_user_id=seller[0].id)
    assert claim_state(_reload(line.id)) == ClaimState.CLAIMABLE


@pytest.mark.parametrize("status", ["pending", "expired", "failed"])
def test_a_line_of_an_unpaid_order_is_never_claimable_nor_takes_an_invoice(seller, status):
    line = voucher_order(make_program(), seller[1], status=status).lines[0]
    assert claim_state(line) is None and not claimable(line)
    with pytest.raises(InvoiceRefused) as refused:
        record_invoice(db.session, line, "12345678", by_user_id=seller[0].id)
    assert refused.value.code == "not_paid"
    assert _reload(line.id).invoice_number is None


def test_a_line_without_a_government_share_is_not_a_voucher_line(seller):
    order = voucher_order(make_program(), seller[1], lines=(("500.00", "0.00", "25.00"),))
    deliver(order.lines[0], seller[0])
    line = _reload(order.lines[0].id)
    assert claim_state(line) is None
    with pytest.raises(InvoiceRefused) as refused:
        record_invoice(db.session, line, "12345678", by_user_id=seller[0].id)
    assert refused.value.code == "not_voucher"


@pytest.mark.parametrize(("number", "code"), [
    ("", "empty"), ("   ", "empty"), ("1" * 65, "too_long"), ("1234 5678", "bad_characters"),
    ("发票12345678", "bad_characters"), ("12345678;", "bad_characters"),
    ("-12345678", "bad_characters"), ("=1+2", "bad_characters"), ("１２３４５６７８", "bad_characters")])
def test_a_bad_invoice_number_is_refused_and_nothing_is_kept(seller, line, number, code):
    with pytest.raises(InvoiceRefused) as refused:
        record_invoice(db.session, line, number, by_user_id=seller[0].id)
    assert refused.value.code == code
    assert _reload(line.id).invoice_number is None


@pytest.mark.parametrize("number", ["12345678", "26332000000012345678", "INV-2026-0001", "1" * 64])
def test_chinese_invoice_numbers_and_other_issuers_numbers_are_accepted(seller, line, number):
    assert record_invoice(db.session, line, f" {number} ", by_user_id=seller[0].id) is True
    assert _reload(line.id).invoice_number == number


def test_a_recorded_invoice_is_corrected_only_with_a_reason_and_an_audit_row(seller, line):
    user = seller[0]
    record_invoice(db.session, line, "12345678", by_user_id=user.id)
    assert record_invoice(db.session, _reload(line.id), "12345678", by_user_id=user.id) is False  # the same: no-op
    with pytest.raises(InvoiceRefused) as refused:
        record_invoice(db.session, _reload(line.id), "87654321", by_user_id=user.id)
    assert refused.value.code == "reason_needed"
    assert _reload(line.id).invoice_number == "12345678"
    assert db.session.scalars(select(AuditLog)).all() == []
    record_invoice(db.session, _reload(line.id), "87654321", by_user_id=user.id, reason="开错了税号，已红冲重开")
    assert _reload(line.id).invoice_number == "87654321"
    [row] = db.session.scalars(select(AuditLog)).all()
    assert (row.actor_id, row.action, row.subject_type, row.subject_id) == (user.id, "invoice.correct",
                                                                          "order_line", line.id)
    assert row.details == {"order_id": line.order_id, "from": "12345678", "to": "87654321",
                           "reason": "开错了税号，已红冲重开"}


def test_a_correction_that_lost_a_race_is_told_and_changes_nothing(seller, line):
    record_invoice(db.session, line, "12345678", by_user_id=seller[0].id)
    stale = _reload(line.id)  # what this member's page showed: 12345678
    # Another member's correction lands first (in this transaction, the loaded line left as it was).
    db.session.execute(update(OrderLine).where(OrderLine.id == line.id).values(invoice_number="11112222")
                       .execution_options(synchronize_session=False))
    assert stale.invoice_number == "12345678"
    with pytest.raises(InvoiceRefused) as refused:
        record_invoice(db.session, stale, "87654321", by_user_id=seller[0].id, reason="重开")
    assert refused.value.code == "changed"
    assert _reload(line.id).invoice_number != "87654321"
    assert db.session.scalars(select(AuditLog)).all() == []


def _stall(app, user, lang="zh"):
    client = app.test_client()
    log_in(client, user)
    client.set_cookie("lang", lang)
    return client


def test_the_vendor_records_the_invoice_in_the_stall_and_sees_the_claim_state(app, seller, line):
    client = _stall(app, seller[0])
    page = client.get("/stall/orders").text
    assert "¥300.00" in page and "¥50.00" in page and "¥650.00" in page  # the three shares
    assert "待交付" in page and "登记发票号码" in page
    response = client.post(f"/stall/orders/{line.id}/invoice", data={"invoice_number": "26332000000012345678"})
    assert response.status_code == 302
    page = client.get("/stall/orders").text
    assert "26332000000012345678" in page and "更正发票号码" in page
    deliver(_reload(line.id), seller[0])
    assert "可核销" in client.get("/stall/orders").text


def test_the_stall_names_the_field_of_a_bad_number_and_asks_a_correction_for_a_reason(app, seller, line):
    client = _stall(app, seller[0])
    response = client.post(f"/stall/orders/{line.id}/invoice", data={"invoice_number": "12 34"})
    assert response.status_code == 400 and "发票号码：" in response.text
    client.post(f"/stall/orders/{line.id}/invoice", data={"invoice_number": "12345678"})
    response = client.post(f"/stall/orders/{line.id}/invoice", data={"invoice_number": "87654321"})
    assert response.status_code == 400 and "原因" in response.text
    assert _reload(line.id).invoice_number == "12345678"


def test_a_vendor_cannot_write_an_invoice_on_another_vendors_line(app, line):
    other, _vendor = make_vendor_member("other@example.cn", "rival")
    response = _stall(app, other).post(f"/stall/orders/{line.id}/invoice", data={"invoice_number": "12345678"})
    assert response.status_code == 404
    assert _reload(line.id).invoice_number is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_stall_with_voucher_lines_speaks_one_language(app, seller, line, lang):
    client = _stall(app, seller[0], lang)
    client.post(f"/stall/orders/{line.id}/invoice", data={"invoice_number": "12345678"})
    bad = client.post(f"/stall/orders/{line.id}/invoice", data={"invoice_number": "x y"})
    for page in (client.get("/stall/orders").text, bad.text):
        assert problems(page, lang, ("A100 80GB 按量 0", "seller")) == []


def test_the_operator_reads_a_correction_in_the_audit_log(app, seller, line):
    record_invoice(db.session, line, "12345678", by_user_id=seller[0].id)
    record_invoice(db.session, _reload(line.id), "87654321", by_user_id=seller[0].id, reason="开错了税号，已红冲重开")
    operator = make_user("ops@example.com")
    assert app.test_cli_runner().invoke(args=["operator", "grant", "ops@example.com"]).exit_code == 0
    page = _stall(app, operator).get("/operator/audit").text
    assert "更正算力券订单行的发票号码" in page and "开错了税号，已红冲重开" in page


def test_the_vendor_api_records_and_corrects_an_invoice_as_the_stall_does(app, client):
    from tests.vendor_api_support import bearer, vendor_with_key

    user, vendor, secret = vendor_with_key("api@example.cn", "acme")
    _other_user, _other, other_secret = vendor_with_key("rival@example.cn", "rival")
    line = voucher_order(make_program(), vendor).lines[0]
    path = f"/api/v1/vendor/orders/{line.id}/invoice"
    assert client.post(path, json={"invoice_number": "12345678"}, headers=bearer(other_secret)).status_code == 404
    answer = client.post(path, json={"invoice_number": "12345678"}, headers=bearer(secret))
    assert answer.status_code == 200, answer.json
    assert answer.json["recorded"] is True
    assert (answer.json["line"]["invoice_number"], answer.json["line"]["claim_state"]) == ("12345678",
                                                                                         "awaiting_delivery")
    assert client.post(path, json={"invoice_number": "12345678"}, headers=bearer(secret)).json["recorded"] is False
    refused = client.post(path, json={"invoice_number": "87654321"}, headers=bearer(secret))
    assert refused.status_code == 400 and "reason" in refused.json["error"]["details"]
    for bad in ({"invoice_number": 12345678}, {"invoice_number": "12 34"}, {}):
        refused = client.post(path, json=bad, headers=bearer(secret))
        assert refused.status_code == 400 and "invoice_number" in refused.json["error"]["details"], bad
    deliver(_reload(line.id), user)
    corrected = client.post(path, json={"invoice_number": "87654321", "reason": "红冲重开"}, headers=bearer(secret))
    assert corrected.status_code == 200 and corrected.json["line"]["claim_state"] == "claimable"
    [row] = db.session.scalars(select(AuditLog)).all()
    assert (row.actor_id, row.details["reason"]) == (user.id, "红冲重开")
