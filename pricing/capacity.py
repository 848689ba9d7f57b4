"""Capacity over time: free instances of an offer per whole hour. Pure: no Flask, no database.

An offer's free instances at an hour = its stock − the instances of the live bookings that
overlap that hour; stock None is unknown and always bookable (free None). Times are naive
UTC datetimes on the hour; a booking covers [start, end). Daily windows are Asia/Shanghai
(UTC+8, no daylight saving), as the spec writes them (§4.1).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

HOUR = timedelta(hours=1)
SHANGHAI = timedelta(hours=8)
DAY_MINUTES = 24 * 60
HORIZON_HOURS = 168  # what the API and the buy page show: the next 7 days


@dataclass(frozen=True)
class Span:
    """Instances held over [start, end)."""

    start: datetime
    end: datetime
    instances: int


@dataclass(frozen=True)
class Availability:
    """When an offer can be used at all (spec §4.1); every part None = always."""

    starts: datetime | None = None  # UTC
    ends: datetime | None = None  # UTC
    daily: tuple[int, int] | None = None  # minutes after local midnight, [from, to), may wrap

    def allows(self, hour: datetime) -> bool:
        """Whether the whole hour [hour, hour + 1 h) lies inside the availability."""
        if self.starts is not None and hour < self.starts:
            return False
        if self.ends is not None and hour + HOUR > self.ends:
            return False
        if self.daily is None:
            return True
        local = hour + SHANGHAI
        begin, end = self.daily
        minute = local.hour * 60 + local.minute
        if begin == end:
            return True
        if begin < end:
            return begin <= minute and minute + 60 <= end
        return (minute >= begin and minute + 60 <= DAY_MINUTES + end) or minute + 60 <= end


ALWAYS = Availability()


def parse_daily(text: str | None) -> tuple[int, int] | None:
    """'22:00-08:00' -> (1320, 480); None or '' -> None. :raise ValueError: another shape."""
    if not text:
        return None
    begin, _, end = text.partition("-")

    def minutes(part: str) -> int:
        hh, _, mm = part.strip().partition(":")
        value = int(hh) * 60 + int(mm or 0)
        if not 0 <= value <= DAY_MINUTES:
            raise ValueError(f"not a time of day: {part!r}")
        return value

    return minutes(begin), minutes(end) % DAY_MINUTES


def whole_hour_at_or_after(moment: datetime) -> datetime:
    """Spec §8: a start that is not on the hour moves up to the next hour."""
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + HOUR


def hours_between(start: datetime, end: datetime) -> list[datetime]:
    count = int((end - start) / HOUR)
    return [start + i * HOUR for i in range(count)]


def free_by_hour(stock: int | None, bookings: Iterable[Span], start: datetime, end: datetime,
                 window: Availability = ALWAYS) -> list[int | None]:
    """Free instances at each hour of [start, end): 0 outside the window, None where stock is unknown."""
    hours = hours_between(start, end)
    held = [0] * len(hours)
    for span in bookings:
        first = max(0, int((span.start - start) / HOUR))
        last = min(len(hours), -int(-(span.end - start) / HOUR))  # ceil
        for i in range(first, last):
            held[i] += span.instances
    return [0 if not window.allows(h) else None if stock is None else max(0, stock - taken)
            for h, taken in zip(hours, held, strict=True)]


@dataclass(frozen=True)
class Shortfall:
    """Why a booking does not fit: the first hour that refuses it and what is free there."""

    code: str  # "outside_window" | "capacity"
    hour: datetime
    free: int


def shortfall(stock: int | None, bookings: Iterable[Span], start: datetime, end: datetime, instances: int,
              window: Availability = ALWAYS) -> Shortfall | None:
    """None when `instances` fit at every hour of [start, end); else the first hour that refuses them."""
    hours = hours_between(start, end)
    frees = free_by_hour(stock, bookings, start, end, ALWAYS)
    for hour, free in zip(hours, frees, strict=True):
        if not window.allows(hour):
            return Shortfall("outside_window", hour, 0)
        if free is not None and free < instances:
            return Shortfall("capacity", hour, free)
    return None


def least_free(frees: Sequence[int | None]) -> int | None:
    """The fewest free instances over some hours (None when stock is unknown everywhere)."""
    known = [f for f in frees if f is not None]
    return min(known) if known else None


def run_lengths(start: datetime, frees: Sequence[int | None]) -> list[tuple[datetime, datetime, int | None]]:
    """Consecutive hours with the same free count as (from, to, free)."""
    runs: list[tuple[datetime, datetime, int | None]] = []
    for i, free in enumerate(frees):
        hour = start + i * HOUR
        if runs and runs[-1][2] == free and runs[-1][1] == hour:
            runs[-1] = (runs[-1][0], hour + HOUR, free)
        else:
            runs.append((hour, hour + HOUR, free))
    return runs


def free_runs(stock: int | None, bookings: Sequence[Span], start: datetime, end: datetime,
              window: Availability = ALWAYS) -> list[tuple[datetime, datetime, int | None]]:
    """run_lengths(free_by_hour(...)), without walking the hours when nothing varies over them.

    Most offers have no bookings and no window: their whole horizon is one run. The API lists up
    to 100 offers a page with 168 hours each, so this is most of what a page's availability costs.
    """
    if not bookings and window == ALWAYS and end > start:
        return [(start, end, None if stock is None else max(0, stock))]
    return run_lengths(start, free_by_hour(stock, bookings, start, end, window))
