"""The /schedule page: the timeline as server-side SVG, each block's arithmetic, and booking it as one order."""

import re

import pytest
from sqlalchemy import func, select

from catalog.bookings import Booking
from checkout.models import Order, OrderLine
from extensions import db
from tests.bank.conftest import job
from tests.web.test_every_page_translated import problems


def page_url(day, **extra) -> str:
    first, second = day
    args = {**job(day), "earliest_start": f"{first}T08:00", "deadline": f"{second}T08:00", **extra}
    args = {k: v for k, v in args.items() if v is not None and k != "regions"}
    for name in ("splittable", "allow_spot", "same_machine"):
        args[name] = "on" if args[name] else ""
    return "/schedule?" + "&".join(f"{k}={v}" for k, v in args.items())


@pytest.mark.parametrize("lang, words", [
    ("zh", ["算力银行", "8 卡 × 6 小时 × ¥6.00/卡时 = ¥288.00", "错峰 + 跨区域节省 ¥192.00（40.0%）", "西部算力", "成都"]),
    ("en", ["Compute bank", "8 cards × 6 h × ¥6.00/card-hour = ¥288.00",
            "Off-peak and cross-region saving: ¥192.00 (40.0%)", "West Compute", "Chengdu"]),
])
def test_the_page_shows_the_schedule_its_arithmetic_and_the_saving(client, bank, day, lang, words):
    client.set_cookie("lang", lang)
    response = client.get(page_url(day))
    assert response.headers["Cache-Control"] == "no-store"  # free capacity is never served from the page cache
    html = response.get_data(as_text=True)
    for word in words:
        assert word in html
    assert re.search(r"<svg[^>]*schedule-timeline", html)
    assert "<rect" in html.split("schedule-timeline", 1)[1]
    assert problems(html, lang, ("H100",)) == []


def test_the_empty_form_and_bad_input(client, bank, day):
    assert client.get("/schedule").status_code == 200
    bad = client.get(page_url(day, hours=99))
    assert bad.status_code == 400 and "field-error" in bad.get_data(as_text=True)


def _book(client, day, email="buyer@example.com"):
    html = client.get(page_url(day)).get_data(as_text=True)
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html.split('class="book-form"')[1]))
    form["email"] = email
    return client.post("/schedule/book", data=form)


def test_booking_places_one_order_whose_lines_hold_the_blocks(client, bank, day):
    response = _book(client, day)
    assert response.status_code == 302 and "/orders/" in response.headers["Location"]
    order = db.session.scalar(select(Order))
    lines = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    assert [(line.offer_id, line.hours, line.instances) for line in lines] == [(bank["west"].id, 6, 1)]
    assert order.total == lines[0].line_total == 288  # off-peak hours charged at the off-peak rate, as shown
    held = db.session.scalars(select(Booking).where(Booking.order_line_id == lines[0].id)).all()
    assert [(b.offer_id, b.starts_at, b.ends_at, b.instances) for b in held] == [
        (bank["west"].id, lines[0].starts_at, lines[0].ends_at, 1)]


@pytest.mark.parametrize("lang, shown", [("zh", ["¥12.00 / 卡时", "含错峰价：平均 ¥6.00 / 卡时", "¥288.00"]),
                                         ("en", ["¥12.00 / card-hour", "includes off-peak hours: ¥6.00 / card-hour "
                                                 "on average", "¥288.00"])])
def test_the_order_page_says_why_the_subtotal_is_below_the_unit_price(client, bank, day, lang, shown):
    # The west machine's ¥12 card-hour is ¥6 off-peak: all six hours of the booking are off-peak.
    location = _book(client, day).headers["Location"]
    client.set_cookie("lang", lang)
    html = client.get(location).get_data(as_text=True)
    for text in shown:
        assert text in html, text
    assert problems(html, lang, ("H100",)) == []


def test_the_same_capacity_cannot_be_booked_twice(client, bank, day):
    first, second = day
    html = client.get(page_url(day)).get_data(as_text=True)
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html.split('class="book-form"')[1]))
    assert client.post("/schedule/book", data={**form, "email": "a@example.com"}).status_code == 302
    # A second buyer had the same page open: the west machine (stock 1) is taken for those hours.
    refused = client.post("/schedule/book", data={**form, "email": "b@example.com", "checkout_token": "x" * 32},
                          follow_redirects=True)
    text = refused.get_data(as_text=True)
    assert "先订" in text or "booked part of this schedule first" in text
    assert db.session.scalar(select(func.count(Order.id))) == 1
    # and the schedule offered now avoids those hours
    assert f"{first} 22:00" not in text.split("schedule-table", 1)[1]
