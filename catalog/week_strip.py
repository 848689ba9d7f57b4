"""An offer's week at a glance: 7 days × 24 hours (Beijing time), each hour free, partly booked,
fully booked, outside the offer's availability, or past. No Flask.

The free instances come from catalog.bookings.timeline (the same counts the API and the buy page
show); whether an hour is inside the offer's availability from its §4.1 span and daily window.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from catalog.bookings import availability_of, timeline
from catalog.models import Offer
from pricing.capacity import HOUR, SHANGHAI

DAYS = 7


class State:
    FREE = "free"  # every instance free (or stock unknown: always bookable)
    PARTLY = "partly"  # some instances booked
    NONE = "none"  # inside the availability, nothing free
    OUTSIDE = "outside"  # outside the offer's span or daily hours
    PAST = "past"


@dataclass(frozen=True)
class Cell:
    hour: int  # local hour of the day, 0-23
    state: str
    free: int | None  # free instances (None: stock unknown)


@dataclass(frozen=True)
class Day:
    day: date  # local date
    cells: list[Cell]


def week_start(now: datetime) -> datetime:
    """Today's local midnight, in naive UTC."""
    local = now + SHANGHAI
    return datetime(local.year, local.month, local.day) - SHANGHAI


def week_strip(session: Session, offer: Offer, now: datetime) -> list[Day]:
    """The offer's next DAYS local days, from today's midnight; hours before `now`'s hour are past."""
    start = week_start(now)
    free: list[int | None] = []
    for run_start, run_end, count in timeline(session, offer, now=start, hours=DAYS * 24):
        free.extend([count] * int((run_end - run_start) / HOUR))
    return strip_of(offer.stock, free, availability_of(offer).allows, start, now)


def strip_of(stock: int | None, free: list[int | None], allows, start: datetime, now: datetime) -> list[Day]:
    """Days of cells from per-hour free counts starting at `start` (a local midnight in UTC)."""
    current = now.replace(minute=0, second=0, microsecond=0)
    days = []
    for d in range(len(free) // 24):
        cells = []
        for h in range(24):
            at = start + timedelta(days=d, hours=h)
            count = free[d * 24 + h]
            if at < current:
                state = State.PAST
            elif not allows(at):
                state = State.OUTSIDE
            elif count is None or (stock is not None and count >= stock):
                state = State.FREE
            elif count > 0:
                state = State.PARTLY
            else:
                state = State.NONE
            cells.append(Cell(hour=h, state=state, free=count))
        days.append(Day(day=(start + SHANGHAI + timedelta(days=d)).date(), cells=cells))
    return days
