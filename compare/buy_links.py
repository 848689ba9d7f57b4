"""What a planner row buys: the buy page's prefill (contract C1) for the job the plan priced. No Flask.

The buy page (checkout.buy_box) takes `instances` and `hours` for hourly offers, `instances` and
`terms` for monthly and yearly ones, `packs` of 1M tokens for token offers; each a whole number
of at least 1. The numbers are the ones the plan's total was computed from: instances =
⌈cards ÷ cards per instance⌉ (pricing.job_cost), the job's hours rounded up to whole hours, the
months or years the term bills, and a month's tokens (input + output) in packs of 1M.
"""

from decimal import ROUND_CEILING, Decimal

from compare.planner import Plan, PlanItem

PACK_TOKENS = Decimal(1_000_000)


def _whole(value: Decimal) -> int:
    return max(1, int(Decimal(value).to_integral_value(rounding=ROUND_CEILING)))


def buy_args(plan: Plan, item: PlanItem) -> dict[str, int]:
    """The query parameters of the row's buy link: {'instances': 8, 'hours': 72}, {'packs': 12}, ..."""
    if item.tokens is not None:
        work = plan.workload
        return {"packs": _whole((work.input_tokens + work.output_tokens) / PACK_TOKENS)} if work else {}
    job = item.job
    if job.periods:
        return {"instances": job.instances, "terms": job.periods}
    return {"instances": job.instances, "hours": _whole(plan.params["hours"])}
