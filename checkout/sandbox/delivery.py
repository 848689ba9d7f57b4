"""Send an event to the app's webhook endpoint as Stripe would: a signed JSON POST.

By default the POST goes through the app's own WSGI stack in-process (no socket, no
deadlock on a single-threaded server); with STRIPE_SANDBOX_WEBHOOK_URL set it is a real
HTTP request to that URL (another server, or `flask run` on another port).
"""

import json
import urllib.error
import urllib.request

from flask import current_app, url_for

from checkout.sandbox.models import SandboxEvent
from checkout.sandbox.signer import signature_header
from checkout.webhook_secret import webhook_secret


def payload_of(event: SandboxEvent) -> str:
    return json.dumps(event.data, indent=2)


def deliver(event: SandboxEvent, *, times: int = 1, timestamp: int | None = None) -> list[int]:
    """POST the event `times` times (Stripe may deliver more than once); returns the statuses."""
    app = current_app._get_current_object()
    payload = payload_of(event)
    statuses = []
    for _ in range(times):
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Stripe/1.0 (sandbox)",
                   "Stripe-Signature": signature_header(payload, webhook_secret(app), timestamp)}
        url = app.config.get("STRIPE_SANDBOX_WEBHOOK_URL")
        if url:
            statuses.append(_post(url, payload, headers))
        else:
            with app.test_request_context():
                path = url_for("checkout_webhooks.stripe_webhook")
            statuses.append(app.test_client().post(path, data=payload.encode(), headers=headers).status_code)
    return statuses


def _post(url: str, payload: str, headers: dict) -> int:
    request = urllib.request.Request(url, data=payload.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
