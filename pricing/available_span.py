"""Whether an offer can be used for at least one whole hour of a wanted span (search's "available
between" filter). Pure: no Flask, no database.

An offer's availability is pricing.capacity.Availability (spec §4.1: its span and its daily window
in Asia/Shanghai). It matches a wanted span [start, end) when some whole clock hour h (on the hour,
UTC) has start <= h, h + 1 h <= end and the availability allows h. A side left open is unbounded.
Booked capacity is not looked at: this says when the offer is offered, not what is still free.
"""

from datetime import datetime, timedelta

from pricing.capacity import ALWAYS, HOUR, Availability

# An open side is unbounded; two days of hours hold every hour of a daily window.
_ENOUGH = timedelta(hours=48)


def _ceil_hour(moment: datetime) -> datetime:
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + HOUR


def covers_an_hour(window: Availability, start: datetime | None, end: datetime | None) -> bool:
    """Whether `window` allows a whole hour inside [start, end) (naive UTC; None = unbounded)."""
    lows = [t for t in (start, window.starts) if t is not None]
    highs = [t for t in (end, window.ends) if t is not None]
    low, high = (max(lows) if lows else None), (min(highs) if highs else None)
    if low is None and high is None:
        low = datetime(2000, 1, 1)  # any day: a daily window repeats
    if low is None:
        low = high - _ENOUGH
    hour = _ceil_hour(low)
    last = hour + _ENOUGH if high is None else min(high, hour + _ENOUGH + HOUR)
    while hour + HOUR <= last:
        if window.allows(hour):
            return True
        hour += HOUR
    return False


def always_covers(start: datetime | None, end: datetime | None) -> bool:
    """What covers_an_hour says of an offer with no availability limits (always offered)."""
    return covers_an_hour(ALWAYS, start, end)
