"""Turn a cart into a pending order with a price snapshot, reserving stock; release it again.

Plain SQLAlchemy, no Flask: the caller passes the session and commits nothing here that
it does not own; `place_order` owns its transaction (order, lines and stock together).
"""

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.models import Offer
from checkout.models import Order, OrderLine, OrderStatus
from pricing.currency import BASE, FxTable
from pricing.line_total import PricedOffer, check_quantity, line_total, order_total, purchase_price


class OutOfStock(Exception):
    """An offer no longer has the units the cart asks for; nothing was reserved."""

    def __init__(self, offer_id: int, title: str):
        super().__init__(f"not enough stock for {title}")
        self.offer_id = offer_id
        self.title = title


class OfferUnavailable(Exception):
    """An offer in the cart is gone or no longer active."""


@dataclass(frozen=True)
class Wanted:
    offer_id: int
    quantity: int


def priced(offer: Offer) -> PricedOffer:
    return PricedOffer(kind=offer.kind, billing=offer.billing, unit_price=offer.unit_price,
                       list_amount=offer.list_amount, list_currency=offer.list_currency, list_unit=offer.list_unit,
                       gpu_count=offer.gpu_count, vcpus=offer.vcpus)


def place_order(session: Session, wanted: list[Wanted], *, email: str, user_id: int | None,
                checkout_token: str, fx: FxTable) -> Order:
    """Create a pending order from server-side prices and reserve stock, all in one commit.

    A second call with the same checkout_token (a double-submit) returns the first order.
    :raise OutOfStock: an offer's stock is below the quantity (nothing reserved).
    :raise OfferUnavailable: an offer is missing or inactive.
    :raise pricing.line_total.QuantityError: a quantity outside the offer's limits.
    """
    existing = session.scalar(select(Order).where(Order.checkout_token == checkout_token))
    if existing is not None:
        return existing
    if not wanted:
        raise OfferUnavailable("the cart is empty")
    order = Order(checkout_token=checkout_token, email=email, user_id=user_id, currency=BASE,
                  status=OrderStatus.PENDING)
    totals = []
    for item in wanted:
        offer = session.get(Offer, item.offer_id)
        if offer is None or offer.status != "active":
            raise OfferUnavailable(f"offer {item.offer_id} is not available")
        price = purchase_price(priced(offer), fx)
        check_quantity(item.quantity, price.unit, None)
        if offer.stock is not None and item.quantity > offer.stock:
            # Seen before reserving; the conditional UPDATE below is what guards a race.
            raise OutOfStock(offer.id, offer.title)
        total = line_total(price.amount, item.quantity)
        totals.append(total)
        order.lines.append(OrderLine(
            offer_id=offer.id, vendor_id=offer.vendor_id, vendor_name=offer.vendor.display_name, sku=offer.sku,
            title=offer.title, kind=offer.kind, billing=offer.billing, list_amount=offer.list_amount,
            list_currency=offer.list_currency, list_unit=offer.list_unit, normalized_price=offer.unit_price,
            purchase_unit=price.unit.value, unit_amount=price.amount, quantity=item.quantity, line_total=total,
            reserved=item.quantity if offer.stock is not None else 0))
    order.total = order_total(totals)
    session.add(order)
    try:
        session.flush()
        for line in order.lines:
            if line.reserved and not _take_stock(session, line.offer_id, line.reserved):
                raise OutOfStock(line.offer_id, line.title)
        session.commit()
    except OutOfStock:
        session.rollback()
        raise
    except IntegrityError:
        # The same checkout form, submitted twice at once: the other request made the order.
        session.rollback()
        existing = session.scalar(select(Order).where(Order.checkout_token == checkout_token))
        if existing is None:
            raise
        return existing
    return order


def _take_stock(session: Session, offer_id: int, quantity: int) -> bool:
    """Atomically take units; False when fewer are left (never below zero, whatever races)."""
    result = session.execute(update(Offer).where(Offer.id == offer_id, Offer.stock >= quantity)
                             .values(stock=Offer.stock - quantity).execution_options(synchronize_session=False))
    return result.rowcount == 1


def close_unpaid(session: Session, order_id: int, status: str) -> bool:
    """Move a pending order to expired/failed and give its stock back, once; the caller commits.

    A paid order is left alone (an `expired` event delivered after `completed` undoes nothing).
    """
    result = session.execute(update(Order).where(Order.id == order_id, Order.status == OrderStatus.PENDING)
                             .values(status=status).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    for line in session.scalars(select(OrderLine).where(OrderLine.order_id == order_id, OrderLine.reserved > 0)):
        session.execute(update(Offer).where(Offer.id == line.offer_id, Offer.stock.is_not(None))
                        .values(stock=Offer.stock + line.reserved).execution_options(synchronize_session=False))
    return True
