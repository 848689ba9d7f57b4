"""An offer's week at a glance: 7 days × 24 hours (Beijing time), each hour free, partly booked,
fully booked, outside the offer's availability, or past. No Flask.

The free instances come from catalog.bookings.timeline (the same counts the API and the buy page
show); whether an hour is inside the offer's availability from its §4.1 span and daily window.
Not kept between requests: bookings change the free hours without a catalog change, so the
strip is computed (and its rows written, see rows_html) on every view of the page.
"""

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import NamedTuple

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from catalog.bookings import availability_of, live_spans
from catalog.models import Offer
from pricing.capacity import ALWAYS, HOUR, SHANGHAI, free_by_hour

DAYS = 7


class State:
    FREE = "free"  # every instance free (or stock unknown: always bookable)
    PARTLY = "partly"  # some instances booked
    NONE = "none"  # inside the availability, nothing free
    OUTSIDE = "outside"  # outside the offer's span or daily hours
    PAST = "past"


# Named tuples, not dataclasses: a page makes 168 cells, and a frozen dataclass costs ~4x to build.
class Cell(NamedTuple):
    hour: int  # local hour of the day, 0-23
    state: str
    free: int | None  # free instances (None: stock unknown)


class Day(NamedTuple):
    day: date  # local date
    cells: list[Cell]


def week_start(now: datetime) -> datetime:
    """Today's local midnight, in naive UTC."""
    local = now + SHANGHAI
    return datetime(local.year, local.month, local.day) - SHANGHAI


def week_strip(session: Session, offer: Offer, now: datetime) -> list[Day]:
    """The offer's next DAYS local days, from today's midnight; hours before `now`'s hour are past."""
    start = week_start(now)
    end = start + timedelta(hours=DAYS * 24)
    window = availability_of(offer)
    spans = live_spans(session, offer.id, start, end)
    if not spans and window == ALWAYS:  # most offers: nothing booked, no hours to check
        free: list[int | None] = [None if offer.stock is None else max(0, offer.stock)] * (DAYS * 24)
        return strip_of(offer.stock, free, None, start, now)
    return strip_of(offer.stock, free_by_hour(offer.stock, spans, start, end, window), window.allows, start, now)


def strip_of(stock: int | None, free: list[int | None], allows: Callable[[datetime], bool] | None,
             start: datetime, now: datetime) -> list[Day]:
    """Days of cells from per-hour free counts starting at `start` (a local midnight in UTC);
    `allows` None: every hour is inside the offer's availability."""
    current = now.replace(minute=0, second=0, microsecond=0)
    # Hour i is past when start + i hours < current, i.e. i < ceil((current - start) / 1 h).
    past = min(len(free), max(0, -((start - current) // HOUR)))
    days = []
    for d in range(len(free) // 24):
        cells = []
        for h in range(24):
            i = d * 24 + h
            count = free[i]
            if i < past:
                state = State.PAST
            elif allows is not None and not allows(start + i * HOUR):
                state = State.OUTSIDE
            elif count is None or (stock is not None and count >= stock):
                state = State.FREE
            elif count > 0:
                state = State.PARTLY
            else:
                state = State.NONE
            cells.append(Cell(h, state, count))
        days.append(Day((start + SHANGHAI + timedelta(days=d)).date(), cells))
    return days


def rows_html(days: list[Day], words: Mapping[str, str]) -> Markup:
    """The strip's rows (a row per day, a cell per hour with its state and words in its title).

    Written here rather than looped over in the template: 168 cells of Jinja were ~1.5 ms of
    the offer page, which cannot be kept (see the module's docstring). `words`: 'outside',
    'past', 'free' and 'n_free' (with '{n}' where the count goes), in the page's language.
    """
    said = {k: str(escape(v)) for k, v in words.items()}
    by_state = {State.OUTSIDE: said["outside"], State.PAST: said["past"]}
    out = []
    for d in days:
        day = d.day.strftime("%m-%d")
        out.append(f'<div class="week-row" role="row">\n      <span class="week-day" role="rowheader">{day}</span>\n      ')
        for hour, state, free in d.cells:
            word = by_state.get(state) or (said["free"] if free is None else said["n_free"].replace("{n}", str(free)))
            out.append(f'<span class="week-cell {state}" role="cell" data-state="{state}" '
                       f'title="{day} {hour:02d}:00 · {word}"></span>')
        out.append("\n    </div>\n")
    return Markup("".join(out))
