"""How much of a day's traffic falls in a provider's off-peak hours, from an hourly profile. No Flask.

Off-peak hours are "HH:MM-HH:MM" in Asia/Shanghai time and may wrap midnight ("22:00-06:00");
DeepSeek's are 00:30-08:30. A profile is 24 weights, one per local hour 0..23 (requests,
tokens or percentages: only their proportions count); traffic is taken as even within an hour,
so half of hour 0's weight falls in a window that opens at 00:30.
"""

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

HOURS = 24
DAY = 24 * 60
SHARE_PLACES = Decimal("0.0001")
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class ProfileError(ValueError):
    """An hourly profile or an off-peak window that cannot be read."""


def parse_window(text: str) -> tuple[int, int]:
    """(start, end) in minutes after local midnight; end <= start means the window wraps midnight.

    :raise ProfileError: not "HH:MM-HH:MM" with real times, or an empty window.
    """
    match = _WINDOW.match(text or "")
    if not match:
        raise ProfileError(f"not off-peak hours: {text!r} (HH:MM-HH:MM)")
    h1, m1, h2, m2 = map(int, match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise ProfileError(f"not a time of day in {text!r}")
    start, end = h1 * 60 + m1, (h2 * 60 + m2) % DAY
    if start == end:
        raise ProfileError(f"an off-peak window needs a start and a different end: {text!r}")
    return start, end


def parse_profile(text: str | Sequence) -> list[Decimal]:
    """24 non-negative weights from '1,1,…' (commas, spaces or 、) or a list; not all zero.

    :raise ProfileError: another count, a negative or non-number, or all zero.
    """
    parts = re.split(r"[\s,，、]+", text.strip()) if isinstance(text, str) else list(text)
    parts = [p for p in parts if p != ""]
    if len(parts) != HOURS:
        raise ProfileError(f"an hourly profile has {HOURS} numbers, one per hour from 0 to 23, not {len(parts)}")
    try:
        weights = [Decimal(str(p)) for p in parts]
    except InvalidOperation:
        raise ProfileError("every hour's weight must be a number") from None
    if any(not w.is_finite() or w < 0 or w > Decimal(10) ** 12 for w in weights):
        raise ProfileError("every hour's weight must be a number from 0 to 10¹²")
    if not any(weights):
        raise ProfileError("an hourly profile with no traffic at all")
    return weights


def _overlap(hour: int, start: int, end: int) -> int:
    """Minutes of local hour `hour` inside [start, end) (a window that does not wrap)."""
    lo, hi = hour * 60, hour * 60 + 60
    return max(0, min(hi, end) - max(lo, start))


def off_peak_share(profile: Sequence[Decimal], window: str) -> Decimal:
    """The share (0..1, four places) of the profile's traffic inside the off-peak window.

    :raise ProfileError: a window that cannot be read.
    """
    start, end = parse_window(window)
    spans = [(start, end)] if start < end else [(start, DAY), (0, end)]
    inside = sum(weight * sum(_overlap(hour, a, b) for a, b in spans) / 60 for hour, weight in enumerate(profile))
    return (inside / sum(profile)).quantize(SHARE_PLACES)
