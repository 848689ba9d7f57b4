"""The price-sheet upload: stage, map columns, preview, apply (off the request thread), history.

Routes join the stall blueprint; every upload, job and import run is looked up within the
logged-in member's vendor, so another vendor's id is a 404.
"""

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

from flask import Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from accounts import User, vendor_required
from catalog.models import ImportRun, Vendor
from extensions import db
from offers import import_jobs, upload_session
from offers.columns import MappingError, plan_headers
from offers.mapping_memory import as_column_mapping, proposal, remember, remembered
from offers.schema import ALL_COLUMNS
from offers.sheet_reader import SheetError
from offers.stall_models import ImportJob, SheetUpload
from offers.stall_views import CsrfOnlyForm, bp, in_language
from offers.tasks import expire_old_uploads, requeue_stalled_jobs, run_import_job
from offers.templates_download import template_csv, template_xlsx
from pricing import display
from pricing.display import normalized_text, per_unit
from web.locale import gettext as _
from web.locale import language

PREVIEW_PAGE_ROWS = 200
SHOW = ("all", "error", "new", "changed", "unchanged")
# Columns a vendor commonly sets once for a whole sheet that lacks them.
DEFAULTABLE = ("kind", "currency", "price_unit", "billing", "region", "cpu_arch", "gpu_model", "gpu_count", "model")


def own_upload(vendor: Vendor, upload_id: str) -> SheetUpload:
    """:raise 404: no such upload, or another vendor's."""
    upload = db.session.scalar(select(SheetUpload).where(SheetUpload.id == upload_id,
                                                         SheetUpload.vendor_id == vendor.id))
    if upload is None:
        abort(404)
    return upload


def own_job(vendor: Vendor, job_id: int) -> ImportJob:
    """:raise 404: no such job, or another vendor's."""
    job = db.session.scalar(select(ImportJob).where(ImportJob.id == job_id, ImportJob.vendor_id == vendor.id))
    if job is None:
        abort(404)
    return job


def _start(upload: SheetUpload, action: str, **options) -> Response:
    job = import_jobs.create_job(upload, current_user.id, action, **options)
    db.session.commit()
    run_import_job(job.id)
    return redirect(url_for("stall.job_status", job_id=job.id))


def live_upload(vendor: Vendor, upload_id: str) -> SheetUpload:
    """:raise 404: as own_upload. :raise 410: its files have expired."""
    upload = own_upload(vendor, upload_id)
    if upload.expired_at is not None:
        abort(410, description=_("This upload has expired: uploads are kept for %(hours)s hours. "
                                 "Please upload the sheet again.", hours=f"{_limits().ttl_hours:g}"))
    return upload


def _limits() -> upload_session.UploadLimits:
    config = current_app.config
    return upload_session.UploadLimits(max_rows=config["UPLOAD_MAX_ROWS"], max_uploads=config["UPLOAD_MAX_PER_VENDOR"],
                                       max_bytes=config["UPLOAD_MAX_VENDOR_BYTES"],
                                       ttl_hours=config["UPLOAD_TTL_SECONDS"] / 3600,
                                       sqlite_max_rows=config["UPLOAD_SQLITE_MAX_ROWS"]
                                       if db.engine.dialect.name == "sqlite" else None)


@bp.route("/upload", methods=["GET", "POST"])
@vendor_required
def upload(vendor: Vendor):
    form = CsrfOnlyForm()
    error = None
    if request.method == "POST":
        sheet = request.files.get("sheet")
        if not form.validate_on_submit():
            error = "; ".join(form.errors.get("csrf_token", [])) or _("The form expired; please try again.")
        elif sheet is None or not sheet.filename:
            error = _("Choose a CSV or XLSX file to upload.")
        else:
            expire_old_uploads()  # here too, so a full folder frees itself before the hourly task
            root = current_app.config["UPLOAD_DIR"]
            try:
                staged = upload_session.stage_upload(root, sheet.stream, sheet.filename, vendor.id, current_user.id,
                                                     _limits(), upload_session.vendor_usage(db.session, root, vendor.id))
            except SheetError as exc:
                error = in_language(str(exc))
            else:
                db.session.add(staged)
                mapping, complete = proposal(staged.header, remembered(db.session, vendor.id, staged.header))
                if complete:
                    staged.mapping = mapping
                    return _start(staged, "preview")
                db.session.commit()
                return redirect(url_for("stall.upload_mapping", upload_id=staged.id))
    return render_template("stall/upload.html", vendor=vendor, form=form, error=error,
                           max_mb=current_app.config["UPLOAD_MAX_BYTES"] / (1 << 20),
                           max_rows=current_app.config["UPLOAD_MAX_ROWS"]), 400 if error else 200


