"""Typed models of a vendor's stall: staged uploads, import jobs, remembered column mappings."""

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import utcnow
from extensions import db


class SheetUpload(db.Model):
    """An uploaded sheet waiting for mapping, preview and apply; the file lives in the instance folder."""

    __tablename__ = "sheet_uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, also the folder name
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(300))
    stored_name: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int]
    row_estimate: Mapped[int]
    header: Mapped[list] = mapped_column(JSON)
    mapping: Mapped[Optional[dict]] = mapped_column(JSON)  # {"columns": {...}, "defaults": {...}}
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when its files were removed (24 h after upload, by `flask clean-uploads` or the next upload).
    expired_at: Mapped[Optional[datetime]]


class ImportJob(db.Model):
    """A preview or apply run off the request thread; the status page reads it."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    upload_id: Mapped[str] = mapped_column(ForeignKey("sheet_uploads.id"), index=True)
    action: Mapped[str] = mapped_column(String(8))  # preview | apply
    mode: Mapped[str] = mapped_column(String(16), default="all_or_nothing")
    delist_missing: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(8), default="queued")  # queued | running | done | failed
    # Who runs it ("host:pid:thread") and until when: its heartbeat moves the lease on; a
    # queued or running job whose lease passed has lost its worker (offers/import_jobs.py).
    worker: Mapped[Optional[str]] = mapped_column(String(120))
    lease_expires_at: Mapped[Optional[datetime]]
    # How many times it was put on the task queue: once, plus once per lease that ran out.
    attempts: Mapped[int] = mapped_column(default=1, server_default="1")
    total: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    summary: Mapped[Optional[dict]] = mapped_column(JSON)
    message: Mapped[Optional[str]] = mapped_column(String(1000))
    import_run_id: Mapped[Optional[int]] = mapped_column(ForeignKey("import_runs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[Optional[datetime]]


class SheetMapping(db.Model):
    """A vendor's confirmed column mapping for one header shape, offered again on the next upload."""

    __tablename__ = "sheet_mappings"
    __table_args__ = (UniqueConstraint("vendor_id", "header_hash", name="uq_sheet_mapping_shape"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    header_hash: Mapped[str] = mapped_column(String(64))
    mapping: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
