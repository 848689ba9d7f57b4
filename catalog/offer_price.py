"""An offer's price facts as pricing.line_total reads them: what checkout and a voucher quote both price from."""

from decimal import Decimal

from catalog.models import Offer
from pricing.line_total import PricedOffer


def priced(offer: Offer) -> PricedOffer:
    return PricedOffer(kind=offer.kind, billing=offer.billing, unit_price=offer.unit_price,
                       list_amount=offer.list_amount, list_currency=offer.list_currency, list_unit=offer.list_unit,
                       gpu_count=offer.gpu_count, vcpus=offer.vcpus, list_input_amount=offer.list_input_amount,
                       list_output_amount=offer.list_output_amount)


def per_instance(offer: Offer) -> Decimal | None:
    """Cards (gpu) or cores (cpu) in one listed instance; None for tokens."""
    return offer.gpu_count if offer.kind == "gpu" else offer.vcpus if offer.kind == "cpu" else None
