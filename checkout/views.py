"""Cart, checkout, success/cancel, order pages and the vendor's orders: parse, call, render."""

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, user_logged_in
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalog.context import load_fx
from catalog.models import Offer, utcnow
from checkout import cart as carts
from checkout.delivery import reveal_notes
from checkout.fulfilment import fulfil
from checkout.gateway import payment_service, sandbox_mode
from checkout.line_problems import line_problem
from checkout.models import Order, OrderLine, OrderStatus
from checkout.orders import OfferUnavailable, OutOfStock, Wanted, place_order, priced
from checkout.payments import LATEST_SESSION_START_SECONDS
from checkout.price_change import changed_lines, seen_lines, total_of
from checkout.quotes import keep_quote, seen_quote
from checkout.schemas import CartLineSchema, CheckoutSchema, OfferIdSchema
from extensions import db
from pricing.line_total import PricingError, QuantityError, line_total, order_total, purchase_price
from web.converters import MAX_ID
from web.locale import gettext as _

bp = Blueprint("checkout", __name__)
MY_ORDERS = "my_orders"  # order tokens of a logged-out buyer, newest last
# Checkout tokens this browser's cart pages were given, newest last. A checkout token finds
# its order again (a double-submit pays one order), so it must only work in the session it
# was made for: another buyer's token would open their order and empty the submitter's cart.
ISSUED_TOKENS = "checkout_tokens"
KEPT_TOKENS = 20  # cart pages open in other tabs keep working


def _quote_lines(cart) -> tuple[list[dict], object]:
    fx = load_fx(db.session)
    rows = []
    for line in cart.lines if cart else []:
        try:
            price = purchase_price(priced(line.offer), fx)
        except PricingError:
            continue
        rows.append({"line": line, "offer": line.offer, "unit": price.unit.value, "unit_amount": price.amount,
                     "total": line_total(price.amount, line.quantity)})
    return rows, order_total([r["total"] for r in rows])


def _line_problems(cart) -> list[dict]:
    """The cart's lines that cannot be bought as they stand, each with its offer and LineProblem."""
    found = []
    for line in cart.lines if cart else []:
        offer = line.offer
        problem = line_problem(offer_id=offer.id, title=offer.title, status=offer.status, stock=offer.stock,
                               takes=line.quantity)
        if problem is not None:
            found.append({"line": line, "offer": offer, "problem": problem})
    return found


def _issue_token(rows: list[dict]) -> str:
    """A checkout token for the page about to show `rows`, with what it shows kept server-side."""
    token = secrets.token_urlsafe(24)
    session[ISSUED_TOKENS] = [*session.get(ISSUED_TOKENS, [])[-(KEPT_TOKENS - 1):], token]
    if rows:
        keep_quote(db.session, token, seen_lines(rows))
    return token


def _cart_page(cart, *, email: str, status: int = 200, **shown):
    rows, total = _quote_lines(cart)
    problems = _line_problems(cart)
    return render_template("checkout/cart.html", rows=rows, total=total, email=email, problems=problems,
                           problem_lines={p["line"].id for p in problems}, checkout_token=_issue_token(rows),
                           sandbox=sandbox_mode(), **shown), status


@bp.get("/cart")
def view_cart():
    return _cart_page(carts.current_cart(), email=current_user.email if current_user.is_authenticated else "")


@bp.get("/cart/add/<int:offer_id>")
def buy_box(offer_id: int):
    offer = db.session.get(Offer, offer_id) or abort(404)
    price = purchase_price(priced(offer), load_fx(db.session))
    return render_template("checkout/buy.html", offer=offer, unit=price.unit.value, unit_amount=price.amount)


def _bad_offer_id():
    """:raise 400: the form's offer_id is not one an offer can have (nothing was changed)."""
    abort(400, description=_("The offer_id field must be a whole number from 1 to %(max)s.", max=MAX_ID))


def _line_input():
    try:
        data = CartLineSchema().load(request.form.to_dict())
    except ValidationError as exc:
        if "offer_id" in exc.messages:
            _bad_offer_id()
        flash(_("Enter a whole quantity of at least 1."), "error")
        return None, None
    offer = db.session.get(Offer, data["offer_id"])
    if offer is None or offer.status != "active":
        abort(404)
    return offer, data["quantity"]


