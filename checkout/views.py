"""Cart, checkout, success/cancel, order pages and the vendor's orders: parse, call, render."""

import secrets
from decimal import Decimal

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

from catalog.bookings import next_start
from catalog.context import load_fx
from catalog.models import Offer, utcnow
from checkout import cart as carts
from checkout.delivery import reveal_notes
from checkout.fulfilment import fulfil
from checkout.gateway import payment_service, sandbox_mode
from checkout.models import Order, OrderLine, OrderStatus
from checkout.orders import OfferUnavailable, OutOfStock, Wanted, per_instance, place_order, priced, shape_of, span_of
from checkout.payments import LATEST_SESSION_START_SECONDS
from checkout.payments import words as line_words
from checkout.price_change import SeenShare, changed_lines, seen_lines, total_of
from checkout.quote import quote
from checkout.quotes import keep_quote, seen_quote
from checkout.schemas import CartLineSchema, CheckoutSchema, LocalStart, OfferIdSchema, filled, prefill
from checkout.voucher_order import VoucherChoice
from checkout.voucher_quote import UnknownProgram, cart_voucher, voucher_company
from extensions import db
from pricing.display import cny
from pricing.line_total import (
    PricingError,
    QuantityError,
    average_unit_price,
    exact_line_total,
    order_total,
    purchase_price,
)
from pricing.line_words import capacity_problem, line_label, quantity_problem, span_words
from vouchers import NotEntitled, ShareChanged, program_by_code
from web.converters import MAX_ID
from web.locale import gettext as _
from web.locale import language

bp = Blueprint("checkout", __name__)
MY_ORDERS = "my_orders"  # order tokens of a logged-out buyer, newest last
# Checkout tokens this browser's cart pages were given, newest last. A checkout token finds
# its order again (a double-submit pays one order), so it must only work in the session it
# was made for: another buyer's token would open their order and empty the submitter's cart.
ISSUED_TOKENS = "checkout_tokens"
KEPT_TOKENS = 20  # cart pages open in other tabs keep working


def _quote_lines(cart) -> tuple[list[dict], object]:
    """Contract C2: (rows, total), each row with line, offer, unit, unit_amount and its exact total."""
    fx = load_fx(db.session)
    now = utcnow()
    rows = []
    for line in cart.lines if cart else []:
        try:
            price = purchase_price(priced(line.offer), fx)
            total = exact_line_total(priced(line.offer), line.quantity, fx)
        except PricingError:
            continue
        start = end = None
        hours = line.hours if line.hours else None
        if line.instances is not None:
            try:
                start, end = span_of(shape_of(line.offer, carts.wanted_of(line), fx), line.starts_at, now)
            except QuantityError:
                start = end = None
        rows.append({"line": line, "offer": line.offer, "unit": price.unit.value, "unit_amount": price.amount,
                     "total": total, "start": start, "end": end,
                     "label": line_label(price.unit.value, line.instances, per_instance(line.offer), hours,
                                         line.terms, line.quantity),
                     "span": span_words(start, end) if start is not None else None})
    return rows, order_total([r["total"] for r in rows])


def _issue_token(rows: list[dict], voucher=None) -> str:
    """A checkout token for the page about to show `rows` (and the split of the programme its form
    posts, if any), with what it shows kept server-side."""
    token = secrets.token_urlsafe(24)
    session[ISSUED_TOKENS] = [*session.get(ISSUED_TOKENS, [])[-(KEPT_TOKENS - 1):], token]
    if rows:
        share = None
        if voucher is not None and voucher.usable and voucher.split is not None:
            share = SeenShare(voucher.program.code, voucher.split.government, voucher.split.company)
        keep_quote(db.session, token, seen_lines(rows), share)
    return token


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _voucher_panel(rows: list[dict], code: str):
    """The cart's programme chooser and what the chosen one gives, line by line.

    :raise 400: `program` is not the code of a programme in force.
    """
    try:
        return cart_voucher(db.session, code, _user_id(), [(r["offer"], r["total"]) for r in rows])
    except UnknownProgram:
        abort(400, description=_("The program field must be the code of a voucher programme in force."))


def _cart_page(cart, *, email: str, status: int = 200, program: str = "", **shown):
    rows, total = _quote_lines(cart)
    problems = carts.unbuyable_lines(cart, load_fx(db.session), utcnow())
    voucher = _voucher_panel(rows, program)
    if voucher.split is not None:
        for row, share in zip(rows, voucher.split.lines, strict=True):
            row["share"] = share
    return render_template("checkout/cart.html", rows=rows, total=total, email=email, problems=problems,
                           problem_lines={p["line"].id for p in problems}, checkout_token=_issue_token(rows, voucher),
                           sandbox=sandbox_mode(), lang=language(), voucher=voucher, **shown), status


