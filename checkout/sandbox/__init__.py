"""A small Stripe-compatible sandbox, served by the app itself when no Stripe key is set.

It implements only the calls the app makes (create, retrieve, list and expire Checkout
Sessions; list events) with Stripe's form-encoded parameters and JSON answers, a hosted
payment page marked as a test, and webhooks signed exactly like Stripe's.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from checkout.sandbox import api, hosted
    from extensions import csrf

    app.register_blueprint(api.bp)
    app.register_blueprint(hosted.bp)
    # The sandbox stands in for another site: stripe-python and the hosted page carry no CSRF token.
    csrf.exempt(api.bp)
    csrf.exempt(hosted.bp)
