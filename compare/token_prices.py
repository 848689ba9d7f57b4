"""The price components of one token offer, read in one place for the planner and its exports.

Spec §4.1's columns (cache_write_price, long_context_threshold, long_input_price,
long_output_price, batch_rate, off_peak_rate, off_peak_hours) are read with getattr: an Offer without them
(a catalog before the columns landed) prices those shares normally, and says so.
"""

from decimal import Decimal

from catalog.models import Offer
from pricing.token_cost import TokenPrices

OPTIONAL = ("cache_write_price", "long_context_threshold", "long_input_price", "long_output_price", "batch_rate",
            "off_peak_rate")


def _decimal(value) -> Decimal | None:
    return value if isinstance(value, Decimal) else (Decimal(value) if isinstance(value, int) else None)


def off_peak_window(offer: Offer) -> str | None:
    """The offer's off-peak hours ("HH:MM-HH:MM", Asia/Shanghai), None when it lists none."""
    hours = getattr(offer, "off_peak_hours", None)
    return hours if isinstance(hours, str) and hours.strip() else None


def token_prices(offer: Offer) -> TokenPrices | None:
    """CNY per 1M tokens and multipliers of `offer`; None when it has no input and output price."""
    if offer.input_price is None or offer.output_price is None:
        return None
    extra = {name: getattr(offer, name, None) for name in OPTIONAL}
    threshold = extra.pop("long_context_threshold")
    return TokenPrices(
        input_price=offer.input_price, output_price=offer.output_price, cached_input_price=offer.cached_input_price,
        long_context_threshold=int(threshold) if isinstance(threshold, int | Decimal) else None,
        **{name: _decimal(value) for name, value in extra.items()})
