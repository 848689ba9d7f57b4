"""The authorization matrix: every stall route, aimed at another vendor's things, is a 404 and changes nothing."""

import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounts.models import ApiKey
from catalog.models import ImportRun, Offer, PriceHistory
from checkout.models import Delivery, Order, OrderLine, WebhookDelivery
from extensions import db
from offers.stall_models import ImportJob, SheetMapping, SheetUpload
from tests.stall_support import finish_jobs, gbk_sheet, log_in, make_vendor_member, use_tmp_uploads

GPU_FORM = {"kind": "gpu", "sku": "g-4090", "gpu_model": "RTX 4090", "gpu_count": "1", "region": "杭州",
            "billing": "on_demand", "price": "1.90", "currency": "CNY", "price_unit": "card_hour"}

# (method, path template, form): {offer}, {upload}, {job}, {run}, {line} are the victim's ids.
ROUTES = [
    ("GET", "/stall/offers/{offer}/edit", None),
    ("POST", "/stall/offers/{offer}/edit", {**GPU_FORM, "price": "0.01"}),
    ("POST", "/stall/offers/{offer}/delist", {}),
    ("POST", "/stall/offers/{offer}/relist", {}),
    ("GET", "/stall/uploads/{upload}/mapping", None),
    ("POST", "/stall/uploads/{upload}/mapping", {"col-0": "sku"}),
    ("GET", "/stall/uploads/{upload}/preview", None),
    ("POST", "/stall/uploads/{upload}/apply", {"mode": "good_rows", "delist_missing": "1"}),
    ("GET", "/stall/uploads/{upload}/errors.csv", None),
    ("GET", "/stall/jobs/{job}", None),
    ("GET", "/stall/jobs/{job}.json", None),
    ("POST", "/stall/jobs/{job}/retry", None),
    ("GET", "/stall/imports/{run}/errors.csv", None),
    ("POST", "/stall/orders/{line}/deliver", {"state": "delivered", "start": "2026-12-01T08:00",
                                              "end": "2026-12-01T09:00", "amount": "1", "unit": "card_hour"}),
    ("POST", "/stall/orders/{line}/invoice", {"invoice_number": "12345678"}),
    ("POST", "/stall/keys/{key}/revoke", {}),
    ("POST", "/stall/webhooks/{delivery}/resend", {}),
]


@pytest.fixture()
def victim_and_intruder(app, client, tmp_path):
    """Vendor 'victim' with an offer, an upload (with a bad row), its jobs and an import run; 'intruder' logged in."""
    previous = use_tmp_uploads(app, tmp_path)
    victim_user, victim = make_vendor_member("victim@example.com", "victim")
    intruder_user, intruder = make_vendor_member("intruder@example.com", "intruder")
    log_in(client, victim_user)
    client.post("/stall/offers/new", data=GPU_FORM)
    sheet = gbk_sheet(["v1,显卡,好行,杭州,按量,RTX 4090,1,1.90,人民币,元/卡时,5",
                       "v2,显卡,坏行,杭州,按量,RTX 9999,1,1.90,人民币,元/卡时,5"])
    client.post("/stall/upload", data={"sheet": (io.BytesIO(sheet), "v.csv")}, content_type="multipart/form-data")
    finish_jobs()
    upload_id = db.session.scalar(select(SheetUpload.id))
    client.post(f"/stall/uploads/{upload_id}/apply")  # all-or-nothing: lands nothing, records a run
    finish_jobs()
    client.post("/stall/keys", data={"name": "sync"})
    ids = {"offer": db.session.scalar(select(Offer.id)), "upload": upload_id,
           "job": db.session.scalar(select(func.max(ImportJob.id))), "run": db.session.scalar(select(ImportRun.id)),
           "key": db.session.scalar(select(ApiKey.id))}
    ids["line"] = _paid_line(db.session.get(Offer, ids["offer"]))
    ids["delivery"] = _failed_webhook(victim.id)
    assert None not in ids.values()
    log_in(client, intruder_user)
    yield ids, victim, intruder
    app.config["UPLOAD_DIR"] = previous


def _paid_line(offer: Offer) -> int:
    """A paid order for one card-hour of the victim's offer, waiting for delivery; its line's id."""
    order = Order(checkout_token="victim-order-checkout-token", email="buyer@example.com", status="paid",
                  total=Decimal("1.90"))
    order.lines.append(OrderLine(
        offer_id=offer.id, vendor_id=offer.vendor_id, vendor_name="victim", sku=offer.sku, title=offer.title,
        kind=offer.kind, billing=offer.billing, list_amount=offer.list_amount, list_currency=offer.list_currency,
        list_unit=offer.list_unit, normalized_price=offer.unit_price, purchase_unit="card_hour",
        unit_amount=Decimal("1.90"), quantity=1, line_total=Decimal("1.90"), delivery_state="paid"))
    db.session.add(order)
    db.session.commit()
    return order.lines[0].id


def _failed_webhook(vendor_id: int) -> int:
    """A webhook delivery of the victim's that gave up (a resend would make it due again)."""
    row = WebhookDelivery(vendor_id=vendor_id, event="order.paid", body="{}", status="failed", attempts=20)
    db.session.add(row)
    db.session.commit()
    return row.id