@bp.post("/cart/add")
def add_to_cart():
    offer, quantity = _line_input()
    if offer is None:
        return redirect(request.referrer or url_for("checkout.view_cart"))
    try:
        carts.set_line(offer, quantity, add=True)
    except QuantityError as exc:
        flash(_("Quantity not accepted: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for("checkout.buy_box", offer_id=offer.id))
    flash(_("Added to your cart."), "success")
    return redirect(url_for("checkout.view_cart"))


@bp.post("/cart/update")
def update_cart():
    offer, quantity = _line_input()
    if offer is not None:
        try:
            carts.set_line(offer, quantity, add=False)
        except QuantityError as exc:
            flash(_("Quantity not accepted: %(reason)s", reason=str(exc)), "error")
    return redirect(url_for("checkout.view_cart"))


@bp.post("/cart/remove")
def remove_from_cart():
    try:
        offer_id = OfferIdSchema().load(request.form.to_dict())["offer_id"]
    except ValidationError:
        _bad_offer_id()
    carts.remove_line(offer_id)
    return redirect(url_for("checkout.view_cart"))


@bp.post("/checkout")
def checkout():
    try:
        data = CheckoutSchema().load({k: request.form.get(k, "") for k in ("email", "checkout_token")})
    except ValidationError:
        flash(_("Enter a valid email address for your receipt."), "error")
        return redirect(url_for("checkout.view_cart"))
    if data["checkout_token"] not in session.get(ISSUED_TOKENS, []):
        flash(_("This checkout form was not opened in this browser, or is too old: please check your cart "
                "and try again."), "error")
        return redirect(url_for("checkout.view_cart"))
    token = data["checkout_token"]
    placed = db.session.scalar(select(Order).where(Order.checkout_token == token))
    if placed is not None:  # a double-submit: the first submit placed the order and emptied the cart
        return _to_payment(placed)
    cart = carts.current_cart()
    _hold_prices(cart)
    if _line_problems(cart):
        flash(_("Checkout stopped before payment: some lines cannot be bought as they stand (see below)."), "error")
        return redirect(url_for("checkout.view_cart"))
    rows, _total = _quote_lines(cart)
    seen = seen_quote(db.session, token) or []
    changes = changed_lines(seen, seen_lines(rows))
    if changes and rows:
        # Nothing is placed and no payment page is made: the buyer sees old → new and may go on at the new price.
        return _cart_page(cart, email=data["email"], status=409, price_changes=changes, old_total=total_of(seen))
    wanted = [Wanted(line.offer_id, line.quantity) for line in (cart.lines if cart else [])]
    try:
        order = place_order(db.session, wanted, email=data["email"], checkout_token=data["checkout_token"],
                            user_id=current_user.id if current_user.is_authenticated else None,
                            fx=load_fx(db.session))
    except OutOfStock as exc:
        flash(_("Not enough stock left for %(title)s.", title=exc.title), "error")
        return redirect(url_for("checkout.view_cart"))
    except (OfferUnavailable, QuantityError, PricingError):
        flash(_("Your cart changed: please check it and try again."), "error")
        return redirect(url_for("checkout.view_cart"))
    _remember(order)
    carts.empty()
    return _to_payment(order)


def _hold_prices(cart) -> None:
    """Lock the cart's offers, fresh from the database, until the order is placed (its commit ends
    the lock): a price or stock change waits, so what is compared is what place_order charges.

    PostgreSQL row locks, taken in id order so two checkouts never wait on each other in a circle;
    SQLite has one writer and ignores FOR UPDATE.
    """
    ids = sorted({line.offer_id for line in cart.lines}) if cart else []
    if ids:
        db.session.scalars(select(Offer).where(Offer.id.in_(ids)).order_by(Offer.id).with_for_update()
                           .execution_options(populate_existing=True)).all()


def _remember(order: Order) -> None:
    if not current_user.is_authenticated:
        tokens = [t for t in session.get(MY_ORDERS, []) if t != order.token][-49:]
        session[MY_ORDERS] = [*tokens, order.token]


def _to_payment(order: Order):
    service = payment_service()
    if order.stripe_session_id:
        # A session exists (double-submit, or "pay now" again): send the buyer back to it.
        try:
            existing = service.retrieve_session(order.stripe_session_id)
        except Exception:
            current_app.logger.exception("retrieving Checkout Session %s failed", order.stripe_session_id)
            flash(_("The payment page could not be opened. Please try again."), "error")
            return redirect(url_for("checkout.order_page", token=order.token))
        if existing.get("status") == "open":
            return redirect(existing["url"], code=303)
        return redirect(url_for("checkout.order_page", token=order.token))
    if (utcnow() - order.created_at).total_seconds() > LATEST_SESSION_START_SECONDS:
        flash(_("This order is too old to pay; please check out again."), "error")
        return redirect(url_for("checkout.order_page", token=order.token))
    success = url_for("checkout.success", _external=True) + "?session_id={CHECKOUT_SESSION_ID}"
    cancel = url_for("checkout.cancelled", token=order.token, _external=True)
    try:
        created = service.create_checkout_session(order, success_url=success, cancel_url=cancel)
    except Exception:  # the payment provider is down or refused: the order waits, the buyer may retry
        current_app.logger.exception("creating a Checkout Session for order %s failed", order.id)
        flash(_("The payment page could not be opened. Please try again."), "error")
        return redirect(url_for("checkout.order_page", token=order.token))
    if order.stripe_session_id != created["id"]:
        order.stripe_session_id = created["id"]
        db.session.commit()
    if created.get("status") != "open":
        return redirect(url_for("checkout.order_page", token=order.token))
    return redirect(created["url"], code=303)


@bp.get("/checkout/success")
def success():
    session_id = request.args.get("session_id", "")
    order = db.session.scalar(select(Order).where(Order.stripe_session_id == session_id)) if session_id else None
    if order is None:
        abort(404)
    if order.status == OrderStatus.PENDING:
        # The webhook may not have come yet: ask Stripe, and fulfil here if it is paid.
        try:
            fulfil(db.session, payment_service().retrieve_session(session_id))
        except Exception:
            current_app.logger.exception("checking Checkout Session %s failed", session_id)
        db.session.refresh(order)
    return redirect(url_for("checkout.order_page", token=order.token))


@bp.get("/checkout/cancelled/<token>")
def cancelled(token: str):
    flash(_("Payment cancelled. Your order is kept for 30 minutes; you can pay it from this page."), "info")
    return redirect(url_for("checkout.order_page", token=token))


@bp.post("/orders/<token>/pay")
def pay_order(token: str):
    order = db.session.scalar(select(Order).where(Order.token == token)) or abort(404)
    if order.status != OrderStatus.PENDING:
        return redirect(url_for("checkout.order_page", token=token))
    return _to_payment(order)


@bp.get("/orders/<token>")
def order_page(token: str):
    order = db.session.scalar(select(Order).where(Order.token == token)) or abort(404)
    # The buyer's page is the only reader of access notes: each shows in full on its first view.
    notes = reveal_notes(db.session, order, utcnow()) if order.status == OrderStatus.PAID else []
    response = make_response(render_template("checkout/order.html", order=order, notes=notes))
    if notes:
        response.headers["Cache-Control"] = "no-store"  # nor may a cache show them again
    return response


@bp.get("/orders")
def order_history():
    if current_user.is_authenticated:
        query = select(Order).where(Order.user_id == current_user.id)
    else:
        query = select(Order).where(Order.token.in_(session.get(MY_ORDERS, [])))
    orders = db.session.scalars(query.options(selectinload(Order.lines))
                                .order_by(Order.created_at.desc(), Order.id.desc()).limit(200)).all()
    return render_template("checkout/orders.html", orders=orders)


@bp.get("/vendor/orders")
@login_required
def vendor_orders():
    vendor_ids = [v.id for v in current_user.vendors]
    lines = db.session.scalars(
        select(OrderLine).join(Order).where(OrderLine.vendor_id.in_(vendor_ids))
        .order_by(Order.created_at.desc(), OrderLine.id.desc()).limit(500)).all() if vendor_ids else []
    return render_template("checkout/vendor_orders.html", lines=lines)


def init_app(app) -> None:
    from checkout import delivery_views  # noqa: F401 - adds the stall's delivery routes to bp
    from web.nav import add_nav

    app.register_blueprint(bp)
    add_nav(app, 80, "checkout.view_cart", "Cart")
    add_nav(app, 81, "checkout.order_history", "Orders")
    user_logged_in.connect(carts.attach_at_login, app)
