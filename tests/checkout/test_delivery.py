"""A paid line moves paid → delivering → delivered when its vendor says so in the stall, once per step;
the buyer sees the state, and the access notes once."""

import re
import threading
from decimal import Decimal

import pytest

from checkout.models import AccessNote, Delivery, DeliveryRecordImmutable, Order, OrderLine
from extensions import db
from tests.checkout.conftest import start_checkout
from tests.stall_support import log_in, make_user, make_vendor_member

DELIVERED = {"state": "delivered", "start": "2026-12-01T08:00", "end": "2026-12-04T08:00", "amount": "216",
             "unit": "card_hour", "notes": "ssh root@10.0.0.8 -p 2222\nkey: abc123"}


@pytest.fixture()
def seller(app):
    user, vendor = make_vendor_member("seller@example.cn", "acme")
    return user, vendor


def _order(client, make_offer, *, pay: bool = True, quantity: int = 3, sku: str = "a100-od") -> Order:
    session_id = start_checkout(client, make_offer(stock=10, vendor_slug="acme", sku=sku), quantity=quantity)
    if pay:
        client.post(f"/stripe-sandbox/pay/{session_id}")
    db.session.expire_all()
    return db.session.scalar(db.select(Order).where(Order.stripe_session_id == session_id))


@pytest.fixture()
def paid_line(app, client, make_offer, seller) -> OrderLine:
    order = _order(client, make_offer)
    assert order.status == "paid"
    return order.lines[0]


def _vendor_client(app, user):
    vendor_client = app.test_client()
    log_in(vendor_client, user)
    return vendor_client


def _deliver(vendor_client, line_id: int, data: dict, lang: str = "zh"):
    vendor_client.set_cookie("lang", lang)
    return vendor_client.post(f"/stall/orders/{line_id}/deliver", data=data)


def test_payment_puts_each_line_in_paid_and_a_pending_order_has_no_delivery_state(client, make_offer, seller):
    pending = _order(client, make_offer, pay=False)
    assert [line.delivery_state for line in pending.lines] == [None]
    paid = _order(client, make_offer, sku="second")
    assert [line.delivery_state for line in paid.lines] == ["paid"]


def test_the_vendor_marks_delivering_then_delivered_and_the_buyer_sees_it(app, client, paid_line, seller):
    vendor_client = _vendor_client(app, seller[0])
    page = vendor_client.get("/stall/orders").text
    assert f"#{paid_line.order_id}" in page and "待交付" in page
    # Delivering says when it started; what was delivered waits for "delivered" (an amount sent now is not kept).
    assert _deliver(vendor_client, paid_line.id, {"state": "delivering", "start": "2026-12-01T08:00",
                                                  "amount": "5", "end": "2026-12-02T08:00"}).status_code == 302
    assert "交付中" in client.get(f"/orders/{paid_line.order.token}").text
    assert _deliver(vendor_client, paid_line.id, DELIVERED).status_code == 302
    db.session.expire_all()
    line = db.session.get(OrderLine, paid_line.id)
    assert line.delivery_state == "delivered"
    assert [(d.state, d.by_user_id) for d in line.deliveries] == [("delivering", seller[0].id),
                                                                  ("delivered", seller[0].id)]
    assert (line.deliveries[0].amount, line.deliveries[0].ended_at) == (None, None)
    delivered = line.deliveries[1]
    # Entered on China's clock, stored in UTC.
    assert (delivered.started_at.isoformat(), delivered.ended_at.isoformat()) == ("2026-12-01T00:00:00",
                                                                                 "2026-12-04T00:00:00")
    assert (delivered.amount, delivered.unit) == (Decimal("216"), "card_hour")
    order_page = client.get(f"/orders/{line.order.token}").text
    assert re.search(r'id="delivery-\d+"><span class="status delivery-delivered">已交付<', order_page)
    assert "已交付" in client.get("/orders").text
    filtered = vendor_client.get("/stall/orders?state=delivered").text
    assert "216 卡时" in filtered and 'name="state" value="delivered"' not in filtered  # no form once delivered
    assert f"#{line.order_id}" not in vendor_client.get("/stall/orders?state=paid").text


