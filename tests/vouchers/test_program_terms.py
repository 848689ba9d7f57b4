"""A stored programme read as the split's terms: province ids cover their cities; the budget left comes from one place."""

from decimal import Decimal

from sqlalchemy import select

from catalog.registry import default_registries
from extensions import db
from pricing.voucher_split import Reason, line_rate
from tests.catalog.factories import gpu_offer
from tests.vouchers.conftest import hangzhou, load
from vouchers.budget import consumed, remaining_budget
from vouchers.models import VoucherProgram
from vouchers.program_terms import covered_regions, terms_of, voucher_line

REGIONS = default_registries().regions


def test_a_province_covers_its_cities_and_a_city_only_itself():
    zhejiang = covered_regions(["cn-zhejiang"], REGIONS)
    assert {"cn-zhejiang", "cn-hangzhou", "cn-jiaxing"} <= zhejiang and "cn-shanghai" not in zhejiang
    assert covered_regions(["cn-hangzhou"], REGIONS) == {"cn-hangzhou"}
    assert covered_regions([], REGIONS) == frozenset()


def test_an_offer_outside_the_programmes_regions_earns_nothing(app):
    load(hangzhou(offer_regions=["cn-zhejiang"]))
    program = db.session.scalar(select(VoucherProgram))
    terms = terms_of(program, REGIONS)
    inside = gpu_offer("9.50", "ascend-910b", region="cn-jiaxing")
    outside = gpu_offer("9.50", "ascend-910b", region="cn-beijing")
    db.session.commit()
    assert line_rate(voucher_line(inside, Decimal(0), default_registries()), terms)[:2] == (Decimal("0.30"), Reason.RULE)
    assert line_rate(voucher_line(outside, Decimal(0), default_registries()), terms)[1] is Reason.REGION


def test_the_whole_budget_is_left_until_a_ledger_consumes_it(app):
    load(hangzhou(), hangzhou(code="open-ended", budget=None))
    hz, open_ended = (db.session.scalar(select(VoucherProgram).where(VoucherProgram.code == c))
                      for c in ("hz-2026", "open-ended"))
    assert consumed(db.session, hz) == 0 and remaining_budget(db.session, hz) == Decimal("250000000.00")
    assert remaining_budget(db.session, open_ended) is None
