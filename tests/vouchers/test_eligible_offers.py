"""The programme's offer list: the SQL query picks exactly the offers the split's own rule matching pays for."""

import html
import re
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from catalog.models import Offer
from catalog.registry import default_registries
from extensions import db
from pricing.voucher_split import Reason, line_rate
from tests.catalog.factories import gpu_offer, token_offer
from tests.vouchers.conftest import hangzhou, load
from vouchers.eligible_offers import eligible_offers
from vouchers.models import VoucherProgram
from vouchers.program_terms import terms_of, voucher_line

REGS = default_registries()
WHENS = [{}, {"kind": ["gpu"]}, {"kind": ["gpu"], "domestic_chip": True}, {"domestic_chip": False},
         {"kind": ["token"], "filed_model": True}, {"filed_model": False}, {"billing": ["monthly"]},
         {"gpu_model": ["h100-sxm", "ascend-910b"]}, {"model": ["deepseek-v3"]}]


def catalog():
    made = [gpu_offer("9.50", "ascend-910b", vendor_slug="autodl", region="cn-hangzhou"),
            gpu_offer("21.33", "h100-sxm", vendor_slug="aliyun", region="cn-beijing"),
            gpu_offer("1.90", "rtx-4090", vendor_slug="autodl", region="cn-jiaxing", billing="monthly"),
            gpu_offer("7.00", "mlu370-x8", vendor_slug="aliyun", region="cn-shanghai"),
            token_offer("0.27", "1.10", model="deepseek-v3"),
            token_offer(model="gpt-4o"),
            gpu_offer("5.00", "ascend-910b", vendor_slug="autodl", status="delisted")]
    db.session.commit()
    return made


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rules=st.lists(st.tuples(st.sampled_from(WHENS), st.sampled_from(["0", "0.2", "0.3", "0.5"])), min_size=1,
                      max_size=4),
       vendors=st.sampled_from([[], ["autodl"], ["aliyun", "openai"]]),
       regions=st.sampled_from([[], ["cn-zhejiang"], ["cn-beijing", "us-east"]]))
def test_the_query_pays_for_exactly_what_the_rules_pay_for(app, rules, vendors, regions):
    db.session.execute(delete(VoucherProgram))
    if not db.session.scalar(select(Offer.id).limit(1)):
        catalog()
    load(hangzhou(rules=[{"when": w, "rate": r} for w, r in rules], vendors=vendors, offer_regions=regions))
    program = db.session.scalar(select(VoucherProgram))
    terms = terms_of(program, REGS.regions)
    expected = {}
    for offer in db.session.scalars(select(Offer).where(Offer.status == "active")):
        rate, reason, _ = line_rate(voucher_line(offer, Decimal(0), REGS), terms)
        if reason is Reason.RULE and rate > 0:
            expected[offer.id] = rate
    got = {}
    for kind in ("gpu", "cpu", "token"):
        count, items = eligible_offers(db.session, program, REGS, kind)
        assert count == len(items)
        got |= {item.offer.id: item.rate for item in items}
        prices = [item.after_voucher for item in items]
        assert prices == sorted(prices)
    assert got == expected


def test_the_page_lists_the_qualifying_offers_cheapest_after_the_voucher(client, hz):
    ascend, h100, _monthly, mlu, *_ = catalog()
    page = client.get("/vouchers/hz-2026/offers?kind=gpu&lang=en")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.text)))
    # 4090 monthly ¥1.90 × 75%, MLU370 ¥7 × 65%, Ascend ¥9.50 × 65%, H100 ¥21.33 × 75%
    assert re.search(r"¥1\.43 / card-hour.*¥4\.55 / card-hour.*¥6\.18 / card-hour.*¥16\.00 / card-hour", text), text
    assert "4 offers" in text and f"/offers/{ascend.id}?program=hz-2026" in page.text
    zh = client.get("/vouchers/hz-2026/offers?kind=token&lang=zh").text
    assert "券后价" in zh and "共 2 个" in zh
    assert client.get("/vouchers/hz-2026/offers?kind=disk").status_code == 400
    assert client.get("/vouchers/nope/offers").status_code == 404
