"""Token volumes as people write them: '5亿', '1.5M', '2,000万', '300K', '1B'. No Flask.

Chinese counts in 万 (10⁴) and 亿 (10⁸); English in K, M, B (10³, 10⁶, 10⁹). A volume is a
whole number of tokens: '1.5K' is 1,500, '0.5' is not a volume.
"""

import re
from decimal import Decimal, InvalidOperation

from pricing.text import fold

# Longest first, so '百万' is not read as '百' + '万' and '万亿' not as '万' then '亿'.
MULTIPLIERS = {
    "万亿": Decimal(10) ** 12, "十亿": Decimal(10) ** 9, "千万": Decimal(10) ** 7, "百万": Decimal(10) ** 6,
    "亿": Decimal(10) ** 8, "万": Decimal(10) ** 4, "千": Decimal(10) ** 3,
    "k": Decimal(10) ** 3, "m": Decimal(10) ** 6, "b": Decimal(10) ** 9, "t": Decimal(10) ** 12,
}
_VOLUME = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\s*(万亿|十亿|千万|百万|亿|万|千|k|m|b|t)?\s*(?:tokens?)?$")
MAX_DIGITS = 24  # far past any month's tokens
LARGEST = Decimal(10) ** 24  # and a count stays inside Decimal's 28-digit precision


class VolumeError(ValueError):
    """Text that is not a whole number of tokens."""


def parse_token_volume(text: str | int | Decimal) -> Decimal:
    """A whole number of tokens from '5亿', '1.5M', '2,000万', '300k tokens' or a plain number.

    :raise VolumeError: anything else, negative or fractional counts included.
    """
    if isinstance(text, int | Decimal) and not isinstance(text, bool):
        value = Decimal(text)
    else:
        cleaned = fold(str(text)).replace(",", "").replace("_", "").replace(" ", "")
        match = _VOLUME.match(cleaned)
        if not match or len(match.group(1)) > MAX_DIGITS:
            raise VolumeError(f"不是 token 数量：{text!r}（例：5亿、1.5M、2000万）/ "
                              f"not a token count: {text!r} (e.g. 5亿, 1.5M, 2000万)")
        try:
            value = Decimal(match.group(1)) * MULTIPLIERS.get(match.group(2) or "", Decimal(1))
        except InvalidOperation:
            raise VolumeError(f"不是 token 数量 / not a token count: {text!r}") from None
    if not value.is_finite() or value < 0 or value != value.to_integral_value():
        raise VolumeError(f"token 数量须为非负整数 / a token count is a whole number, not {text!r}")
    if value >= LARGEST:
        raise VolumeError(f"token 数量过大 / too many tokens: {text!r}")
    return value.quantize(Decimal(1))
