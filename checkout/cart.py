"""The buyer's cart: a token in the Flask session while logged out, the user's cart once logged in."""

from flask import session
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.models import Offer
from checkout.models import Cart, CartLine
from extensions import db
from pricing.line_total import QuantityError, check_quantity, purchase_unit

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


def set_line(offer: Offer, quantity: int, *, add: bool) -> None:
    """:raise QuantityError: the new quantity is outside the offer's limits or stock."""
    cart = current_cart(create=True)
    line = next((li for li in cart.lines if li.offer_id == offer.id), None)
    new_quantity = quantity + (line.quantity if line is not None and add else 0)
    check_quantity(new_quantity, purchase_unit(offer.kind, offer.billing), offer.stock)
    if line is None:
        cart.lines.append(CartLine(offer_id=offer.id, quantity=new_quantity))
    else:
        line.quantity = new_quantity
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
    """flask_login's user_logged_in: the logged-out cart joins the user's cart."""
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
                mine.lines.append(CartLine(offer_id=line.offer_id, quantity=line.quantity))
            else:
                try:
                    offer = line.offer
                    total = existing.quantity + line.quantity
                    check_quantity(total, purchase_unit(offer.kind, offer.billing), offer.stock)
                    existing.quantity = total
                except QuantityError:
                    existing.quantity = max(existing.quantity, line.quantity)
        db.session.delete(guest)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
