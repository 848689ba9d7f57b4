"""Answer a schedule request: resolve its names, gather the lanes, solve, and say it as spec §8's JSON. No Flask."""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from bank.candidates import Candidate, Horizon, gather, grid, region_ids
from catalog.models import utcnow
from catalog.registry import Registries, UnknownName
from pricing.availability import local
from pricing.capacity import HOUR, whole_hour_at_or_after
from pricing.schedule import Job, Schedule, plan_grid

FEN = Decimal("0.01")


@dataclass(frozen=True)
class PlacedBlock:
    candidate: Candidate
    start: datetime  # UTC
    end: datetime
    cost: Decimal  # rounded to the fen, half up
    runs: tuple[tuple[int, Decimal], ...]  # (hours, price per card-hour) in a row: the block's arithmetic

    @property
    def hours(self) -> int:
        return int((self.end - self.start) / HOUR)

    @property
    def card_hours(self) -> Decimal:
        return self.candidate.paid_cards * self.hours


@dataclass(frozen=True)
class ScheduleResult:
    cards: int
    hours: int
    horizon: Horizon
    blocks: tuple[PlacedBlock, ...]
    baseline: tuple[PlacedBlock, ...] | None

    @property
    def feasible(self) -> bool:
        return bool(self.blocks)

    @property
    def total(self) -> Decimal | None:
        return sum((b.cost for b in self.blocks), Decimal(0)) if self.blocks else None

    @property
    def baseline_total(self) -> Decimal | None:
        return None if self.baseline is None else sum((b.cost for b in self.baseline), Decimal(0))

    @property
    def savings(self) -> Decimal | None:
        if self.total is None or self.baseline_total is None:
            return None
        return self.baseline_total - self.total

    @property
    def saving_share(self) -> Decimal | None:
        """Savings as a percentage of the baseline, one place."""
        if self.savings is None or not self.baseline_total:
            return None
        return (self.savings * 100 / self.baseline_total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def horizon_of(params: dict, now: datetime | None = None) -> Horizon:
    """Whole hours from the later of earliest_start and the next hour, up to the deadline.

    :raise ValidationError: the deadline is not after the start, or the span is shorter than the job.
    """
    soon = whole_hour_at_or_after(now or utcnow())
    start = whole_hour_at_or_after(params["earliest_start"]) if params.get("earliest_start") else soon
    start = max(start, soon)
    deadline = params["deadline"]
    if deadline <= start:
        raise _bad("deadline", "截止时间须晚于开始时间（且在未来）/ the deadline must be after the start (and ahead)")
    span = int((deadline - start) / HOUR)
    if params["hours"] > span:
        raise _bad("hours", f"开始到截止只有 {span} 个整小时 / only {span} whole hours from start to deadline")
    return Horizon(start, span)


def _runs(prices) -> tuple[tuple[int, Decimal], ...]:
    out: list[list] = []
    for price in prices:
        if out and out[-1][1] == price:
            out[-1][0] += 1
        else:
            out.append([1, price])
    return tuple((n, p) for n, p in out)


def _placed(schedule: Schedule | None, candidates: list[Candidate], horizon: Horizon) -> tuple[PlacedBlock, ...]:
    if schedule is None:
        return ()
    by_id = {c.offer_id: c for c in candidates}
    placed = []
    for block in schedule.blocks:
        c = by_id[block.offer_id]
        placed.append(PlacedBlock(c, horizon.at(block.start), horizon.at(block.end),
                                  block.cost.quantize(FEN, rounding=ROUND_HALF_UP),
                                  _runs(c.prices[block.start:block.end])))
    return tuple(placed)


def make_schedule(session: Session, params: dict, registries: Registries, now: datetime | None = None
                  ) -> ScheduleResult:
    """The cheapest schedule for validated params (ScheduleSchema().load output).

    :raise ValidationError: an unknown model or region, or a span that does not hold the job.
    """
    model = None
    if params.get("gpu_model"):
        try:
            model = registries.gpus.resolve(params["gpu_model"]).id
        except UnknownName as exc:
            raise _bad("gpu_model", exc.message) from None
    try:
        regions = region_ids(params.get("regions") or [], registries)
    except UnknownName as exc:
        raise _bad("regions", exc.message) from None
    horizon = horizon_of(params, now)
    candidates = gather(session, horizon, cards=params["cards"], gpu_model=model,
                        min_gpu_memory_gb=params.get("min_gpu_memory_gb"), regions=regions,
                        allow_spot=params.get("allow_spot", False), same_machine=params.get("same_machine", False),
                        max_unit_price=params.get("max_unit_price"))
    job = Job(params["hours"], params.get("min_block_hours", 1), params.get("splittable", True))
    best, first = plan_grid(*grid(candidates), job) if candidates else (None, None)
    return ScheduleResult(params["cards"], params["hours"], horizon, _placed(best, candidates, horizon),
                          _placed(first, candidates, horizon) if first is not None else None)


def _iso(moment: datetime) -> str:
    return local(moment).isoformat()


def _number(value: Decimal):
    """A whole count as an integer, a fractional one as a decimal string."""
    return int(value) if value == value.to_integral_value() else str(value.normalize())


def _blocks_json(blocks) -> list[dict]:
    return [{"offer_id": b.candidate.offer_id, "vendor": b.candidate.vendor, "region": b.candidate.region,
             "start": _iso(b.start), "end": _iso(b.end), "cards": _number(b.candidate.paid_cards),
             "cost": str(b.cost)} for b in blocks]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def schedule_json(result: ScheduleResult) -> dict:
    """Spec §8's response: decimal strings, times in +08:00."""
    return {
        "feasible": result.feasible,
        "total": _money(result.total),
        "card_hours": _number(sum((b.card_hours for b in result.blocks), Decimal(0))),
        "blocks": _blocks_json(result.blocks),
        "baseline": None if result.baseline is None else {"total": _money(result.baseline_total),
                                                          "blocks": _blocks_json(result.baseline)},
        "savings": _money(result.savings),
    }