def snapshot() -> dict:
    """Everything a stall route could change."""
    db.session.expire_all()
    offers = [(o.id, o.vendor_id, o.status, str(o.unit_price), o.title) for o in db.session.scalars(select(Offer))]
    return {
        "offers": offers,
        "history": db.session.scalar(select(func.count(PriceHistory.id))),
        "jobs": db.session.scalar(select(func.count(ImportJob.id))),
        "runs": db.session.scalar(select(func.count(ImportRun.id))),
        "mappings": db.session.scalar(select(func.count(SheetMapping.id))),
        "uploads": [(u.id, u.mapping) for u in db.session.scalars(select(SheetUpload))],
        "deliveries": db.session.scalar(select(func.count(Delivery.id))),
        "line_states": list(db.session.scalars(select(OrderLine.delivery_state))),
        "invoices": list(db.session.scalars(select(OrderLine.invoice_number))),
        "keys": [(k.id, k.revoked_at) for k in db.session.scalars(select(ApiKey))],
        "webhooks": [(w.id, w.status, w.next_at) for w in db.session.scalars(select(WebhookDelivery))],
    }


@pytest.mark.parametrize(("method", "template", "form"), ROUTES, ids=[f"{m} {t}" for m, t, _ in ROUTES])
def test_another_vendors_things_are_404_and_unchanged(client, victim_and_intruder, method, template, form):
    ids, _, _ = victim_and_intruder
    before = snapshot()
    path = template.format(**ids)
    response = client.get(path) if method == "GET" else client.post(path, data=form)
    finish_jobs()
    assert response.status_code == 404, (path, response.status_code)
    assert snapshot() == before


def test_the_matrix_covers_every_stall_route_that_takes_an_id(app):
    """A new stall route with an id must join ROUTES, or this fails."""
    in_app = {(method, rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/stall/") and rule.arguments - {"registry"}
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    in_matrix = {(method, template.replace("{offer}", "<int:offer_id>").replace("{upload}", "<upload_id>")
                  .replace("{job}", "<int:job_id>").replace("{run}", "<int:run_id>").replace("{key}", "<int:key_id>")
                  .replace("{line}", "<int:line_id>").replace("{delivery}", "<int:delivery_id>"))
                 for method, template, _ in ROUTES}
    assert in_app == in_matrix


def test_the_owner_still_reaches_them(client, victim_and_intruder):
    """The same requests succeed for the owner, so the 404s above are about ownership, not broken routes."""
    ids, victim, _ = victim_and_intruder
    from accounts.models import User

    log_in(client, db.session.scalar(select(User).where(User.email == "victim@example.com")))
    for method, template, _ in ROUTES:
        if method == "GET":
            response = client.get(template.format(**ids))
            assert response.status_code in (200, 302), template


def test_lists_show_only_the_vendors_own_things(client, victim_and_intruder):
    ids, victim, _ = victim_and_intruder
    assert "g-4090" not in client.get("/stall/").text
    assert "v.csv" not in client.get("/stall/imports").text
    from catalog.context import catalog_context
    from offers.deposits import save_deposit

    assert save_deposit(db.session, victim, catalog_context(db.session), {**GPU_FORM, "gpu_count": "8", "stock": "2"},
                        sku="victim-night") == {}
    assert "data-deposit=" not in client.get("/stall/deposits").text


def test_an_injected_vendor_id_in_the_deposit_form_is_ignored(client, victim_and_intruder):
    _, victim, intruder = victim_and_intruder
    response = client.post("/stall/deposits/new", data={**GPU_FORM, "gpu_count": "8", "stock": "2",
                                                        "vendor_id": str(victim.id), "vendor": "victim"})
    assert response.status_code == 302
    assert db.session.scalar(select(Offer.vendor_id).where(Offer.deposit)) == intruder.id


def test_an_injected_vendor_id_in_the_form_is_ignored(client, victim_and_intruder):
    _, victim, intruder = victim_and_intruder
    response = client.post("/stall/offers/new", data={**GPU_FORM, "sku": "mine", "vendor_id": str(victim.id),
                                                      "vendor": "victim"})
    assert response.status_code == 302
    assert db.session.scalar(select(Offer.vendor_id).where(Offer.sku == "mine")) == intruder.id


def test_an_injected_vendor_column_in_a_sheet_is_ignored(client, victim_and_intruder):
    _, victim, intruder = victim_and_intruder
    sheet = "sku,kind,gpu_model,region,billing,price,currency,price_unit,vendor,vendor_id\n" \
            f"x1,gpu,RTX 4090,cn-hangzhou,on_demand,1.9,CNY,card_hour,victim,{victim.id}\n"
    client.post("/stall/upload", data={"sheet": (io.BytesIO(sheet.encode()), "x.csv")},
                content_type="multipart/form-data")
    finish_jobs()
    upload_id = db.session.scalar(select(SheetUpload.id).where(SheetUpload.vendor_id == intruder.id))
    # vendor / vendor_id are not standard columns: the mapping step lets the vendor ignore them.
    client.post(f"/stall/uploads/{upload_id}/mapping", data={f"col-{i}": c for i, c in enumerate(
        ["sku", "kind", "gpu_model", "region", "billing", "price", "currency", "price_unit", "", ""])})
    finish_jobs()
    client.post(f"/stall/uploads/{upload_id}/apply")
    finish_jobs()
    assert db.session.scalar(select(Offer.vendor_id).where(Offer.sku == "x1")) == intruder.id
