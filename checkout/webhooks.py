"""POST /webhooks/stripe: verify the signature on the raw body, check its shape, record the event, dispatch."""

import stripe
from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from checkout.event_shape import MalformedEvent, parse_event
from checkout.fulfilment import HANDLERS
from checkout.models import StripeEvent
from checkout.webhook_secret import webhook_secret
from extensions import csrf, db

bp = Blueprint("checkout_webhooks", __name__)


@bp.post("/webhooks/stripe")
def stripe_webhook():
    payload = request.get_data()  # the raw bytes: a re-serialized body would not verify
    try:
        stripe.WebhookSignature.verify_header(payload, request.headers.get("Stripe-Signature"),
                                              webhook_secret(current_app), stripe.Webhook.DEFAULT_TOLERANCE)
        event = parse_event(payload)
    except stripe.SignatureVerificationError:
        return jsonify(error={"code": "bad_signature", "message": "signature verification failed"}), 400
    except MalformedEvent as exc:
        return jsonify(error={"code": "bad_payload", "message": f"payload is not a Stripe event: {exc}",
                              "param": exc.where}), 400
    except ValueError:  # a body that is not UTF-8 fails inside the signature check
        return jsonify(error={"code": "bad_payload", "message": "payload is not a Stripe event"}), 400
    event_id, event_type = event["id"], event["type"]
    if db.session.scalar(select(StripeEvent.id).where(StripeEvent.event_id == event_id)) is not None:
        return jsonify(received=True, duplicate=True)
    handler = HANDLERS.get(event_type)
    # Handlers are idempotent and commit their own work; the event is recorded after, so a
    # handler that fails leaves it unrecorded and Stripe's retry runs it again.
    result = handler(db.session, event["data"]["object"]) if handler else "ignored"
    try:
        db.session.add(StripeEvent(event_id=event_id, type=event_type))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same event, handled at the same moment by another delivery
    return jsonify(received=True, result=result)


def init_app(app) -> None:
    app.register_blueprint(bp)
    csrf.exempt(bp)
