"""Choose the payment service from config: Stripe with a key, else the app's own sandbox."""

from flask import current_app, has_request_context, request

from checkout.payments import PaymentService, StripePaymentService, build_client
from checkout.sandbox.transport import InProcessHTTPClient


def sandbox_mode() -> bool:
    return not current_app.config.get("STRIPE_SECRET_KEY")


def payment_service() -> PaymentService:
    app = current_app._get_current_object()
    factory = app.extensions.get("payment_service_factory")
    if factory is not None:  # tests may swap the service at this seam
        return factory()
    key, base = app.config.get("STRIPE_SECRET_KEY"), app.config.get("STRIPE_API_BASE")
    if key or base:
        return StripePaymentService(build_client(api_key=key, api_base=base))
    # No key, no base: the sandbox under this app, reached in-process at the host the buyer sees.
    host = request.host_url if has_request_context() else app.config.get("SANDBOX_PUBLIC_URL", "http://127.0.0.1:5000/")
    return StripePaymentService(build_client(api_key=None, api_base=host.rstrip("/") + "/stripe-sandbox",
                                             http_client=InProcessHTTPClient(app)))