def test_delivered_straight_from_paid_is_allowed(app, paid_line, seller):
    assert _deliver(_vendor_client(app, seller[0]), paid_line.id, DELIVERED).status_code == 302
    db.session.expire_all()
    assert [d.state for d in db.session.get(OrderLine, paid_line.id).deliveries] == ["delivered"]


@pytest.mark.parametrize(("change", "lang", "expected"), [
    ({"end": "2026-12-01T08:00"}, "zh", "结束时间：须晚于开始时间。"),
    ({"end": "2026-11-30T08:00"}, "en", "End: Must be after the start."),
    ({"amount": "0"}, "zh", "交付量："),
    ({"amount": "-3"}, "en", "Delivered amount: Must be greater than 0"),
    ({"amount": "lots"}, "en", "Delivered amount: Not a valid number."),
    ({"amount": ""}, "zh", "交付量：标记为已交付时必填。"),
    ({"end": ""}, "en", "End: Required to mark the line delivered."),
    ({"start": "yesterday"}, "zh", "开始时间：请按 YYYY-MM-DDTHH:MM 格式输入日期和时间。"),
    ({"unit": "gallons"}, "en", "Unit: Must be one of"),
    ({"state": "refunded"}, "en", "Step: Must be one of"),
    ({"notes": "x" * 2001}, "zh", "给买家的访问信息："),
])
def test_a_bad_delivery_is_refused_naming_the_field_in_the_page_language(app, paid_line, seller, change, lang,
                                                                         expected):
    response = _deliver(_vendor_client(app, seller[0]), paid_line.id, {**DELIVERED, **change}, lang)
    assert response.status_code == 400
    assert expected in response.text, response.text[response.text.find('role="alert"'):][:400]
    db.session.expire_all()
    assert db.session.get(OrderLine, paid_line.id).delivery_state == "paid"
    assert db.session.query(Delivery).count() == 0


def test_a_member_of_another_vendor_gets_a_404_and_changes_nothing(app, paid_line):
    other, _ = make_vendor_member("rival@example.cn", "rival")
    rival = _vendor_client(app, other)
    assert _deliver(rival, paid_line.id, DELIVERED).status_code == 404
    assert f"#{paid_line.order_id}" not in rival.get("/stall/orders").text
    # Logged out: to the log-in page. A buyer with no vendor: to the vendor profile form first.
    assert "/login" in app.test_client().post(f"/stall/orders/{paid_line.id}/deliver", data=DELIVERED).location
    buyer = app.test_client()
    log_in(buyer, make_user("plain@example.cn"))
    assert _deliver(buyer, paid_line.id, DELIVERED).status_code == 302
    db.session.expire_all()
    assert db.session.get(OrderLine, paid_line.id).delivery_state == "paid"
    assert db.session.query(Delivery).count() == 0


def test_a_line_of_an_unpaid_order_cannot_be_delivered(app, client, make_offer, seller):
    pending = _order(client, make_offer, pay=False)
    response = _deliver(_vendor_client(app, seller[0]), pending.lines[0].id, DELIVERED)
    assert response.status_code == 409 and "只有已支付订单的条目才能交付" in response.text
    assert f"#{pending.id}" not in _vendor_client(app, seller[0]).get("/stall/orders").text
    assert db.session.query(Delivery).count() == 0


