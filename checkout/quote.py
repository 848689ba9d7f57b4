"""What a line would cost and hold, for the buy page and the cart: shape, arithmetic, span, free capacity.

No Flask: a Session in, a Quote of figures and Phrases out (templates say the Phrases).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from catalog.bookings import availability_of, free_hours, live_spans
from catalog.models import Offer, utcnow
from checkout.orders import Wanted, per_instance, priced, shape_of, span_of
from pricing.capacity import least_free, shortfall
from pricing.currency import FxTable
from pricing.display import Phrase
from pricing.line_shape import LineShape
from pricing.line_total import PurchaseUnit, QuantityError, exact_line_total, purchase_price
from pricing.line_words import (
    capacity_problem,
    line_arithmetic,
    line_label,
    quantity_problem,
    span_words,
    term_effect,
)


@dataclass
class Quote:
    offer: Offer
    unit: PurchaseUnit
    unit_amount: Decimal
    per_instance: Decimal | None
    shape: LineShape | None = None
    total: Decimal | None = None
    start: datetime | None = None
    end: datetime | None = None
    free: int | None = None  # fewest free instances over the span (None: stock unknown, or tokens)
    problem: Phrase | None = None
    label: Phrase | None = None
    arithmetic: Phrase | None = None
    span: Phrase | None = None
    effect: Phrase | None = None

    @property
    def stock_unknown(self) -> bool:
        return self.offer.stock is None and self.unit is not PurchaseUnit.M_TOKENS


def quote(session: Session, offer: Offer, wanted: Wanted, fx: FxTable, now: datetime | None = None) -> Quote:
    """:raise PricingError: the offer's price cannot be sold (the caller shows the offer as not for sale)."""
    now = now or utcnow()
    price = purchase_price(priced(offer), fx)
    q = Quote(offer, price.unit, price.amount, per_instance(offer))
    try:
        shape = shape_of(offer, wanted, fx)
        start, end = span_of(shape, wanted.start, now)
    except QuantityError as exc:
        q.problem = quantity_problem(exc.code, exc.numbers)
        return q
    q.shape, q.start, q.end = shape, start, end
    q.total = exact_line_total(priced(offer), shape.quantity, fx)
    q.label = line_label(shape.unit.value, shape.instances, shape.per_instance, shape.hours, shape.terms,
                         shape.quantity)
    q.arithmetic = line_arithmetic(shape.unit.value, shape.instances, shape.per_instance, shape.hours, shape.terms,
                                   shape.quantity, price.amount, q.total)
    q.effect = term_effect(shape.unit.value, shape.terms or 0)
    if start is not None:
        q.span = span_words(start, end)
        q.free = least_free(free_hours(session, offer, start, end))
        short = shortfall(offer.stock, live_spans(session, offer.id, start, end), start, end, shape.instances,
                          availability_of(offer))
        if short is not None:
            q.problem = capacity_problem(short.code, short.free, shape.per_instance, offer.kind, short.hour)
    return q


