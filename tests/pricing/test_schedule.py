"""The scheduler finds the cheapest blocks exactly (spec §8): worked examples, and a brute-force oracle."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.schedule import Job, Lane, baseline, dominated, plan, solve

D = Decimal


def lane(offer_id, costs):
    return Lane(offer_id, [None if c is None else D(str(c)) for c in costs])


def spans(schedule):
    return [(b.offer_id, b.start, b.end, b.cost) for b in schedule.blocks]


def test_a_night_off_peak_window_beats_the_day_price():
    # Hour 0 is 08:00 local; 8 cards × ¥10/card-hour = ¥80 an hour, half price 22:00-06:00 (hours 14..21).
    day, night = D("80"), D("40")
    costs = [night if 14 <= h < 22 else day for h in range(24)]
    job = Job(hours=6, splittable=False)
    found = solve([Lane(1, costs)], job, 24)
    assert spans(found) == [(1, 14, 20, D("240"))]  # 6 × ¥40
    assert spans(baseline([Lane(1, costs)], job, 24)) == [(1, 0, 6, D("480"))]  # 6 × ¥80, at once


def test_a_west_hub_offer_beats_an_east_one():
    east = lane(7, [96] * 12)  # 8 × ¥12
    west = lane(9, ["76.00"] * 12)  # 8 × ¥9.50
    found = solve([east, west], Job(hours=10), 12)
    assert spans(found) == [(9, 0, 10, D("760"))]
    assert found.total == D("760")


def test_min_block_hours_forces_a_pricier_block():
    cheap = lane(1, [10, 10, 10, None, None, 10, 10, 10, None, None])  # two runs of 3 hours
    pricey = lane(2, [15] * 10)
    assert solve([cheap, pricey], Job(hours=4, min_block_hours=1), 10).total == D("40")  # 3 + 1 cheap hours
    assert solve([cheap, pricey], Job(hours=4, min_block_hours=1), 10).end == 6
    two = solve([cheap, pricey], Job(hours=4, min_block_hours=2), 10)
    assert (two.total, two.end) == (D("40"), 7)  # 2 + 2 cheap hours: the second run ends at 7
    four = solve([cheap, pricey], Job(hours=4, min_block_hours=4), 10)
    assert spans(four) == [(2, 0, 4, D("60"))]  # no cheap run is 4 hours long


def test_a_job_that_is_not_splittable_runs_as_one_block():
    cheap = lane(1, [10, 10, 10, None, None, None, 10, 10, 10, None])
    pricey = lane(2, [20] * 10)
    split = solve([cheap, pricey], Job(hours=5), 10)
    assert split.total == D("50") and len(split.blocks) == 2
    whole = solve([cheap, pricey], Job(hours=5, splittable=False), 10)
    assert spans(whole) == [(2, 0, 5, D("100"))]


def test_no_schedule_when_nothing_fits():
    short = lane(1, [10, 10, 10, None, None])
    assert solve([short], Job(hours=4, splittable=False), 5) is None
    assert solve([short], Job(hours=4, min_block_hours=2), 5) is None
    assert solve([short], Job(hours=6), 5) is None  # longer than the horizon
    assert baseline([short], Job(hours=4), 5) is None


def test_equal_totals_take_the_earliest_end():
    late = lane(1, [None, None, None, None, None, 10, 10, 10])
    early = lane(2, [10, 10, 10, None, None, None, None, None])
    assert spans(solve([late, early], Job(hours=3), 8)) == [(2, 0, 3, D("30"))]
    # One lane, every placement costs the same: the first three hours.
    assert spans(solve([lane(5, [10] * 8)], Job(hours=3, min_block_hours=1), 8)) == [(5, 0, 3, D("30"))]


def test_fractions_of_a_fen_are_kept_exact():
    a = lane(1, ["0.0000000001", "0.0000000002"])
    assert solve([a], Job(hours=2), 2).total == D("0.0000000003")


def test_huge_costs_are_summed_exactly_past_64_bits():
    big = D(10) ** 18
    found = solve([Lane(1, [big, big + 1, big])], Job(hours=3), 3)
    assert found.total == 3 * big + 1


def test_a_lane_usable_whenever_another_is_and_never_dearer_is_kept_alone():
    costs = [[10, 10, None], [11, 10, None], [9, None, None], [10, 10, 5]]
    lanes = [lane(i, c) for i, c in enumerate(costs)]
    assert dominated(lanes) == [0, 1]


# --- the oracle: every set of blocks, enumerated -------------------------------------------------

def brute(lanes, job, horizon):
    """(total, end, blocks) of the best schedule by the spec's order, by listing every valid schedule."""
    shortest = max(1, job.min_block_hours)
    lengths = range(shortest, job.hours + 1) if job.splittable else [job.hours] if job.hours >= shortest else []
    best = None

    def walk(t, done, cost, count, end):
        nonlocal best
        if done == job.hours:
            key = (cost, end, count)
            best = key if best is None or key < best else best
            return
        if t >= horizon:
            return
        walk(t + 1, done, cost, count, end)
        for one in lanes:
            for length in lengths:
                if t + length > horizon or done + length > job.hours:
                    break
                hours = one.costs[t:t + length]
                if any(c is None for c in hours):
                    break
                walk(t + length, done + length, cost + sum(hours), count + 1, t + length)

    walk(0, 0, D(0), 0, 0)
    return best