def test_a_double_submit_records_once_and_nothing_follows_delivered(app, paid_line, seller):
    vendor_client = _vendor_client(app, seller[0])
    assert _deliver(vendor_client, paid_line.id, DELIVERED).status_code == 302
    again = _deliver(vendor_client, paid_line.id, {**DELIVERED, "amount": "999"})
    assert again.status_code == 302
    assert "这一步已记录过" in vendor_client.get(again.location).text
    late = _deliver(vendor_client, paid_line.id, {"state": "delivering", "start": "2026-12-05T08:00"})
    assert late.status_code == 409 and "此条目已交付" in late.text
    db.session.expire_all()
    assert [(d.state, d.amount) for d in db.session.scalars(db.select(Delivery))] == [("delivered", Decimal("216"))]
    assert db.session.query(AccessNote).count() == 1


def test_eight_members_submitting_at_once_record_one_step(app, paid_line, seller):
    clients = [_vendor_client(app, seller[0]) for _ in range(8)]
    barrier, codes, lock = threading.Barrier(8), [], threading.Lock()

    def submit(vendor_client):
        barrier.wait()
        code = _deliver(vendor_client, paid_line.id, DELIVERED).status_code
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert codes == [302] * 8
    db.session.expire_all()
    assert db.session.query(Delivery).count() == 1 and db.session.query(AccessNote).count() == 1


def test_the_delivery_record_cannot_be_changed_or_deleted(app, paid_line, seller):
    _deliver(_vendor_client(app, seller[0]), paid_line.id, DELIVERED)
    record = db.session.scalar(db.select(Delivery))
    record.amount = Decimal("1")
    with pytest.raises(DeliveryRecordImmutable):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.scalar(db.select(Delivery)))
    with pytest.raises(DeliveryRecordImmutable):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(db.select(Delivery)).amount == Decimal("216")


def test_the_buyer_sees_the_access_notes_once_then_masked(app, client, paid_line, seller):
    _deliver(_vendor_client(app, seller[0]), paid_line.id, DELIVERED)
    token = paid_line.order.token
    first = client.get(f"/orders/{token}")
    assert "ssh root@10.0.0.8 -p 2222" in first.text and "仅显示一次" in first.text
    assert first.headers["Cache-Control"] == "no-store"
    client.set_cookie("lang", "en")
    second = client.get(f"/orders/{token}").text
    assert "ssh root@10.0.0.8" not in second and "abc123" not in second
    shown_at = db.session.scalar(db.select(AccessNote.shown_at))
    assert f"Shown once on {shown_at:%Y-%m-}" in second
    # Not in the history, nor on the vendor's page (the notes are only the buyer's order page's).
    assert "abc123" not in client.get("/orders").text
    assert "abc123" not in _vendor_client(app, seller[0]).get("/stall/orders").text


def test_two_views_at_once_show_the_notes_in_one_only(app, paid_line, seller):
    _deliver(_vendor_client(app, seller[0]), paid_line.id, DELIVERED)
    token = paid_line.order.token
    barrier, pages, lock = threading.Barrier(6), [], threading.Lock()

    def view():
        buyer = app.test_client()
        barrier.wait()
        text = buyer.get(f"/orders/{token}").text
        with lock:
            pages.append(text)

    threads = [threading.Thread(target=view) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum("abc123" in page for page in pages) == 1


@pytest.mark.parametrize(("lang", "shape"), [("zh", "1 卡 × 3 小时"), ("en", "1 card × 3 hours")])
def test_the_vendor_sees_the_line_as_booked_and_the_form_starts_at_its_booked_hours(app, paid_line, seller,
                                                                                    lang, shape):
    from web.format import local_time

    vendor_client = _vendor_client(app, seller[0])
    vendor_client.set_cookie("lang", lang)
    page = vendor_client.get("/stall/orders").text
    section = page[page.index(f'id="line-{paid_line.id}"'):]
    assert shape in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    start, end = local_time(paid_line.starts_at), local_time(paid_line.ends_at)
    assert start in section and end in section  # the booked start–end, China time
    assert f'name="start" required value="{start.replace(" ", "T")}"' in section
    assert f'name="end" value="{end.replace(" ", "T")}"' in section
