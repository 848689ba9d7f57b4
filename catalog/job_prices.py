"""What a job of H hours costs on each offer of a page (pricing.duration_price over Offer rows). No Flask."""

from decimal import Decimal

from catalog.models import Offer
from pricing.currency import FxTable, UnknownCurrency
from pricing.duration_price import DurationPrice, duration_price
from pricing.line_total import PricedOffer, PricingError


def priced_offer(offer: Offer) -> PricedOffer:
    """The facts of an offer its purchase price depends on (as checkout.orders.priced)."""
    return PricedOffer(kind=offer.kind, billing=offer.billing, unit_price=offer.unit_price,
                       list_amount=offer.list_amount, list_currency=offer.list_currency, list_unit=offer.list_unit,
                       gpu_count=offer.gpu_count, vcpus=offer.vcpus, list_input_amount=offer.list_input_amount,
                       list_output_amount=offer.list_output_amount)


def per_instance(offer: Offer) -> Decimal | None:
    """Cards (gpu) or cores (cpu) in one listed instance; None for tokens."""
    return offer.gpu_count if offer.kind == "gpu" else offer.vcpus if offer.kind == "cpu" else None


def job_prices(offers: list[Offer], hours: int, fx: FxTable) -> dict[int, DurationPrice | None]:
    """Offer id -> the job of `hours` on its listed instance(s); None where it has no such price
    (tokens, a row without a card or core count, a currency with no rate)."""
    out: dict[int, DurationPrice | None] = {}
    for offer in offers:
        try:
            out[offer.id] = duration_price(priced_offer(offer), per_instance(offer), hours, fx)
        except (PricingError, UnknownCurrency):
            out[offer.id] = None
    return out
