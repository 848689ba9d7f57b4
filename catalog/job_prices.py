"""What a job of H hours costs on each offer of a page (pricing.duration_price over Offer rows). No Flask."""

from catalog.models import Offer
from catalog.offer_price import per_instance, priced
from pricing.currency import FxTable, UnknownCurrency
from pricing.duration_price import DurationPrice, duration_price
from pricing.line_total import PricingError


def job_prices(offers: list[Offer], hours: int, fx: FxTable) -> dict[int, DurationPrice | None]:
    """Offer id -> the job of `hours` on its listed instance(s); None where it has no such price
    (tokens, a row without a card or core count, a currency with no rate)."""
    out: dict[int, DurationPrice | None] = {}
    for offer in offers:
        try:
            out[offer.id] = duration_price(priced(offer), per_instance(offer), hours, fx)
        except (PricingError, UnknownCurrency):
            out[offer.id] = None
    return out
