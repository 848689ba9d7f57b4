"""Choose the payment service from config: Stripe with a key, else (demo mode) the app's own sandbox."""

from flask import current_app, has_request_context, request

from checkout.payments import PaymentService, StripePaymentService, build_client
from checkout.sandbox.transport import InProcessHTTPClient


def sandbox_mode() -> bool:
    return bool(current_app.config.get("DEMO_MODE"))


def payment_service() -> PaymentService:
    app = current_app._get_current_object()
    factory = app.extensions.get("payment_service_factory")
    if factory is not None:  # tests may swap the service at this seam
        return factory()
    key, base = app.config.get("STRIPE_SECRET_KEY"), app.config.get("STRIPE_API_BASE")
    sandbox_key = app.config.get("STRIPE_SANDBOX_API_KEY")
    if key or base:  # Stripe, or (a base without a key) a sandbox served by another process
        return StripePaymentService(build_client(api_key=key or sandbox_key, api_base=base))
    # No key, no base: the sandbox under this app, reached in-process at the host the buyer sees.
    host = request.host_url if has_request_context() else app.config.get("SANDBOX_PUBLIC_URL", "http://127.0.0.1:5000/")
    return StripePaymentService(build_client(api_key=sandbox_key, api_base=host.rstrip("/") + "/stripe-sandbox",
                                             http_client=InProcessHTTPClient(app)))
