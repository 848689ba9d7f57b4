"""The stall's order webhooks page: set the URL (the signing secret is shown once), see each delivery, resend.

Routes on the checkout blueprint (order events are checkout's); pages wear the stall's tabs. A
delivery is found only among the current vendor's own: any other is a 404.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from accounts import vendor_required
from catalog.models import utcnow
from checkout import vendor_webhooks
from checkout.views import bp
from extensions import db
from web.locale import gettext as _

REFUSED = {
    "malformed": "Give a full URL starting with https:// (at most 500 characters).",
    "not_https": "The URL must start with https://.",
    "private_address": "The URL's host resolves to a private, loopback or link-local address; use a public one.",
    "unresolvable": "The URL's host name could not be resolved.",
}


def _render(vendor, *, secret: str | None = None, error: str | None = None, url: str | None = None,
            status: int = 200):
    hook = vendor_webhooks.webhook_of(db.session, vendor.id)
    rows = vendor_webhooks.vendor_deliveries(db.session, vendor.id)
    return render_template("checkout/vendor_webhooks.html", vendor=vendor, hook=hook, rows=rows, secret=secret,
                           error=error, url=url if url is not None else (hook.url if hook else "")), status


@bp.route("/stall/webhooks", methods=["GET", "POST"])
@vendor_required
def vendor_webhooks_page(vendor):
    if request.method == "GET":
        return _render(vendor)
    url = request.form.get("url", "")
    try:
        checked = vendor_webhooks.check_url(url, production=current_app.config["APP_ENV"] == "production")
    except vendor_webhooks.BadWebhookUrl as exc:
        return _render(vendor, error=_(REFUSED[exc.code]), url=url, status=400)
    secret = vendor_webhooks.set_webhook(db.session, vendor.id, checked)
    db.session.commit()
    # Shown on this page only, never in a redirect or a flash message (both would keep it in a cookie or a URL).
    return _render(vendor, secret=secret)


@bp.post("/stall/webhooks/<int:delivery_id>/resend")
@vendor_required
def resend_webhook(vendor, delivery_id: int):
    if not vendor_webhooks.resend(db.session, delivery_id, vendor.id, utcnow()):
        abort(404)
    db.session.commit()
    flash(_("Delivery #%(id)s will be sent again within a minute.", id=delivery_id), "success")
    return redirect(url_for("checkout.vendor_webhooks_page"))
