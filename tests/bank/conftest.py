"""Two H100 offers, east and west, whose schedules are worked out by hand in the tests."""

from datetime import timedelta
from decimal import Decimal as D

import pytest

from catalog.models import Offer, Vendor, utcnow
from extensions import db
from pricing.availability import local


def add_gpu(vendor: Vendor, sku: str, price: str, **fields) -> Offer:
    defaults = {"kind": "gpu", "title": sku, "billing": "on_demand", "list_currency": "CNY", "status": "active",
                "gpu_model": "h100-sxm", "gpu_count": D(8), "gpu_memory_gb": D(80), "list_unit": "hour",
                "list_amount": D(price) * 8, "unit_price": D(price), "region": "cn-hangzhou"}
    offer = Offer(vendor=vendor, sku=sku, **{**defaults, **fields})
    db.session.add(offer)
    return offer


@pytest.fixture()
def day():
    """The day after tomorrow in Asia/Shanghai, as 'YYYY-MM-DD' and the next day."""
    first = (local(utcnow()) + timedelta(days=2)).date()
    return str(first), str(first + timedelta(days=1))


@pytest.fixture()
def bank(app):
    """East: ¥10/card-hour all day. West (成都): ¥12, half price 22:00-06:00; both 8 cards a machine."""
    east = Vendor(slug="east", name_zh="华东云", name_en="East Cloud")
    west = Vendor(slug="west", name_zh="西部算力", name_en="West Compute")
    offers = {"east": add_gpu(east, "h100-east", "10", stock=4),
              "west": add_gpu(west, "h100-west", "12", region="cn-chengdu", stock=1, off_peak_hours="22:00-06:00",
                              off_peak_rate=D("0.5"))}
    db.session.commit()
    return offers


def job(day, **extra) -> dict:
    """8 cards for 6 hours in one block, from 08:00 one day to 08:00 the next (Asia/Shanghai)."""
    first, second = day
    return {"gpu_model": "h100-sxm", "cards": 8, "hours": 6, "earliest_start": f"{first}T08:00:00+08:00",
            "deadline": f"{second}T08:00:00+08:00", "splittable": False, "min_block_hours": 1, "regions": [],
            "max_unit_price": None, "allow_spot": False, "same_machine": False, **extra}
