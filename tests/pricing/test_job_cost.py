"""Worked examples of job costs, each total worked out by hand in the comment above it."""

import re
from decimal import Decimal as D

import pytest

from pricing.job_cost import Job, JobCostError, OfferTerms, job_cost, period_price
from pricing.units import Billing, PriceUnit

H100_JOB = Job(kind="gpu", count=D(8), hours=D(72))


def test_eight_single_cards_on_demand():
    # 8 cards × 72 h × ¥17.12/card-hour = 576 card-hours × 17.12 = ¥9,861.12
    terms = OfferTerms(Billing.ON_DEMAND, unit_price=D("17.12"), per_instance=D(1),
                       list_amount=D("17.12"), list_unit=PriceUnit.CARD_HOUR, stock=10)
    cost = job_cost(H100_JOB, terms)
    assert cost.total == D("9861.12")
    assert cost.instances == 8 and cost.stock_covers is True
    assert cost.arithmetic.text("zh") == "8 卡 × 72 小时 × ¥17.12/卡时 = ¥9,861.12"
    assert cost.arithmetic.text("en") == "8 cards × 72 h × ¥17.12/card-hour = ¥9,861.12"


def test_eight_card_node_listed_in_usd_per_hour():
    # USD 55.04/h for 8 cards at 7.1 CNY/USD = ¥48.848/card-hour (normalized);
    # 8 cards × 72 h × 48.848 = 28,136.448 -> ¥28,136.45; one node, stock unknown.
    terms = OfferTerms(Billing.ON_DEMAND, unit_price=D("48.848"), per_instance=D(8),
                       list_amount=D("55.04"), list_unit=PriceUnit.HOUR, cny_per_list_unit=D("7.1"))
    cost = job_cost(H100_JOB, terms)
    assert cost.total == D("28136.45")
    assert cost.instances == 1
    assert cost.stock_covers is None
    assert any("availability unknown" in a.text("en") for a in cost.assumptions)


def test_seventy_two_hours_on_a_monthly_node_pays_the_month():
    # ¥92,268 per month for an 8-card node; 72 h -> ceil(72/730) = 1 month -> ¥92,268.00
    terms = OfferTerms(Billing.MONTHLY, unit_price=D("15.799315"), per_instance=D(8),
                       list_amount=D("92268"), list_unit=PriceUnit.MONTH, stock=235)
    cost = job_cost(H100_JOB, terms)
    assert cost.total == D("92268.00")
    assert cost.periods == 1 and cost.period_price == D("92268.00")
    assert cost.arithmetic.text("zh") == "1 台 × 1 月 × ¥92,268.00/台·月 = ¥92,268.00"


def test_eight_hundred_hours_on_a_monthly_node_pays_two_months():
    # 800 h -> ceil(800/730) = 2 months × ¥92,268 = ¥184,536.00
    terms = OfferTerms(Billing.MONTHLY, unit_price=D("15.799315"), per_instance=D(8),
                       list_amount=D("92268"), list_unit=PriceUnit.MONTH)
    assert job_cost(Job("gpu", D(8), D(800)), terms).total == D("184536.00")


def test_monthly_term_listed_per_month_in_usd():
    # USD 34,152/month × 7.1 = ¥242,479.20 per 8-card node per month
    terms = OfferTerms(Billing.MONTHLY, unit_price=D("41.520411"), per_instance=D(8),
                       list_amount=D("34152"), list_unit=PriceUnit.MONTH, cny_per_list_unit=D("7.1"))
    assert job_cost(H100_JOB, terms).total == D("242479.20")


def test_monthly_term_listed_per_card_hour():
    # 4-card instances at ¥1.92/card-hour billed monthly: 730 × 1.92 × 4 = ¥5,606.40 per instance-month;
    # 8 cards need 2 instances: 2 × 1 month × 5,606.40 = ¥11,212.80
    terms = OfferTerms(Billing.MONTHLY, unit_price=D("1.92"), per_instance=D(4),
                       list_amount=D("1.92"), list_unit=PriceUnit.CARD_HOUR)
    assert period_price(terms, D(730)) == D("5606.40")
    cost = job_cost(H100_JOB, terms)
    assert cost.instances == 2 and cost.total == D("11212.80")


