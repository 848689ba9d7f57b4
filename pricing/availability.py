"""When an offer can be used and when its off-peak price applies (spec section 4.1). No Flask.

Vendors write local times in Asia/Shanghai; the catalog stores naive UTC (SQLite drops time
zones), so a span is converted here once, on the way in, and back for display.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
RATE_PLACES = Decimal("0.0001")


class AvailabilityError(ValueError):
    """A span, window or rate that cannot be read; the message is Chinese / English."""


@dataclass(frozen=True)
class Window:
    """A daily window in minutes after local midnight; `end` <= `start` wraps past midnight."""

    start: int
    end: int

    @property
    def wraps(self) -> bool:
        return self.end <= self.start

    def text(self, dash: str = "-") -> str:
        return f"{_clock(self.start)}{dash}{_clock(self.end)}"

    def contains(self, minute: int) -> bool:
        """Whether a local minute of the day (0-1439) falls inside."""
        if self.wraps:
            return minute >= self.start or minute < self.end
        return self.start <= minute < self.end


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


_DASHES = re.compile(r"\s*(?:-|–|—|~|～|至|到)\s*")
_CLOCK = re.compile(r"^(\d{1,2})(?::|：)(\d{2})$")


def _minutes(text: str, end: bool) -> int:
    found = _CLOCK.match(text.strip())
    if not found:
        raise AvailabilityError(f"时间应写作 HH:MM：{text!r} / a time is written HH:MM: {text!r}")
    hours, minutes = int(found[1]), int(found[2])
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not end)):
        raise AvailabilityError(f"没有这个时刻：{text!r} / no such time of day: {text!r}")
    return hours * 60 + minutes


def parse_window(text: str) -> Window:
    """'00:30-08:30', '22:00-08:00' (wraps midnight), '9:00～18:00'; 24:00 only as an end.

    :raise AvailabilityError: not two times, or a window of no length.
    """
    parts = _DASHES.split(str(text).strip())
    if len(parts) != 2:
        raise AvailabilityError(f"时段应写作 HH:MM-HH:MM：{text!r} / a window is written HH:MM-HH:MM: {text!r}")
    start, end = _minutes(parts[0], end=False), _minutes(parts[1], end=True)
    if start == end % (24 * 60) and end != 24 * 60:
        raise AvailabilityError(f"时段的开始与结束相同：{text!r} / the window starts where it ends: {text!r}")
    if end == 24 * 60 and start != 0:
        end = 0  # '22:00-24:00' is '22:00-00:00': it ends at midnight
    return Window(start, end)


def window_text(stored: str | None, dash: str = "–") -> str:
    """A stored window for people: '00:30–08:30'."""
    return "" if not stored else parse_window(stored).text(dash)


_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def parse_local_time(text: str, *, end_of_day: bool = False) -> datetime:
    """An ISO date or date-time as naive UTC; Asia/Shanghai when it names no offset.

    A date alone is that day's 00:00, or with `end_of_day` its 24:00 (the next day's 00:00).
    :raise AvailabilityError: not a date.
    """
    raw = str(text).strip().replace("/", "-")
    if _DATE.match(raw):
        year, month, day_ = (int(p) for p in raw.split("-"))
        try:
            day = date(year, month, day_)
        except ValueError:
            raise AvailabilityError(f"没有这一天：{text!r} / no such date: {text!r}") from None
        local = datetime.combine(day, time(0), SHANGHAI) + (timedelta(days=1) if end_of_day else timedelta(0))
        return local.astimezone(UTC).replace(tzinfo=None)
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise AvailabilityError(
            f"不是日期或日期时间（如 2026-12-01 或 2026-12-01T08:00）：{text!r} / "
            f"not a date or date-time (e.g. 2026-12-01 or 2026-12-01T08:00): {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)


def local(moment: datetime | None) -> datetime | None:
    """A stored naive-UTC time in Asia/Shanghai (aware)."""
    return None if moment is None else moment.replace(tzinfo=UTC).astimezone(SHANGHAI)


def local_text(moment: datetime | None) -> str:
    """'2026-12-01 08:00' in Asia/Shanghai, as the form shows and reads it back."""
    shown = local(moment)
    return "" if shown is None else shown.strftime("%Y-%m-%d %H:%M")


_CN_DIGITS = {"〇": "0", "零": "0", "一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5", "六": "6",
              "七": "7", "八": "8", "九": "9"}


def parse_rate(text) -> Decimal:
    """A multiplier: '0.5', '50%', '5折', '7.5折', '五折', '七五折' (0.75). Above 0, at most 1.

    :raise AvailabilityError: not a rate, or out of range.
    """
    raw = str(text).strip().replace("％", "%").replace(" ", "")
    try:
        if raw.endswith("折"):
            digits = raw[:-1]
            if digits and all(c in _CN_DIGITS for c in digits):
                # 五折 = 0.5, 七五折 = 0.75: each Chinese digit is one decimal place.
                value = Decimal("0." + "".join(_CN_DIGITS[c] for c in digits))
            else:
                value = Decimal(digits) / 10
        elif raw.endswith("%"):
            value = Decimal(raw[:-1]) / 100
        else:
            value = Decimal(raw)
    except (InvalidOperation, ValueError):
        raise AvailabilityError(
            f"不是折扣：{text!r}（写 0.5、50% 或 5折） / not a rate: {text!r} (write 0.5, 50% or 5折)") from None
    if not value.is_finite() or value <= 0 or value > 1:
        raise AvailabilityError(
            f"折扣须大于 0 且不超过 1（0.5 = 五折）：{text!r} / a rate is above 0 and at most 1 (0.5 = half price): {text!r}")
    if value != value.quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN):
        raise AvailabilityError(f"折扣最多 4 位小数：{text!r} / a rate has at most 4 decimal places: {text!r}")
    return value.quantize(RATE_PLACES)


def discounted(price: Decimal | None, rate: Decimal | None) -> Decimal | None:
    """A price times a rate, at the normalized scale; None when either is absent."""
    if price is None or rate is None:
        return None
    return (price * rate).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
