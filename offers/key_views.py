"""The stall's API keys page: create (the key is shown once), list, revoke. Thin: parse, call, render.

Routes join the stall blueprint; keys are looked up within the logged-in member's vendor.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from accounts import issue_key, revoke_key, vendor_keys, vendor_required
from catalog.models import Vendor
from extensions import db
from offers.stall_views import CsrfOnlyForm, bp
from web.locale import gettext as _

MAX_LIVE_KEYS = 20


def _render(vendor: Vendor, *, secret: str | None = None, error: str | None = None, status: int = 200):
    keys = vendor_keys(db.session, vendor.id)
    return render_template("stall/keys.html", vendor=vendor, keys=keys, secret=secret, error=error,
                           form=CsrfOnlyForm()), status


@bp.route("/keys", methods=["GET", "POST"])
@vendor_required
def api_keys(vendor: Vendor):
    if request.method == "GET":
        return _render(vendor)
    if not CsrfOnlyForm().validate_on_submit():
        return _render(vendor, error=_("The form expired; please try again."), status=400)
    live = [k for k in vendor_keys(db.session, vendor.id) if k.revoked_at is None]
    if len(live) >= MAX_LIVE_KEYS:
        return _render(vendor, error=_("You have %(n)s live keys, the most allowed: revoke one first.",
                                       n=MAX_LIVE_KEYS), status=400)
    try:
        issued = issue_key(db.session, vendor, current_user.id, request.form.get("name", ""))
    except ValueError:
        return _render(vendor, error=_("Give the key a name of 1 to 100 characters."), status=400)
    db.session.commit()
    # Shown on this page only, never in a redirect or a flash message (both would keep it in a cookie or a URL).
    return _render(vendor, secret=issued.secret)


@bp.post("/keys/<int:key_id>/revoke")
@vendor_required
def revoke_api_key(vendor: Vendor, key_id: int):
    if not CsrfOnlyForm().validate_on_submit():
        abort(400, description=_("The form expired; please try again."))
    if not revoke_key(db.session, vendor.id, key_id):
        abort(404)
    db.session.commit()
    flash(_("Key revoked: requests with it are refused from now on."), "success")
    return redirect(url_for("stall.api_keys"))
