"""POST /webhooks/stripe: verify the signature on the raw body, record the event, dispatch."""

import stripe
from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from checkout.fulfilment import HANDLERS
from checkout.models import StripeEvent
from checkout.webhook_secret import webhook_secret
from extensions import csrf, db

bp = Blueprint("checkout_webhooks", __name__)


@bp.post("/webhooks/stripe")
def stripe_webhook():
    payload = request.get_data()  # the raw bytes: a re-serialized body would not verify
    try:
        event = stripe.Webhook.construct_event(payload, request.headers.get("Stripe-Signature"),
                                               webhook_secret(current_app))
    except stripe.SignatureVerificationError:
        return jsonify(error={"code": "bad_signature", "message": "signature verification failed"}), 400
    except ValueError:
        return jsonify(error={"code": "bad_payload", "message": "payload is not a Stripe event"}), 400
    event_id, event_type = event["id"], event["type"]
    if db.session.scalar(select(StripeEvent.id).where(StripeEvent.event_id == event_id)) is not None:
        return jsonify(received=True, duplicate=True)
    handler = HANDLERS.get(event_type)
    # Handlers are idempotent and commit their own work; the event is recorded after, so a
    # handler that fails leaves it unrecorded and Stripe's retry runs it again.
    result = handler(db.session, event["data"]["object"].to_dict()) if handler else "ignored"
    try:
        db.session.add(StripeEvent(event_id=event_id, type=event_type))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same event, handled at the same moment by another delivery
    return jsonify(received=True, result=result)


def init_app(app) -> None:
    app.register_blueprint(bp)
    csrf.exempt(bp)
