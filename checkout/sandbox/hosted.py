"""The sandbox's hosted payment page: a clearly marked test payment with Pay and Cancel."""

from decimal import Decimal

from flask import Blueprint, abort, current_app, redirect, render_template, request

from checkout.sandbox import store
from checkout.sandbox.delivery import deliver
from pricing.currency import UnknownCurrency, from_minor_units

bp = Blueprint("stripe_sandbox_hosted", __name__, url_prefix="/stripe-sandbox")


def _session(session_id: str) -> dict:
    for event in store.expire_due():  # a buyer back after 30 minutes finds the session expired
        deliver(event)
    try:
        return store.get_session(session_id).data
    except store.StripeError:
        abort(404)


def _major(units: int, currency: str) -> Decimal:
    """Stripe's minor units as the amount a person reads (150400 fen is ¥1,504.00)."""
    try:
        return from_minor_units(units, currency)
    except UnknownCurrency:  # a currency without a known exponent: shown as sent, never guessed
        return Decimal(int(units))


def _page(session: dict, status: int = 200):
    currency = (session.get("currency") or "").upper()
    items = [{"name": item["name"], "quantity": item["quantity"],
              "unit_amount": _major(item["unit_amount"], currency),
              "amount": _major(item["unit_amount"] * item["quantity"], currency)}
             for item in session.get("line_items_preview") or []]
    return render_template("checkout/sandbox_pay.html", session=session, items=items, currency=currency,
                           amount=_major(session["amount_total"], currency)), status


@bp.get("/pay/<session_id>")
def pay_page(session_id: str):
    return _page(_session(session_id))


@bp.post("/pay/<session_id>")
def pay(session_id: str):
    session = _session(session_id)
    if session["status"] != "open":
        return _page(session, 409)
    event = store.pay(session_id)
    if not current_app.config.get("STRIPE_SANDBOX_HOLD_WEBHOOKS"):
        deliver(event)
    return redirect(_own(session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)), code=303)


@bp.post("/cancel/<session_id>")
def cancel(session_id: str):
    session = _session(session_id)
    return redirect(_own(session.get("cancel_url")), code=303)


def _own(url: str | None) -> str:
    """The URL if it is on this site, else the home page: never a redirect to elsewhere, even
    for a session stored before create_session checked its URLs."""
    return url if store.is_own_url(url, request.host_url) else "/"
