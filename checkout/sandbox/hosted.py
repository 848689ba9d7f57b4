"""The sandbox's hosted payment page: a clearly marked test payment with Pay and Cancel."""

from flask import Blueprint, abort, current_app, redirect, render_template, request

from checkout.sandbox import store
from checkout.sandbox.delivery import deliver

bp = Blueprint("stripe_sandbox_hosted", __name__, url_prefix="/stripe-sandbox")


def _session(session_id: str) -> dict:
    for event in store.expire_due():  # a buyer back after 30 minutes finds the session expired
        deliver(event)
    try:
        return store.get_session(session_id).data
    except store.StripeError:
        abort(404)


@bp.get("/pay/<session_id>")
def pay_page(session_id: str):
    return render_template("checkout/sandbox_pay.html", session=_session(session_id))


@bp.post("/pay/<session_id>")
def pay(session_id: str):
    session = _session(session_id)
    if session["status"] != "open":
        return render_template("checkout/sandbox_pay.html", session=session), 409
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
