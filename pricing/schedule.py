"""The compute bank's scheduler (spec §8): the cheapest set of blocks for a job that can wait. Pure: no Flask, no DB.

Time is whole hours of a horizon, numbered 0 .. horizon-1. Each candidate offer is a `Lane`:
for every hour, what the job's paid cards cost on it that hour (n × g × that hour's price per
card-hour), or None where it cannot be used (outside its availability, too few free instances,
above the buyer's price cap). A schedule is a set of non-overlapping blocks [start, end) on
lanes whose lengths add up to the job's hours, each at least `min_block_hours` (one block when
the job is not splittable); its cost is the sum of its hours' costs.

`solve` is exact, not greedy: a dynamic programme over (hour, hours done). For every block length L
the cheapest lane for each start hour comes from prefix sums and a table of usable runs;
states are kept as (hour, idle hours so far), so all blocks leaving one hour update the table
in one array step. Order: lowest total, then earliest end, then fewest blocks; the lane with
the lowest index wins a tie between lanes (callers pass lanes in offer-id order).
Money is exact: costs are turned into integers of one common decimal scale (Python integers
when a horizon's sums might not fit 64 bits).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

INT64_ROOM = 2**60  # sums below this, and INF = 2 × it, stay inside int64


@dataclass(frozen=True)
class Job:
    hours: int
    min_block_hours: int = 1
    splittable: bool = True


@dataclass(frozen=True)
class Lane:
    """One candidate offer: its cost at each hour of the horizon (None: unusable)."""

    offer_id: int
    costs: Sequence[Decimal | None]


@dataclass(frozen=True)
class Block:
    lane: int  # index into the lanes given
    offer_id: int
    start: int
    end: int  # exclusive
    cost: Decimal  # exact, not rounded

    @property
    def hours(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Schedule:
    blocks: tuple[Block, ...]
    total: Decimal  # exact

    @property
    def end(self) -> int:
        return self.blocks[-1].end


@dataclass
class _Table:
    """The lanes as integer arrays: cost (INF where unusable), prefix sums and usable runs."""

    scale: int  # costs were multiplied by 10**scale
    inf: int
    cost: np.ndarray  # (lanes, horizon)
    prefix: np.ndarray  # (lanes, horizon + 1), unusable hours count 0
    run: np.ndarray  # (lanes, horizon + 1): usable hours in a row from each hour

    def block_cost(self, lane: int, start: int, end: int) -> Decimal:
        value = int(self.prefix[lane, end]) - int(self.prefix[lane, start])
        return Decimal(value).scaleb(-self.scale)

    def cheapest(self, length: int) -> tuple[np.ndarray, np.ndarray]:
        """For each start hour: the lowest cost of a block of `length` on one lane, and that lane."""
        horizon = self.cost.shape[1]
        starts = horizon - length + 1
        if starts <= 0 or not len(self.cost):
            return np.full(max(starts, 0), self.inf, dtype=self.cost.dtype), np.zeros(max(starts, 0), dtype=np.int64)
        sums = self.prefix[:, length:length + starts] - self.prefix[:, :starts]
        sums = np.where(self.run[:, :starts] >= length, sums, self.inf)
        best = np.argmin(sums, axis=0)  # first lane among equals
        return sums[best, np.arange(starts)], best


def _table(lanes: Sequence[Lane], horizon: int) -> _Table:
    distinct: set[Decimal] = set()
    for lane in lanes:
        if len(lane.costs) != horizon:
            raise ValueError(f"lane {lane.offer_id} has {len(lane.costs)} hours, not {horizon}")
        distinct.update(lane.costs)  # a lane has few prices (peak, off-peak): convert each once
    distinct.discard(None)
    if any(cost < 0 or not cost.is_finite() for cost in distinct):
        raise ValueError("a cost must be a finite amount >= 0")
    # 8.0000 × 0.5000 needs no places
    scale = max((-cost.normalize().as_tuple().exponent for cost in distinct), default=0)
    scale = max(scale, 0)
    whole = {cost: int(cost.scaleb(scale)) for cost in distinct}
    largest = max(whole.values(), default=0)
    room = (largest + 1) * (horizon + 1)
    dtype = np.int64 if room < INT64_ROOM else object
    inf = 2 * INT64_ROOM if dtype is np.int64 else 4 * room
    whole[None] = inf
    cost = np.array([[whole[c] for c in lane.costs] for lane in lanes], dtype=dtype).reshape(len(lanes), horizon)
    return _arrays(scale, inf, cost)


def _arrays(scale: int, inf: int, cost: np.ndarray) -> _Table:
    lanes, horizon = cost.shape
    usable = cost < inf
    prefix = np.zeros((lanes, horizon + 1), dtype=cost.dtype)
    prefix[:, 1:] = np.cumsum(np.where(usable, cost, 0), axis=1)
    run = np.zeros((lanes, horizon + 1), dtype=np.int64)
    for hour in range(horizon - 1, -1, -1):
        run[:, hour] = np.where(usable[:, hour], run[:, hour + 1] + 1, 0)
    return _Table(scale, inf, cost, prefix, run)


def _dominated_rows(table: _Table) -> list[int]:
    cost = table.cost
    # Visit in order of (usable hours descending, index): a dominator is usable at least wherever it dominates.
    usable_hours = np.count_nonzero(cost < table.inf, axis=1)
    order = sorted(range(len(cost)), key=lambda i: (-int(usable_hours[i]), i))
    kept: list[int] = []
    gone = []
    for i in order:
        if kept and bool(np.any(np.all(cost[kept] <= cost[i], axis=1))):
            gone.append(i)
        else:
            kept.append(i)
    return sorted(gone)


def dominated(lanes: Sequence[Lane]) -> list[int]:
    """Indexes of lanes another lane makes useless: usable whenever they are, never dearer (ties: the lower index stays).

    Dropping them changes neither the optimum nor the tie rule, since the lane that stays can
    run every block they could, at no higher cost, with the same hours.
    """
    return _dominated_rows(_table(lanes, len(lanes[0].costs))) if lanes else []


def plan(lanes: Sequence[Lane], job: Job, horizon: int) -> tuple[Schedule | None, Schedule | None]:
    """solve() and baseline() at once, on the lanes no other lane dominates (the same answers, faster)."""
    if not lanes:
        return None, None
    return _plan(_table(lanes, horizon), lanes, job, horizon)


def plan_grid(offer_ids: Sequence[int], cost: np.ndarray, scale: int, job: Job) -> tuple[Schedule | None,
                                                                                        Schedule | None]:
    """plan() for costs already in integers: `cost[i, t]` × 10**-scale, or -1 where lane i is unusable.

    For callers that hold many lanes as arrays (the catalog's candidates): no Decimal per hour.
    """
    if not len(offer_ids):
        return None, None
    lanes, horizon = cost.shape
    largest = int(cost.max(initial=0))
    room = (largest + 1) * (horizon + 1)
    dtype = np.int64 if room < INT64_ROOM else object
    inf = 2 * INT64_ROOM if dtype is np.int64 else 4 * room
    grid = np.where(cost < 0, inf, cost).astype(dtype)
    return _plan(_arrays(scale, inf, grid), [Lane(i, ()) for i in offer_ids], job, horizon)


def _plan(table: _Table, lanes: Sequence[Lane], job: Job, horizon: int) -> tuple[Schedule | None, Schedule | None]:
    gone = set(_dominated_rows(table))
    keep = [i for i in range(len(lanes)) if i not in gone]
    table = _arrays(table.scale, table.inf, table.cost[keep])
    kept = [lanes[i] for i in keep]

    def back(schedule: Schedule | None) -> Schedule | None:
        if schedule is None:
            return None
        blocks = tuple(Block(keep[b.lane], b.offer_id, b.start, b.end, b.cost) for b in schedule.blocks)
        return Schedule(blocks, schedule.total)

    return back(_solve(table, kept, job, horizon)), back(_baseline(table, kept, job, horizon))


def solve(lanes: Sequence[Lane], job: Job, horizon: int) -> Schedule | None:
    """The cheapest schedule (ties: earliest end, then fewest blocks), or None when none fits."""
    return _solve(_table(lanes, horizon), lanes, job, horizon) if lanes else None


def _solve(table: _Table, lanes: Sequence[Lane], job: Job, horizon: int) -> Schedule | None:
    need, shortest = job.hours, max(1, job.min_block_hours)
    if need <= 0 or need > horizon or shortest > need or not lanes:
        return None
    inf = table.inf
    lengths = list(range(shortest, need + 1)) if job.splittable else [need]
    cheapest = {length: table.cheapest(length) for length in lengths}
    # best[L][t] for every start t (INF past the end of the horizon)
    span = np.full((len(lengths), horizon + 1), inf, dtype=table.cost.dtype)
    lane_of = np.zeros((len(lengths), horizon + 1), dtype=np.int64)
    for row, length in enumerate(lengths):
        costs, which = cheapest[length]
        span[row, :len(costs)] = costs
        lane_of[row, :len(which)] = which
    length_col = np.array(lengths, dtype=np.int64)[:, None]

    idle_max = horizon - need  # a state (t, j): t hours passed, j of them idle, t - j worked
    width = idle_max + 1
    cost = np.full((horizon + 1, width), inf, dtype=table.cost.dtype)
    blocks = np.zeros((horizon + 1, width), dtype=np.int64)
    came_by = np.zeros((horizon + 1, width), dtype=np.int64)  # block length that ended here; 0 = idle hour
    came_on = np.zeros((horizon + 1, width), dtype=np.int64)
    cost[0, 0] = 0
    idle = np.arange(width)
    for t in range(horizon + 1):
        if t:
            # An idle hour: (t-1, j-1) -> (t, j); only where strictly better, so a block ending at t wins a tie.
            cand, cand_blocks = cost[t - 1, :-1], blocks[t - 1, :-1]
            here, here_blocks = cost[t, 1:], blocks[t, 1:]
            better = (cand < here) | ((cand == here) & (cand_blocks < here_blocks))
            better &= cand < inf
            if better.any():
                cost[t, 1:] = np.where(better, cand, here)
                blocks[t, 1:] = np.where(better, cand_blocks, here_blocks)
                came_by[t, 1:][better] = 0
        live = np.flatnonzero(cost[t] < inf)
        if not len(live) or t == horizon:
            continue
        lo, hi = int(live[0]), int(live[-1]) + 1  # only the idle counts reached so far
        rows = np.flatnonzero((t + length_col[:, 0] <= horizon) & (span[:, t] < inf))
        if not len(rows):
            continue
        lengths_here = length_col[rows]  # (rows, 1)
        # worked hours after the block: t - j + L <= need
        ok = (cost[t, lo:hi] < inf)[None, :] & (t - idle[None, lo:hi] + lengths_here <= need)
        keep = ok.any(axis=1)
        if not keep.any():
            continue
        rows, lengths_here, ok = rows[keep], lengths_here[keep], ok[keep]
        targets = t + lengths_here[:, 0]
        cand = cost[t, lo:hi][None, :] + span[rows, t][:, None]
        cand_blocks = blocks[t, lo:hi][None, :] + 1
        here, here_blocks = cost[targets, lo:hi], blocks[targets, lo:hi]
        better = ok & ((cand < here) | ((cand == here) & (cand_blocks < here_blocks)))
        cost[targets, lo:hi] = np.where(better, cand, here)
        blocks[targets, lo:hi] = np.where(better, cand_blocks, here_blocks)
        came_by[targets, lo:hi] = np.where(better, lengths_here, came_by[targets, lo:hi])
        came_on[targets, lo:hi] = np.where(better, lane_of[rows, t][:, None], came_on[targets, lo:hi])

    ends = [(cost[t, t - need], t) for t in range(need, horizon + 1) if cost[t, t - need] < inf]
    if not ends:
        return None
    lowest = min(c for c, _ in ends)
    end = next(t for c, t in ends if c == lowest)
    found: list[Block] = []
    t, j = end, end - need
    while t > 0:
        length = int(came_by[t, j])
        if length == 0:
            t, j = t - 1, j - 1
            continue
        lane = int(came_on[t, j])
        found.append(Block(lane, lanes[lane].offer_id, t - length, t, table.block_cost(lane, t - length, t)))
        t -= length
    found.reverse()
    return Schedule(tuple(found), sum((b.cost for b in found), Decimal(0)))


def baseline(lanes: Sequence[Lane], job: Job, horizon: int) -> Schedule | None:
    """The cheapest single block of the job's hours starting at the first hour any lane can run it whole."""
    return _baseline(_table(lanes, horizon), lanes, job, horizon) if lanes else None


def _baseline(table: _Table, lanes: Sequence[Lane], job: Job, horizon: int) -> Schedule | None:
    if job.hours <= 0 or job.hours > horizon or not lanes:
        return None
    costs, which = table.cheapest(job.hours)
    for start, value in enumerate(costs):
        if value < table.inf:
            lane = int(which[start])
            block = Block(lane, lanes[lane].offer_id, start, start + job.hours,
                          table.block_cost(lane, start, start + job.hours))
            return Schedule((block,), block.cost)
    return None
