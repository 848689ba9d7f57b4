"""The sandbox's Stripe REST endpoints, under /stripe-sandbox/v1/ (form-encoded in, JSON out)."""

import hmac

from flask import Blueprint, current_app, jsonify, request, url_for

from checkout.sandbox import store
from checkout.sandbox.delivery import deliver
from checkout.sandbox.form_decode import FormError, decode
from checkout.sandbox.models import SandboxEvent, SandboxSession

bp = Blueprint("stripe_sandbox_api", __name__, url_prefix="/stripe-sandbox/v1")


@bp.before_request
def authenticate():
    # Only the app (its own client, or a process given STRIPE_SANDBOX_API_KEY) may call: the
    # lists name every buyer's email and order token.
    expected = f"Bearer {current_app.config['STRIPE_SANDBOX_API_KEY']}"
    if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected.encode()):
        return jsonify(store.StripeError("Invalid API Key provided (the sandbox takes only its own key, "
                                         "STRIPE_SANDBOX_API_KEY).", status=401).body()), 401
    # Stripe expires sessions on its own clock; the sandbox catches up whenever it is called.
    for event in store.expire_due():
        deliver(event)
    return None


@bp.errorhandler(store.StripeError)
def stripe_error(exc: store.StripeError):
    return jsonify(exc.body()), exc.status


def _params() -> dict:
    pairs = list(request.form.items(multi=True)) if request.method == "POST" else list(request.args.items(multi=True))
    try:
        return decode(pairs)
    except FormError as exc:
        raise store.StripeError(str(exc), param=exc.param) from None


def _list_args(params: dict) -> dict:
    created = params.get("created")
    gte, where = (created.get("gte"), "created[gte]") if isinstance(created, dict) else (created, "created")
    limit = max(1, min(100, store.int_param(params.get("limit", 10), "limit")))
    starting_after = params.get("starting_after")
    if starting_after is not None and not isinstance(starting_after, str):
        raise store.StripeError("Invalid string: starting_after must be an object id", param="starting_after")
    return {"limit": limit, "starting_after": starting_after,
            "created_gte": store.int_param(gte, where, high=store.MAX_TIMESTAMP) if gte is not None else None}


@bp.post("/checkout/sessions")
def create_session():
    hosted = url_for("stripe_sandbox_hosted.pay_page", session_id="x", _external=True).rsplit("/pay/", 1)[0]
    return jsonify(store.create_session(_params(), idempotency_key=request.headers.get("Idempotency-Key"),
                                        hosted_base=hosted, origin=request.host_url))


@bp.get("/checkout/sessions/<session_id>")
def retrieve_session(session_id: str):
    return jsonify(store.get_session(session_id).data)


@bp.post("/checkout/sessions/<session_id>/expire")
def expire_session(session_id: str):
    obj, event = store.expire(session_id)
    deliver(event)
    return jsonify(obj)


@bp.get("/checkout/sessions")
def list_sessions():
    return jsonify(store.list_objects(SandboxSession, **_list_args(_params())))


@bp.get("/events")
def list_events():
    params = _params()
    types = params.get("types") or ([params["type"]] if params.get("type") else None)
    if types is not None and not (isinstance(types, list) and all(isinstance(t, str) for t in types)):
        raise store.StripeError("Invalid array: types must be a list of event types",
                                param="types" if "types" in params else "type")
    return jsonify(store.list_objects(SandboxEvent, types=types, **_list_args(params)))