def test_yearly_contract_is_not_a_72_hour_option_unless_allowed():
    terms = OfferTerms(Billing.YEARLY, unit_price=D("12.6"), per_instance=D(8),
                       list_amount=D("883008"), list_unit=PriceUnit.YEAR, stock=3)
    refused = job_cost(H100_JOB, terms)
    assert refused.eligible is False and refused.total is None
    assert "commitment" in refused.excluded_because.text("en")
    # Allowed: ceil(72/8760) = 1 year × ¥883,008 = ¥883,008.00
    allowed = job_cost(Job("gpu", D(8), D(72), allow_commitment=True), terms)
    assert allowed.total == D("883008.00")
    assert allowed.arithmetic.text("en") == "1 instance × 1 year × ¥883,008.00/instance-year = ¥883,008.00"


def test_spot_is_excluded_unless_allowed_and_then_flagged():
    # USD 23.12/h for 8 cards × 7.1 / 8 = ¥20.519/card-hour; 8 × 72 × 20.519 = 11,818.944 -> ¥11,818.94
    terms = OfferTerms(Billing.SPOT, unit_price=D("20.519"), per_instance=D(8))
    assert job_cost(H100_JOB, terms).eligible is False
    cost = job_cost(Job("gpu", D(8), D(72), allow_spot=True), terms)
    assert cost.total == D("11818.94")
    assert cost.interruptible is True


def test_whole_instances_round_up_and_stock_is_checked():
    # 10 cards on 8-card nodes -> 2 nodes = 16 cards billed; 16 × 10 h × ¥15 = ¥2,400.00; stock 1 < 2
    terms = OfferTerms(Billing.ON_DEMAND, unit_price=D(15), per_instance=D(8), stock=1)
    cost = job_cost(Job("gpu", D(10), D(10)), terms)
    assert cost.instances == 2 and cost.billed_units == D(16)
    assert cost.total == D("2400.00")
    assert cost.stock_covers is False
    assert cost.arithmetic.text("zh").startswith("16 卡 × 10 小时")


def test_eight_single_card_machines_are_said_to_be_eight_machines():
    # 8 cards on 1-card machines: 8 × 72 h × ¥2 = ¥1,152.00, the cheapest by price, but 8 machines, not one.
    singles = job_cost(Job("gpu", D(8), D(72)), OfferTerms(Billing.ON_DEMAND, unit_price=D(2), per_instance=D(1)))
    assert singles.instances == 8 and singles.total == D("1152.00")
    said = [p.text("zh") for p in singles.assumptions]
    assert "分布在 8 台机器上：这些卡不在同一台机器上（机器之间没有高速互联）" in said
    node = job_cost(Job("gpu", D(8), D(72)), OfferTerms(Billing.ON_DEMAND, unit_price=D(3), per_instance=D(8)))
    assert not any("台机器" in p.text("zh") for p in node.assumptions)
    slices = job_cost(Job("gpu", D(1), D(10)), OfferTerms(Billing.ON_DEMAND, unit_price=D(2), per_instance=D("0.25")))
    assert slices.instances == 4 and not any("台机器" in p.text("zh") for p in slices.assumptions)


def test_fractional_card_slices():
    # One card from quarter-card slices: 4 slices = 1 card billed; 1 × 100 h × ¥0.50/card-hour = ¥50.00
    slices = OfferTerms(Billing.ON_DEMAND, unit_price=D("0.50"), per_instance=D("0.25"))
    cost = job_cost(Job("gpu", D(1), D(100)), slices)
    assert cost.instances == 4 and cost.total == D("50.00")
    # Half a card on a whole-card offer pays the whole card: 1 × 10 h × ¥2 = ¥20.00
    whole = OfferTerms(Billing.ON_DEMAND, unit_price=D(2), per_instance=D(1))
    assert job_cost(Job("gpu", D("0.5"), D(10)), whole).total == D("20.00")


def test_cpu_core_hours():
    # 64 cores on 32-vCPU instances, 100 h at ¥0.0252/core-hour: 64 × 100 × 0.0252 = ¥161.28
    terms = OfferTerms(Billing.ON_DEMAND, unit_price=D("0.0252"), per_instance=D(32))
    cost = job_cost(Job("cpu", D(64), D(100)), terms)
    assert cost.total == D("161.28")
    assert cost.arithmetic.text("en") == "64 cores × 100 h × ¥0.0252/core-hour = ¥161.28"