costs_st = st.one_of(st.none(), st.sampled_from([D("1"), D("2"), D("2.5"), D("3")]))


@st.composite
def instances(draw):
    horizon = draw(st.integers(1, 10))
    lanes = [Lane(i + 1, draw(st.lists(costs_st, min_size=horizon, max_size=horizon)))
             for i in range(draw(st.integers(1, 3)))]
    job = Job(hours=draw(st.integers(1, min(horizon, 6))), min_block_hours=draw(st.integers(1, 3)),
              splittable=draw(st.booleans()))
    return lanes, job, horizon


@settings(max_examples=400, deadline=None)
@given(instances())
def test_the_solver_matches_a_brute_force_oracle(case):
    lanes, job, horizon = case
    found = solve(lanes, job, horizon)
    expected = brute(lanes, job, horizon)
    if expected is None:
        assert found is None
        return
    assert (found.total, found.end, len(found.blocks)) == expected
    # and the schedule itself is valid
    assert sum(b.hours for b in found.blocks) == job.hours
    assert all(b.hours >= job.min_block_hours for b in found.blocks)
    assert job.splittable or len(found.blocks) == 1
    assert all(a.end <= b.start for a, b in zip(found.blocks, found.blocks[1:], strict=False))
    for b in found.blocks:
        hours = lanes[b.lane].costs[b.start:b.end]
        assert None not in hours and b.cost == sum(hours) and b.offer_id == lanes[b.lane].offer_id
    assert found.total == sum(b.cost for b in found.blocks)
    # pruning dominated lanes changes nothing that matters
    gone = set(dominated(lanes))
    pruned = solve([one for i, one in enumerate(lanes) if i not in gone], job, horizon)
    assert (pruned.total, pruned.end, len(pruned.blocks)) == expected
    # and plan(), which prunes and solves in one go, gives the same schedule and baseline
    best, first = plan(lanes, job, horizon)
    assert (best.total, best.end, len(best.blocks)) == expected
    assert all(lanes[b.lane].offer_id == b.offer_id for b in best.blocks)
    alone = baseline(lanes, job, horizon)
    assert (first.total, first.blocks[0].start) == (alone.total, alone.blocks[0].start) if alone else first is None


@settings(max_examples=200, deadline=None)
@given(instances())
def test_the_baseline_is_the_cheapest_whole_block_at_the_first_hour_one_fits(case):
    lanes, job, horizon = case
    found = baseline(lanes, job, horizon)
    options = [(sum(one.costs[t:t + job.hours]), t) for t in range(horizon - job.hours + 1) for one in lanes
               if None not in one.costs[t:t + job.hours]]
    if not options:
        assert found is None
        return
    first = min(t for _, t in options)
    assert found.blocks[0].start == first
    assert found.total == min(c for c, t in options if t == first)
    assert solve(lanes, Job(hours=job.hours, splittable=False), horizon).total <= found.total
