"""The vendor API, /api/v1/vendor (spec section 9): a vendor's offers by sku and its sheet uploads.

Thin: parse, call offers.vendor_offers / the stall's upload job, answer. accounts' gate
(`vendor_key_required`) authenticates the bearer key, rate-limits it, makes writes idempotent
and owns the transaction; every look-up here is scoped to the key's vendor (another's is a 404).
"""

import json
import re
import shutil

from flask import Blueprint, abort, current_app, request

from accounts import Answer, api_key_user_id, error_answer, vendor_key_required
from catalog.context import catalog_context
from catalog.models import Vendor
from catalog.serialize import offer_json, when
from extensions import db
from offers import import_jobs, upload_session, vendor_offers
from offers.columns import MappingError, plan_headers
from offers.mapping_memory import as_column_mapping, proposal, remembered
from offers.schema import ALL_COLUMNS
from offers.sheet_reader import SheetError
from offers.stall_models import ImportJob, SheetUpload
from offers.tasks import requeue_stalled_jobs, run_import_job
from offers.upload_views import DEFAULTABLE, _latest_job, _limits, expire_old_uploads, own_upload
from web.validation import nul_at

bp = Blueprint("vendor_api", __name__, url_prefix="/api/v1/vendor")
MAX_PER_PAGE = 100
MAX_PREVIEW_ROWS = 1000
STATUSES = ("active", "delisted")


class BadInput(Exception):
    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.message, self.details = message, details


def _refused(details: dict[str, list[str]], code: str = "invalid_offer") -> Answer:
    text = "; ".join(f"{name}: {', '.join(messages)}" for name, messages in details.items())
    return error_answer(400, code, text, details)


def _int_arg(name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9 and 1 <= int(raw) <= maximum):
        raise BadInput(f"{name}: must be a whole number from 1 to {maximum}", {name: ["out of range"]})
    return int(raw)