def test_cpu_yearly_for_a_long_job():
    # 10,000 h -> ceil(10000/8760) = 2 years × ¥12,357 per 64-vCPU instance = ¥24,714.00
    terms = OfferTerms(Billing.YEARLY, unit_price=D("0.022041"), per_instance=D(64),
                       list_amount=D(12357), list_unit=PriceUnit.YEAR)
    cost = job_cost(Job("cpu", D(64), D(10000), allow_commitment=True), terms)
    assert cost.periods == 2 and cost.total == D("24714.00")


@pytest.mark.parametrize("count,hours", [(D(0), D(1)), (D(1), D(0)), (D(-1), D(5))])
def test_empty_jobs_are_refused(count, hours):
    with pytest.raises(JobCostError):
        job_cost(Job("gpu", count, hours), OfferTerms(Billing.ON_DEMAND, D(1), D(1)))


CJK = re.compile(r"[\u3400-\u9fff]")
# A msgid missing from the catalogs comes back in English, so a Chinese phrase keeps no lower-case word.
ENGLISH_WORD = re.compile(r"[a-z]{2,}")


def _every_phrase(cost) -> list:
    return [p for p in (cost.arithmetic, cost.excluded_because, *cost.assumptions) if p is not None]


@pytest.mark.parametrize("billing", list(Billing))
@pytest.mark.parametrize("kind", ["gpu", "cpu"])
def test_every_explanation_reads_in_one_language_from_the_catalogs(kind, billing):
    # Short stock, whole instances rounding up, a term: every phrase job_cost says, allowed or not.
    terms = OfferTerms(billing, unit_price=D("2"), per_instance=D(8), list_amount=D(1000),
                       list_unit=PriceUnit.MONTH, stock=1)
    for job in (Job(kind, D(10), D(800)), Job(kind, D(10), D(800), allow_spot=True, allow_commitment=True)):
        for phrase in _every_phrase(job_cost(job, terms)):
            zh, en = phrase.text("zh"), phrase.text("en")
            assert CJK.search(zh) and not ENGLISH_WORD.search(zh), zh
            assert not CJK.search(en), en


def test_english_counts_one_in_the_singular():
    # 1 card × 10 h × ¥2.00 = ¥20.00: "1 card", not "1 cards"
    one = job_cost(Job("gpu", D(1), D(10)), OfferTerms(Billing.ON_DEMAND, unit_price=D(2), per_instance=D(1)))
    assert one.arithmetic.text("en") == "1 card × 10 h × ¥2.00/card-hour = ¥20.00"
    assert one.arithmetic.text("zh") == "1 卡 × 10 小时 × ¥2.00/卡时 = ¥20.00"
    cores = job_cost(Job("cpu", D(1), D(10)), OfferTerms(Billing.ON_DEMAND, unit_price=D(2), per_instance=D(1)))
    assert cores.arithmetic.text("en") == "1 core × 10 h × ¥2.00/core-hour = ¥20.00"


def test_english_counts_many_in_the_plural_on_a_term():
    # 10 cards on 8-card monthly nodes for 800 h: 2 instances × 2 months × ¥1,000 = ¥4,000.00; stock 1 < 2
    terms = OfferTerms(Billing.MONTHLY, unit_price=D(2), per_instance=D(8), list_amount=D(1000),
                       list_unit=PriceUnit.MONTH, stock=1)
    cost = job_cost(Job("gpu", D(10), D(800)), terms)
    assert cost.arithmetic.text("en") == "2 instances × 2 months × ¥1,000.00/instance-month = ¥4,000.00"
    assert cost.arithmetic.text("zh") == "2 台 × 2 月 × ¥1,000.00/台·月 = ¥4,000.00"
    said = [a.text("en") for a in cost.assumptions]
    assert "the job needs 10 cards; the offer rents whole instances, so it bills 2 × 8-card instances = 16 cards" in said
    assert "a monthly term bills whole months (730 h each): 800 h pays 2 months" in said
    assert "stock is 1, fewer than the 2 instances needed" in said
    assert "库存 1 台，不足所需的 2 台" in [a.text("zh") for a in cost.assumptions]