@bp.route("/uploads/<upload_id>/mapping", methods=["GET", "POST"])
@vendor_required
def upload_mapping(vendor: Vendor, upload_id: str):
    staged = live_upload(vendor, upload_id)
    mapping = staged.mapping or proposal(staged.header, remembered(db.session, vendor.id, staged.header))[0]
    form = CsrfOnlyForm()
    error = None
    if request.method == "POST" and form.validate_on_submit():
        columns = {}
        for index, name in enumerate(staged.header):
            if name.strip():
                target = request.form.get(f"col-{index}", "")
                columns[name] = target if target in ALL_COLUMNS else None
        defaults = {c: request.form.get(f"default-{c}", "").strip() for c in DEFAULTABLE}
        mapping = {"columns": columns, "defaults": {c: v for c, v in defaults.items() if v}}
        try:
            plan_headers(staged.header, as_column_mapping(mapping))
        except MappingError as exc:
            error = in_language(str(exc))
        else:
            staged.mapping = mapping
            remember(db.session, vendor.id, staged.header, mapping)
            return _start(staged, "preview")
    elif request.method == "POST":
        error = "; ".join(form.errors.get("csrf_token", []))
    rows = [(i, name, mapping["columns"].get(name)) for i, name in enumerate(staged.header) if name.strip()]
    return render_template("stall/upload_mapping.html", vendor=vendor, upload=staged, rows=rows, form=form,
                           columns=ALL_COLUMNS, defaults=mapping.get("defaults", {}), defaultable=DEFAULTABLE,
                           error=error), 400 if error else 200


def _latest_job(upload_id: str, action: str) -> ImportJob | None:
    return db.session.scalar(select(ImportJob).where(ImportJob.upload_id == upload_id, ImportJob.action == action)
                             .order_by(ImportJob.id.desc()).limit(1))


def _display_row(row: dict, lang: str) -> dict:
    shown = dict(row)
    if row["change"] != "error":
        prices = {k: _dec(row.get(k)) for k in ("unit_price", "input_price", "output_price")}
        shown["price_text"] = normalized_text({"kind": row["kind"], **prices}, lang)
        shown["detail_lines"] = display.detail_lines(_preview_offer(row, prices), lang)
        if row["change"] == "changed" and row.get("old_unit_price") is not None:
            unit = "input" if row["kind"] == "token" else row["kind"]
            old = _dec(row.get("old_input_price") if row["kind"] == "token" else row["old_unit_price"])
            shown["old_text"] = per_unit(old, unit, lang) if old is not None else ""
    else:
        shown["errors"] = [{**e, "message": in_language(e["message"])} for e in row.get("errors", [])]
    return shown


def _preview_offer(row: dict, prices: dict) -> SimpleNamespace:
    """A preview row's spec 4.1 values, typed back from the preview's JSON, shaped as an Offer."""
    times = {c: datetime.fromisoformat(row[c]) if row.get(c) else None for c in ("available_from", "available_to")}
    decimals = {c: _dec(row.get(c)) for c in ("off_peak_rate", "batch_rate", "cache_write_price", "long_input_price",
                                              "long_output_price")}
    return SimpleNamespace(kind=row["kind"], **prices, **times, **decimals,
                           available_hours=row.get("available_hours"), off_peak_hours=row.get("off_peak_hours"),
                           long_context_threshold=row.get("long_context_threshold"))


def _dec(value):
    from decimal import Decimal

    return None if value in (None, "") else Decimal(value)


@bp.get("/uploads/<upload_id>/preview")
@vendor_required
def upload_preview(vendor: Vendor, upload_id: str):
    staged = live_upload(vendor, upload_id)
    preview = upload_session.read_json(current_app.config["UPLOAD_DIR"], staged.id, import_jobs.PREVIEW_FILE)
    if preview is None:
        job = _latest_job(staged.id, "preview")
        if job is None:
            return redirect(url_for("stall.upload_mapping", upload_id=staged.id))
        return redirect(url_for("stall.job_status", job_id=job.id))
    show = request.args.get("show", "all")
    show = show if show in SHOW else "all"
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows = preview["rows"] if show == "all" else [r for r in preview["rows"] if r["change"] == show]
    file_errors = [e for e in preview["errors"] if e["row"] == 1 and not e.get("column")]
    pages = max((len(rows) + PREVIEW_PAGE_ROWS - 1) // PREVIEW_PAGE_ROWS, 1)
    lang = language()
    shown = [_display_row(r, lang) for r in rows[(page - 1) * PREVIEW_PAGE_ROWS:page * PREVIEW_PAGE_ROWS]]
    return render_template(
        "stall/upload_preview.html", vendor=vendor, upload=staged, counts=preview["counts"], rows=shown,
        show=show, page=page, pages=pages, missing=preview["missing"], ignored=preview["ignored_headers"],
        file_errors=[in_language(e["message"]) for e in file_errors], form=CsrfOnlyForm(),
        has_errors=bool(preview["errors"]))


@bp.post("/uploads/<upload_id>/apply")
@vendor_required
def upload_apply(vendor: Vendor, upload_id: str):
    staged = live_upload(vendor, upload_id)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400, description=_("The form expired; please try again."))
    mode = request.form.get("mode", "all_or_nothing")
    mode = mode if mode in ("all_or_nothing", "good_rows") else "all_or_nothing"
    return _start(staged, "apply", mode=mode, delist_missing=request.form.get("delist_missing") == "1")