def _json_object() -> dict:
    """The request's JSON object, numbers kept as their text (a price is never a float).

    :raise BadInput: not JSON, or not an object.
    """
    try:
        data = json.loads(request.get_data(cache=True) or b"null", parse_float=str, parse_int=str,
                          parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise BadInput("the body must be a JSON object", {"_": ["not JSON"]}) from None
    if not isinstance(data, dict):
        raise BadInput("the body must be a JSON object", {"_": ["not an object"]})
    if (where := nul_at(data)) is not None:  # PostgreSQL text cannot hold it: named here, not failed in a query
        raise BadInput(f"{where}: must not contain a NUL character (U+0000)", {where: ["NUL character"]})
    return data


def _no_constant(name: str):
    raise ValueError(name)


def _guarded(view):
    """Turn BadInput into a 400 answer (under the gate, so it is recorded like any answer)."""

    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except BadInput as exc:
            return error_answer(400, "bad_request", exc.message, exc.details)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


UPLOAD_ID = re.compile(r"[0-9a-f]{32}")


def _own_upload(vendor: Vendor, upload_id: str) -> SheetUpload:
    """:raise 404: not an upload id, no such upload, or another vendor's."""
    if not UPLOAD_ID.fullmatch(upload_id):
        abort(404, description="no sheet of yours by that id")
    return own_upload(vendor, upload_id)


def _not_found(what: str) -> Answer:
    return error_answer(404, "not_found", f"no {what} of yours by that id")


def _offer_answer(status: int, change: str, offer) -> Answer:
    return Answer(status, {"change": change, "offer": offer_json(offer)})


@bp.get("/offers")
@vendor_key_required
@_guarded
def list_offers(vendor: Vendor) -> Answer:
    page = _int_arg("page", 1, 1_000_000)
    per_page = _int_arg("per_page", 50, MAX_PER_PAGE)
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        raise BadInput(f"status: must be one of {', '.join(STATUSES)}", {"status": ["unknown status"]})
    total, offers = vendor_offers.offer_page(db.session, vendor.id, page, per_page, status)
    return Answer(200, {"total": total, "page": page, "per_page": per_page, "items": [offer_json(o) for o in offers]})


@bp.get("/offers/<path:sku>")
@vendor_key_required
def get_offer(vendor: Vendor, sku: str) -> Answer:
    offer = vendor_offers.own_offer(db.session, vendor.id, sku)
    return _not_found("offer") if offer is None else Answer(200, offer_json(offer))


@bp.put("/offers/<path:sku>")
@vendor_key_required
@_guarded
def put_offer(vendor: Vendor, sku: str) -> Answer:
    result = vendor_offers.put_offer(db.session, vendor, catalog_context(db.session), sku, _json_object())
    if result.errors:
        return _refused(result.errors)
    return _offer_answer(201 if result.change == "created" else 200, result.change, result.offer)


@bp.patch("/offers/<path:sku>")
@vendor_key_required
@_guarded
def patch_offer(vendor: Vendor, sku: str) -> Answer:
    offer = vendor_offers.own_offer(db.session, vendor.id, sku)
    if offer is None:
        return _not_found("offer")
    result = vendor_offers.patch_offer(db.session, offer, catalog_context(db.session), _json_object())
    if result.errors:
        return _refused(result.errors)
    return _offer_answer(200, result.change, result.offer)


@bp.delete("/offers/<path:sku>")
@vendor_key_required
def delete_offer(vendor: Vendor, sku: str) -> Answer:
    offer = vendor_offers.own_offer(db.session, vendor.id, sku)
    if offer is None:
        return _not_found("offer")
    vendor_offers.delist(db.session, offer)
    return _offer_answer(200, "delisted", offer)


def _job_json(job: ImportJob | None) -> dict | None:
    if job is None:
        return None
    return {"id": job.id, "action": job.action, "status": job.status, "mode": job.mode,
            "delist_missing": job.delist_missing, "processed": job.processed,
            "total": max(job.total, job.processed), "summary": job.summary, "message": job.message,
            "created_at": when(job.created_at), "finished_at": when(job.finished_at)}


def _sheet_json(upload: SheetUpload) -> dict:
    return {"id": upload.id, "filename": upload.filename, "created_at": when(upload.created_at),
            "expired": upload.expired_at is not None, "rows": upload.row_estimate, "mapping": upload.mapping,
            "preview": _job_json(_latest_job(upload.id, "preview")), "apply": _job_json(_latest_job(upload.id, "apply"))}


def _start_job(upload: SheetUpload, action: str, **options) -> tuple[ImportJob, object]:
    job = import_jobs.create_job(upload, api_key_user_id(), action, **options)
    db.session.flush()
    job_id = job.id
    # Enqueued only once the job's row is committed: a worker (or immediate mode) must find it.
    return job, lambda: run_import_job(job_id)


def _posted_mapping(header: list[str]) -> dict | None:
    """The `mapping` form field ({"columns": {header: column}, "defaults": {column: value}}), checked.

    :raise BadInput: not that shape, a column not in the standard sheet, or a mapping that misses a column.
    """
    raw = request.form.get("mapping")
    if raw is None:
        return None
    try:
        given = json.loads(raw)
        columns = {str(name): (None if target in (None, "") else str(target))
                   for name, target in dict(given.get("columns", {})).items()}
        defaults = {str(c): str(v).strip() for c, v in dict(given.get("defaults", {})).items() if str(v).strip()}
    except (ValueError, TypeError, AttributeError):
        raise BadInput('mapping: must be JSON {"columns": {header: column}, "defaults": {column: value}}',
                       {"mapping": ["malformed"]}) from None
    unknown = sorted({t for t in columns.values() if t and t not in ALL_COLUMNS} | (set(defaults) - set(DEFAULTABLE)))
    if unknown:
        raise BadInput(f"mapping: not standard columns: {', '.join(unknown)}", {"mapping": unknown})
    mapping = {"columns": {name: columns.get(name) for name in header if name.strip()}, "defaults": defaults}
    try:
        plan_headers(header, as_column_mapping(mapping))
    except MappingError as exc:
        raise BadInput(f"mapping: {exc}", {"mapping": [str(exc)]}) from None
    return mapping


@bp.post("/sheets")
@vendor_key_required
@_guarded
def upload_sheet(vendor: Vendor) -> Answer:
    """Stage a sheet and start its preview: the stall's upload, by API."""
    sheet = request.files.get("sheet")
    if sheet is None or not sheet.filename:
        raise BadInput("sheet: send the CSV or XLSX file as multipart field 'sheet'", {"sheet": ["missing"]})
    expire_old_uploads()
    root = current_app.config["UPLOAD_DIR"]
    try:
        staged = upload_session.stage_upload(root, sheet.stream, sheet.filename, vendor.id, api_key_user_id(),
                                             _limits(), upload_session.vendor_usage(db.session, root, vendor.id))
    except SheetError as exc:
        return error_answer(400, "bad_sheet", str(exc), {"sheet": [str(exc)]})
    try:
        mapping = _posted_mapping(staged.header)
        if mapping is None:
            mapping, complete = proposal(staged.header, remembered(db.session, vendor.id, staged.header))
            if not complete:
                raise BadInput("mapping: some headers are not standard columns; send a 'mapping' field",
                               {"mapping": [json.dumps(mapping, ensure_ascii=False)]})
    except BadInput:
        shutil.rmtree(upload_session.upload_dir(root, staged.id), ignore_errors=True)
        raise
    staged.mapping = mapping
    db.session.add(staged)
    db.session.flush()
    _, start = _start_job(staged, "preview")
    return Answer(202, _sheet_json(staged), after_commit=start)


@bp.get("/sheets/<upload_id>")
@vendor_key_required
def sheet_status(vendor: Vendor, upload_id: str) -> Answer:
    # As the stall's job page: a job whose worker has stopped is queued again, never shown running.
    if requeue_stalled_jobs():
        db.session.expire_all()
    return Answer(200, _sheet_json(_own_upload(vendor, upload_id)))


@bp.get("/sheets/<upload_id>/preview")
@vendor_key_required
@_guarded
def sheet_preview(vendor: Vendor, upload_id: str) -> Answer:
    upload = _own_upload(vendor, upload_id)
    page = _int_arg("page", 1, 1_000_000)
    per_page = _int_arg("per_page", 200, MAX_PREVIEW_ROWS)
    preview = upload_session.read_json(current_app.config["UPLOAD_DIR"], upload.id, import_jobs.PREVIEW_FILE)
    if preview is None:
        return error_answer(409, "not_ready", "the preview is not ready: see GET /api/v1/vendor/sheets/<id>")
    rows = preview["rows"]
    return Answer(200, {"id": upload.id, "counts": preview["counts"], "errors": preview["errors"][:MAX_PREVIEW_ROWS],
                        "missing": preview["missing"], "ignored_headers": preview["ignored_headers"],
                        "page": page, "per_page": per_page, "total_rows": len(rows),
                        "rows": rows[(page - 1) * per_page:page * per_page]})


@bp.post("/sheets/<upload_id>/apply")
@vendor_key_required
@_guarded
def apply_sheet(vendor: Vendor, upload_id: str) -> Answer:
    upload = _own_upload(vendor, upload_id)
    if upload.expired_at is not None:
        return error_answer(410, "gone", "this upload has expired; upload the sheet again")
    if upload_session.read_json(current_app.config["UPLOAD_DIR"], upload.id, import_jobs.PREVIEW_FILE) is None:
        return error_answer(409, "not_ready", "apply after the preview is done: see GET /api/v1/vendor/sheets/<id>")
    options = _json_object() if request.get_data(cache=True).strip() else {}
    mode = options.get("mode", "all_or_nothing")
    delist_missing = options.get("delist_missing", False)
    if mode not in ("all_or_nothing", "good_rows") or not isinstance(delist_missing, bool):
        raise BadInput("mode: all_or_nothing or good_rows; delist_missing: true or false",
                       {"mode" if mode not in ("all_or_nothing", "good_rows") else "delist_missing": ["bad value"]})
    job, start = _start_job(upload, "apply", mode=mode, delist_missing=delist_missing)
    return Answer(202, {"id": upload.id, "apply": _job_json(job)}, after_commit=start)


def init_app(app) -> None:
    from extensions import csrf
    from offers import vendor_api_openapi
    from web.openapi import add_paths

    app.register_blueprint(bp)
    # Bearer keys only, never the session cookie (accounts/key_auth.py): nothing for CSRF to guard.
    csrf.exempt(bp)
    add_paths(app, vendor_api_openapi.paths(), vendor_api_openapi.SCHEMAS, vendor_api_openapi.SECURITY_SCHEMES)
