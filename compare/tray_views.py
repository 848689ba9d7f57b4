"""The compare tray's forms (add, remove, clear) and the header part that shows it on every page.

Each form posts and, without JavaScript, comes back to the page it was on (`next`) with a flash;
static/js/shell.js posts the same forms asking for JSON and swaps the header part in place.

Cross-site request forgery is refused by the request's Origin (or, without one, its Referer),
which must be this site, instead of a session token in the form: a token would give every
page with an "Add to compare" button (browse, offers, markets) a session cookie, and pages
that set a cookie drop out of the anonymous page cache (web/response_cache.py).
"""

from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, jsonify, redirect, render_template, request, session, url_for
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from catalog.offer_query import offers_by_id
from compare import tray
from compare.side_by_side import MAX_OFFERS
from extensions import csrf, db
from web.locale import gettext as _
from web.nav import add_header_part
from web.validation import field_messages

bp = Blueprint("compare_tray", __name__)
SESSION_KEY = "compare_tray"


class TrayFormSchema(Schema):
    """What every tray form posts: the offers it is about and where to go back to."""

    class Meta:
        unknown = EXCLUDE

    ids = fields.List(fields.Integer(strict=False, validate=validate.Range(min=1, max=2**62)),
                      load_default=list)
    next = fields.String(load_default="")


@bp.before_request
def same_site_only():
    """:raise 400: the form was not posted from a page of this site."""
    sent_from = request.headers.get("Origin") or request.headers.get("Referer") or ""
    parts, here = urlsplit(sent_from), urlsplit(request.host_url)
    if (parts.scheme, parts.netloc) != (here.scheme, here.netloc):
        abort(400, description=_("This form must be sent from a page of this site."))


def tray_ids() -> list[int]:
    return tray.cleaned(session.get(SESSION_KEY))


def _save(ids: list[int]) -> None:
    session[SESSION_KEY] = ids


def _load() -> dict:
    form = {"ids": [v for v in request.form.getlist("ids") if v.strip()], "next": request.form.get("next", "")}
    return TrayFormSchema().load(form)


def _back(target: str):
    """`next` when it stays on this site (no open redirect), else the comparison."""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc:
        return redirect(target, code=303)
    return redirect(url_for("compare.compare"), code=303)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _answer(message: str, category: str, target: str, status: int = 200, code: str = ""):
    if _wants_json():
        body = {"count": len(tray_ids()), "ids": tray_ids(), "message": message,
                "html": render_template("compare/_tray.html", **tray_context())}
        if status >= 400:
            body["error"] = {"code": code, "message": message}
        return jsonify(body), status
    flash(message, category)
    return _back(target)


def _bad_form(exc: ValidationError):
    messages = field_messages(exc)
    message = "; ".join(f"{k}: {v}" for k, v in messages.items())
    if _wants_json():
        return jsonify({"error": {"code": "invalid", "message": message}}), 400
    return message, 400


@bp.post("/compare/tray/add")
def add():
    try:
        form = _load()
    except ValidationError as exc:
        return _bad_form(exc)
    found = [o.id for o in offers_by_id(db.session, form["ids"])]
    unknown = [i for i in form["ids"] if i not in found]
    if not form["ids"]:
        return _answer(_("Tick at least one offer to add to the comparison."), "error", form["next"], 400,
                       "nothing_chosen")
    if unknown:
        return _answer(_("No offer #%(id)s.", id=unknown[0]), "error", form["next"], 404, "unknown_offer")
    try:
        added = tray.add(tray_ids(), found)
    except tray.TrayFull as full:
        return _answer(_("The comparison holds at most %(max)s offers and has %(held)s; remove one before adding "
                         "another.", max=MAX_OFFERS, held=full.held), "error", form["next"], 409, "tray_full")
    _save(added.ids)
    if not added.new:
        return _answer(_("Already in the comparison."), "success", form["next"])
    return _answer(_("Added to the comparison (%(n)s of %(max)s).", n=len(added.ids), max=MAX_OFFERS),
                   "success", form["next"])


@bp.post("/compare/tray/remove")
def remove():
    try:
        form = _load()
    except ValidationError as exc:
        return _bad_form(exc)
    ids = tray_ids()
    for offer_id in form["ids"]:
        ids = tray.remove(ids, offer_id)
    _save(ids)
    return _answer(_("Removed from the comparison."), "success", form["next"])


@bp.post("/compare/tray/clear")
def clear():
    try:
        form = _load()
    except ValidationError as exc:
        return _bad_form(exc)
    _save([])
    return _answer(_("The comparison is empty."), "success", form["next"])


def tray_context() -> dict:
    """The header part's data: the tray's offers, in the order they were added."""
    ids = tray_ids()
    return {"compare_tray": offers_by_id(db.session, ids) if ids else [], "compare_tray_max": MAX_OFFERS}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    csrf.exempt(bp)  # same_site_only guards it (see the module's docstring)
    app.context_processor(tray_context)
    add_header_part(app, "compare/_tray.html")