@bp.get("/uploads/<upload_id>/errors.csv")
@vendor_required
def upload_errors(vendor: Vendor, upload_id: str):
    staged = own_upload(vendor, upload_id)
    job = _latest_job(staged.id, "preview")
    return _error_file(staged, job)


def _error_file(staged: SheetUpload, job: ImportJob | None) -> Response:
    path = upload_session.upload_dir(current_app.config["UPLOAD_DIR"], staged.id) / f"errors-{job.id if job else 0}.csv"
    if job is None or not path.exists():
        abort(404)
    name = quote(f"{Path(staged.filename).stem}-errors.csv")
    return Response(path.read_bytes(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


def _job_json(job: ImportJob) -> dict:
    labels = {"queued": _("queued"), "running": _("running"), "done": _("done"), "failed": _("failed")}
    processed, total = job.processed, max(job.total, job.processed)
    data = {"id": job.id, "action": job.action, "status": job.status, "status_label": labels[job.status],
            "processed": processed, "total": total,
            "summary": job.summary, "message": in_language(job.message) if job.message else None}
    if job.status == "done":
        data["next"] = (url_for("stall.upload_preview", upload_id=job.upload_id) if job.action == "preview"
                        else url_for("stall.job_status", job_id=job.id))
    elif job.status == "failed":
        data["retry"] = url_for("stall.retry_job", job_id=job.id)
    return data


def _current_job(vendor: Vendor, job_id: int) -> ImportJob:
    """The vendor's job, after queueing again any job whose worker has stopped (so a dead one never shows running)."""
    if requeue_stalled_jobs():
        db.session.expire_all()
    return own_job(vendor, job_id)


@bp.get("/jobs/<int:job_id>")
@vendor_required
def job_status(vendor: Vendor, job_id: int):
    job = _current_job(vendor, job_id)
    if job.action == "preview" and job.status == "done":
        return redirect(url_for("stall.upload_preview", upload_id=job.upload_id))
    staged = db.session.get(SheetUpload, job.upload_id)
    return render_template("stall/job.html", vendor=vendor, job=job, upload=staged, status=_job_json(job),
                           form=CsrfOnlyForm())


@bp.get("/jobs/<int:job_id>.json")
@vendor_required
def job_status_json(vendor: Vendor, job_id: int):
    return jsonify(_job_json(_current_job(vendor, job_id)))


@bp.post("/jobs/<int:job_id>/retry")
@vendor_required
def retry_job(vendor: Vendor, job_id: int):
    """Run a failed job again as a new job (the failed one stays in the history)."""
    job = _current_job(vendor, job_id)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400, description=_("The form expired; please try again."))
    if job.status != "failed":
        abort(409, description=_("Only a failed job can be retried."))
    staged = live_upload(vendor, job.upload_id)
    return _start(staged, job.action, mode=job.mode, delist_missing=job.delist_missing)


@bp.get("/imports")
@vendor_required
def import_history(vendor: Vendor):
    requeue_stalled_jobs()
    rows = db.session.execute(
        select(ImportRun, ImportJob, User)
        .outerjoin(ImportJob, ImportJob.import_run_id == ImportRun.id)
        .outerjoin(User, User.id == ImportJob.user_id)
        .where(ImportRun.vendor_id == vendor.id).order_by(ImportRun.at.desc(), ImportRun.id.desc()).limit(200)).all()
    return render_template("stall/imports.html", vendor=vendor, rows=rows)


@bp.get("/imports/<int:run_id>/errors.csv")
@vendor_required
def import_errors(vendor: Vendor, run_id: int):
    run = db.session.scalar(select(ImportRun).where(ImportRun.id == run_id, ImportRun.vendor_id == vendor.id))
    if run is None:
        abort(404)
    job = db.session.scalar(select(ImportJob).where(ImportJob.import_run_id == run.id))
    if job is None:
        abort(404)
    return _error_file(db.session.get(SheetUpload, job.upload_id), job)


@bp.get("/template.csv")
def template_download_csv():
    return Response(template_csv(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=offers-template.csv"})


@bp.get("/template.xlsx")
def template_download_xlsx():
    return Response(template_xlsx(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=offers-template.xlsx"})


def too_large(exc: RequestEntityTooLarge):
    """A clear page (or JSON) for an over-size upload, after draining the body so the connection survives."""
    _drain_request_body()
    limit_mb = current_app.config["UPLOAD_MAX_BYTES"] / (1 << 20)
    if request.path.startswith("/api/"):
        return {"error": {"code": "request_entity_too_large",
                          "message": f"the upload is larger than {limit_mb:g} MB"}}, 413
    return render_template("stall/too_large.html", limit_mb=limit_mb), 413


def _drain_request_body() -> None:
    """Read and drop the unread body (up to a bound) so the client sees our 413, not a reset."""
    stream = request.environ.get("wsgi.input")
    length = request.content_length or 0
    bound = current_app.config["UPLOAD_DRAIN_MAX_BYTES"]
    if stream is None or not length or length > bound:
        return
    remaining = length
    try:
        while remaining > 0:
            chunk = stream.read(min(remaining, 1 << 16))
            if not chunk:
                break
            remaining -= len(chunk)
    except OSError:
        pass
