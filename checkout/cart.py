"""The buyer's cart: a token in the Flask session while logged out, the user's cart once logged in."""

from flask import session
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.bookings import availability_of, live_spans
from catalog.context import load_fx
from catalog.models import Offer
from checkout.line_problems import line_problem
from checkout.models import Cart, CartLine
from checkout.orders import OutOfStock, Wanted, shape_of, span_of
from extensions import db
from pricing.capacity import free_by_hour, least_free, shortfall
from pricing.line_total import PricingError, QuantityError

SESSION_KEY = "cart_token"


def current_cart(create: bool = False) -> Cart | None:
    if current_user.is_authenticated:
        cart = db.session.scalar(select(Cart).where(Cart.user_id == current_user.id))
        if cart is None and create:
            cart = Cart(user_id=current_user.id)
            db.session.add(cart)
            db.session.flush()
        return cart
    token = session.get(SESSION_KEY)
    cart = db.session.scalar(select(Cart).where(Cart.token == token, Cart.user_id.is_(None))) if token else None
    if cart is None and create:
        cart = Cart()
        db.session.add(cart)
        db.session.flush()
        session[SESSION_KEY] = cart.token
    return cart


def wanted_of(line: CartLine) -> Wanted:
    """The cart line as checkout orders it."""
    return Wanted(line.offer_id, instances=line.instances, hours=line.hours, terms=line.terms,
                  packs=line.quantity if line.instances is None else None, start=line.starts_at)


def check_line(offer: Offer, wanted: Wanted):
    """The line's shape, if it fits the offer now (the hold at checkout is what guards a race).

    :raise QuantityError: outside the offer's limits, a bad start.
    :raise OutOfStock: fewer free instances than asked at some hour of the range.
    """
    shape = shape_of(offer, wanted, load_fx(db.session))
    start, end = span_of(shape, wanted.start)
    if start is not None:
        spans = live_spans(db.session, offer.id, start, end)
        short = shortfall(offer.stock, spans, start, end, shape.instances, availability_of(offer))
        if short is not None:
            raise OutOfStock(offer.id, offer.title, short.code, short.free, shape.per_instance, short.hour)
    return shape


def set_line(offer: Offer, wanted: Wanted) -> None:
    """Put the offer in the cart with these choices (an offer already there takes the new ones).

    :raise QuantityError, OutOfStock: see check_line; the cart is unchanged.
    """
    shape = check_line(offer, wanted)
    cart = current_cart(create=True)
    line = next((li for li in cart.lines if li.offer_id == offer.id), None)
    if line is None:
        line = CartLine(offer_id=offer.id)
        cart.lines.append(line)
    line.quantity, line.instances, line.hours, line.terms = shape.quantity, shape.instances, shape.hours, shape.terms
    line.starts_at = wanted.start if shape.instances is not None else None
    db.session.commit()


def remove_line(offer_id: int) -> None:
    cart = current_cart()
    if cart is not None:
        for line in list(cart.lines):
            if line.offer_id == offer_id:
                cart.lines.remove(line)
        db.session.commit()


def empty() -> None:
    cart = current_cart()
    if cart is not None:
        cart.lines.clear()
        db.session.commit()


def attach_at_login(sender, user, **extra) -> None:
    """flask_login's user_logged_in: the logged-out cart joins the user's cart (its lines win: newer)."""
    token = session.pop(SESSION_KEY, None)
    if not token:
        return
    guest = db.session.scalar(select(Cart).where(Cart.token == token, Cart.user_id.is_(None)))
    if guest is None:
        return
    mine = db.session.scalar(select(Cart).where(Cart.user_id == user.id))
    if mine is None:
        guest.user_id = user.id
    else:
        for line in list(guest.lines):
            existing = next((li for li in mine.lines if li.offer_id == line.offer_id), None)
            if existing is None:
                existing = CartLine(offer_id=line.offer_id)
                mine.lines.append(existing)
            existing.quantity, existing.instances, existing.hours = line.quantity, line.instances, line.hours
            existing.terms, existing.starts_at = line.terms, line.starts_at
        db.session.delete(guest)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def free_for(line: CartLine, fx, now) -> int | None:
    """The fewest free instances of the line's offer over the line's hours (None: stock unknown).

    A line holds nothing until checkout: another order may have booked its hours meanwhile.
    A token line, or one whose start has passed, is judged by the offer's stock alone.
    """
    offer = line.offer
    if line.instances is None or offer.stock is None:
        return offer.stock
    try:
        start, end = span_of(shape_of(offer, wanted_of(line), fx), line.starts_at, now)
    except (QuantityError, PricingError):
        return offer.stock
    if start is None:
        return offer.stock
    # The daily window is the buy page's concern: here only what others booked counts.
    return least_free(free_by_hour(offer.stock, live_spans(db.session, offer.id, start, end), start, end))


def unbuyable_lines(cart: Cart | None, fx, now) -> list[dict]:
    """The cart's lines that cannot be bought as they stand, each with its offer and LineProblem."""
    found = []
    for line in cart.lines if cart else []:
        offer = line.offer
        problem = line_problem(offer_id=offer.id, title=offer.title, status=offer.status,
                               stock=free_for(line, fx, now), takes=line.instances or 0)
        if problem is not None:
            found.append({"line": line, "offer": offer, "problem": problem})
    return found