@bp.get("/cart")
def view_cart():
    return _cart_page(carts.current_cart(), email=current_user.email if current_user.is_authenticated else "",
                      program=request.args.get("program", "").strip())


DEFAULT_CHOICES = {"instances": 1, "hours": 1, "terms": 1, "packs": 1}


def _wanted_from(offer_id: int, choices: dict) -> Wanted:
    return Wanted(offer_id, instances=choices.get("instances"), hours=choices.get("hours"),
                  terms=choices.get("terms"), packs=choices.get("packs"), start=choices.get("start"))


def _no_store(response):
    # Free capacity is a fact the buyer pays by: the page cache never keeps this answer.
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/cart/add/<int:offer_id>")
def buy_box(offer_id: int):
    """Contract C1: the buy page; instances/hours/terms/packs/start in the query prefill the form."""
    offer = db.session.get(Offer, offer_id) or abort(404)
    choices = {**DEFAULT_CHOICES, **prefill(request.args.to_dict())}
    try:
        q = quote(db.session, offer, _wanted_from(offer.id, choices), load_fx(db.session))
    except PricingError:
        abort(404)
    start_value = LocalStart()._serialize(choices.get("start"), None, None)
    return _no_store(render_template("checkout/buy.html", offer=offer, q=q, unit=q.unit.value,
                                     unit_amount=q.unit_amount, choices=choices, start_value=start_value,
                                     earliest=LocalStart()._serialize(next_start(), None, None), lang=language()))


@bp.get("/cart/quote/<int:offer_id>")
def quote_box(offer_id: int):
    """The buy page's figures for other choices (its script asks as the buyer types): an HTML fragment."""
    offer = db.session.get(Offer, offer_id) or abort(404)
    choices = prefill(request.args.to_dict())
    try:
        q = quote(db.session, offer, _wanted_from(offer.id, choices), load_fx(db.session))
    except PricingError:
        abort(404)
    return _no_store(render_template("checkout/_quote.html", offer=offer, q=q, lang=language()))


def _bad_offer_id():
    """:raise 400: the form's offer_id is not one an offer can have (nothing was changed)."""
    abort(400, description=_("The offer_id field must be a whole number from 1 to %(max)s.", max=MAX_ID))


def _line_input():
    """The posted line (C1's fields) and its offer, or (None, None) after flashing what is wrong."""
    form = filled(request.form.to_dict())
    try:
        data = CartLineSchema().load(form)
    except ValidationError as exc:
        if "offer_id" in exc.messages:
            _bad_offer_id()
        if "start" in exc.messages:
            flash(_("The start must be a date and time (Beijing time)."), "error")
        else:
            flash(_("Enter whole numbers of at least 1."), "error")
        return None, None
    offer = db.session.get(Offer, data["offer_id"])
    if offer is None or offer.status != "active":
        abort(404)
    return offer, _wanted_from(offer.id, data)


def _refused(exc, offer) -> str:
    if isinstance(exc, OutOfStock):
        return capacity_problem(exc.code, exc.free, exc.per_instance, offer.kind, exc.hour).text(language())
    return quantity_problem(exc.code, exc.numbers).text(language())


def _back_to_buy_box(offer, wanted: Wanted):
    args = {k: v for k, v in (("instances", wanted.instances), ("hours", wanted.hours), ("terms", wanted.terms),
                               ("packs", wanted.packs)) if v is not None}
    if wanted.start is not None:
        args["start"] = LocalStart()._serialize(wanted.start, None, None)
    return redirect(url_for("checkout.buy_box", offer_id=offer.id, **args))


@bp.post("/cart/add")
def add_to_cart():
    """Contract C1: the buy page's form."""
    offer, wanted = _line_input()
    if offer is None:
        return redirect(request.referrer or url_for("checkout.view_cart"))
    try:
        carts.set_line(offer, wanted)
    except (QuantityError, OutOfStock) as exc:
        flash(_refused(exc, offer), "error")
        return _back_to_buy_box(offer, wanted)
    except PricingError:
        abort(404)
    flash(_("Added to your cart."), "success")
    return redirect(url_for("checkout.view_cart"))


@bp.post("/cart/update")
def update_cart():
    offer, wanted = _line_input()
    if offer is not None:
        try:
            carts.set_line(offer, wanted)
        except (QuantityError, OutOfStock) as exc:
            flash(_refused(exc, offer), "error")
        except PricingError:
            abort(404)
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
    if carts.unbuyable_lines(cart, load_fx(db.session), utcnow()):
        flash(_("Checkout stopped before payment: some lines cannot be bought as they stand (see below)."), "error")
        return redirect(url_for("checkout.view_cart"))
    rows, _total = _quote_lines(cart)
    quote_seen = seen_quote(db.session, token)
    seen = quote_seen.lines if quote_seen is not None else []
    changes = changed_lines(seen, seen_lines(rows))
    if changes and rows:
        # Nothing is placed and no payment page is made: the buyer sees old → new and may go on at the new price.
        return _cart_page(cart, email=data["email"], status=409, price_changes=changes, old_total=total_of(seen),
                          program=request.form.get("program", "").strip())
    wanted = [carts.wanted_of(line) for line in (cart.lines if cart else [])]
    try:
        order = place_order(db.session, wanted, email=data["email"], checkout_token=data["checkout_token"],
                            user_id=_user_id(), fx=load_fx(db.session),
                            voucher=_voucher_choice(quote_seen.share if quote_seen is not None else None))
    except OutOfStock as exc:
        offer = db.session.get(Offer, exc.offer_id)
        flash(_("%(title)s: %(reason)s", title=exc.title, reason=_refused(exc, offer)), "error")
        return redirect(url_for("checkout.view_cart"))
    except QuantityError as exc:
        flash(_refused(exc, None), "error")
        return redirect(url_for("checkout.view_cart"))
    except (OfferUnavailable, PricingError):
        flash(_("Your cart changed: please check it and try again."), "error")
        return redirect(url_for("checkout.view_cart"))
    except NotEntitled:
        flash(_("Your company cannot use this voucher programme now: nothing was ordered. Check the programme "
                "and your company's application, or check out without a programme."), "error")
        return redirect(url_for("checkout.view_cart"))
    except ShareChanged as exc:
        # Like a price change: nothing placed, the cart page again with old → new and a fresh token
        # that keeps the new split, so the next submit goes through at it.
        return _cart_page(cart, email=data["email"], status=409, share_change=exc,
                          program=request.form.get("program", "").strip())
    _remember(order)
    carts.empty()
    return _to_payment(order)


def _voucher_choice(seen: SeenShare | None = None) -> VoucherChoice | None:
    """The programme posted with the checkout form and the buyer's company; None for no programme.
    `seen`: the split the form's cart page showed, checked under the lock when it was for this programme.

    :raise 400: `program` names no programme.
    """
    code = request.form.get("program", "").strip()
    if not code:
        return None
    program = program_by_code(db.session, code)
    if program is None:
        abort(400, description=_("The program field must be the code of a voucher programme in force."))
    company_id = voucher_company(db.session, _user_id())
    if company_id is None:
        raise NotEntitled("no_company")
    if seen is None or seen.program != program.code:
        return VoucherChoice(program.id, company_id)
    return VoucherChoice(program.id, company_id, seen.company, seen.government)


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
        created = service.create_checkout_session(order, success_url=success, cancel_url=cancel,
                                                  lang=language())
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


def _average(line) -> Decimal | None:
    """The average price per unit of a line that paid less than its unit price (a compute-bank booking's
    off-peak hours), None when it shows as the unit price: a ¥12 unit price beside a subtotal at ¥6
    a card-hour must say why."""
    average = average_unit_price(line.line_total, line.quantity)
    return average if average < line.unit_amount and cny(average) != cny(line.unit_amount) else None


def _shapes(lines) -> dict[int, dict]:
    """Each order line as bought, in the page language: '8 卡 × 72 小时' and its start–end."""
    lang = language()
    return {line.id: {"label": line_words(line, lang),
                      "span": span_words(line.starts_at, line.ends_at).text(lang) if line.starts_at else "",
                      "average": _average(line)}
            for line in lines}


@bp.get("/orders/<token>")
def order_page(token: str):
    order = db.session.scalar(select(Order).where(Order.token == token)) or abort(404)
    # The buyer's page is the only reader of access notes: each shows in full on its first view.
    notes = reveal_notes(db.session, order, utcnow()) if order.status == OrderStatus.PAID else []
    response = make_response(render_template("checkout/order.html", order=order, notes=notes,
                                             shapes=_shapes(order.lines)))
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
    return render_template("checkout/vendor_orders.html", lines=lines, shapes=_shapes(lines))


def init_app(app) -> None:
    from checkout import (
        delivery_views,  # noqa: F401 - adds the stall's delivery routes to bp
        invoice_views,  # noqa: F401 - adds the stall's write-off (invoice) form to bp
        webhook_views,  # noqa: F401 - adds the stall's order webhooks page to bp
    )
    from web.nav import add_nav

    app.register_blueprint(bp)
    add_nav(app, 80, "checkout.view_cart", "Cart")
    add_nav(app, 81, "checkout.order_history", "Orders")
    user_logged_in.connect(carts.attach_at_login, app)
