"""Stage an uploaded sheet: the file goes to the instance folder under a random id, never the cookie.

Plain module (no Flask): the view passes the instance folder and the limits from config.
"""

import json
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import utcnow
from offers.schema import bilingual, hidden_character
from offers.sheet_reader import SheetError, open_sheet
from offers.stall_models import ImportJob, SheetUpload
from pricing.text import first_hidden_character

ALLOWED_SUFFIXES = (".csv", ".xlsx", ".txt")


@dataclass(frozen=True)
class UploadLimits:
    max_rows: int
    # Per vendor, over its uploads not yet expired: how many, and their bytes on disk (the
    # sheet, its preview.json, which can be five times the sheet, and its error sheets).
    max_uploads: int = 20
    max_bytes: int = 200 * 1024 * 1024
    ttl_hours: float = 24
    # Set when the database is SQLite: its one write lock is held while a sheet's rows are
    # written, and every other writer (checkouts, log-ins) waits that long.
    sqlite_max_rows: int | None = None


@dataclass(frozen=True)
class Usage:
    uploads: int
    bytes: int


def folder_bytes(root: str, upload_id: str) -> int:
    folder = upload_dir(root, upload_id)
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) if folder.exists() else 0


def vendor_usage(session: Session, root: str, vendor_id: int) -> Usage:
    """What the vendor's staged (not yet expired) uploads hold."""
    ids = session.scalars(select(SheetUpload.id).where(SheetUpload.vendor_id == vendor_id,
                                                       SheetUpload.expired_at.is_(None))).all()
    return Usage(len(ids), sum(folder_bytes(root, i) for i in ids))


def expire_uploads(session: Session, root: str, created_before: datetime) -> tuple[int, int]:
    """Remove the files of uploads staged before `created_before`; (how many, bytes freed).

    The row stays (import jobs and the history point at it) with `expired_at` set; an upload
    with a job still queued or running keeps its files until the job ends.
    """
    busy = select(ImportJob.upload_id).where(ImportJob.status.in_(("queued", "running")))
    stale = session.scalars(select(SheetUpload).where(
        SheetUpload.expired_at.is_(None), SheetUpload.created_at < created_before,
        SheetUpload.id.not_in(busy))).all()
    freed = 0
    for upload in stale:
        freed += folder_bytes(root, upload.id)
        shutil.rmtree(upload_dir(root, upload.id), ignore_errors=True)
        upload.expired_at = utcnow()
    session.commit()
    return len(stale), freed


def _check_quota(limits: UploadLimits, usage: Usage, new_bytes: int) -> None:
    """:raise SheetError: the vendor is at its cap of staged uploads, by count or by bytes."""
    if usage.uploads >= limits.max_uploads:
        raise SheetError(bilingual(
            f"你已有 {usage.uploads} 份上传（上限 {limits.max_uploads} 份）；上传的文件保留 {limits.ttl_hours:g} 小时后"
            "自动清除，请稍后再上传",
            f"you have {usage.uploads} staged uploads and the limit is {limits.max_uploads}. Uploads are removed "
            f"{limits.ttl_hours:g} hours after they were made: upload again then"))
    if usage.bytes + new_bytes > limits.max_bytes:
        mb = limits.max_bytes / (1 << 20)
        raise SheetError(bilingual(
            f"你的上传已占用 {usage.bytes / (1 << 20):.1f} MB，加上这份将超过存储上限 {mb:g} MB；"
            f"上传的文件保留 {limits.ttl_hours:g} 小时后自动清除，请稍后再上传",
            f"your uploads hold {usage.bytes / (1 << 20):.1f} MB and this one would pass the limit of {mb:g} MB. "
            f"Uploads are removed {limits.ttl_hours:g} hours after they were made: upload again then"))


def upload_dir(root: str, upload_id: str) -> Path:
    """The folder of one upload under `root` (config UPLOAD_DIR, by default instance/uploads)."""
    return Path(root) / upload_id


def source_path(root: str, upload: SheetUpload) -> Path:
    return upload_dir(root, upload.id) / upload.stored_name


def stage_upload(root: str, stream: BinaryIO, filename: str, vendor_id: int, user_id: int,
                 limits: UploadLimits, usage: Usage = Usage(0, 0)) -> SheetUpload:
    """Save the file, read its header and size it; the caller adds and commits the returned row.

    :raise SheetError: not a readable CSV/XLSX, no header, more rows than allowed, or the
        vendor's uploads (`usage`) at their cap (nothing kept).
    """
    hidden = first_hidden_character(filename)
    if hidden:  # the name is stored and shown (NUL fails PostgreSQL's INSERT; bidi overrides disguise it)
        raise SheetError(hidden_character(*hidden, zh_where="文件名的", en_where="the file name's "))
    suffix = Path(filename).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise SheetError(bilingual("只接受 CSV 或 XLSX 文件", "only CSV or XLSX files are accepted"))
    _check_quota(limits, usage, 0)
    upload_id = secrets.token_hex(16)
    folder = upload_dir(root, upload_id)
    folder.mkdir(parents=True)
    stored = folder / f"source{'.xlsx' if suffix == '.xlsx' else '.csv'}"
    try:
        with stored.open("wb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
        _check_quota(limits, usage, stored.stat().st_size)
        # Our own handle: open_sheet leaves a file it opened from a path to its row iterator.
        with stored.open("rb") as handle:
            sheet = open_sheet(handle, filename=filename)
            header = list(sheet.header)
            estimate = sheet.row_estimate
            # Start the row generator so that closing it runs its `finally` (closing the workbook).
            next(sheet.rows, None)
            sheet.rows.close()
        if not any(h.strip() for h in header):
            raise SheetError(bilingual("表头行是空的", "the header row is empty"))
        if estimate > limits.max_rows:
            raise SheetError(bilingual(f"表格有 {estimate} 行，超过上限 {limits.max_rows} 行；请拆分后上传",
                                       f"the sheet has {estimate} rows, more than the limit of {limits.max_rows}; "
                                       "split it and upload the parts"))
        if limits.sqlite_max_rows is not None and estimate > limits.sqlite_max_rows:
            raise SheetError(bilingual(
                f"表格有 {estimate} 行；本站使用内置的 SQLite 数据库，一次最多导入 {limits.sqlite_max_rows} 行"
                "（更大的表格需要 PostgreSQL）。请拆分后上传",
                f"the sheet has {estimate} rows and this site runs on the built-in SQLite database, which takes at "
                f"most {limits.sqlite_max_rows} rows at a time (larger sheets need PostgreSQL). Split it and upload "
                "the parts"))
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return SheetUpload(id=upload_id, vendor_id=vendor_id, user_id=user_id, filename=Path(filename).name[:300],
                       stored_name=stored.name, size_bytes=stored.stat().st_size, row_estimate=estimate,
                       header=header, mapping=None)


def write_json(root: str, upload_id: str, name: str, data) -> None:
    path = upload_dir(root, upload_id) / name
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    tmp.replace(path)


def read_json(root: str, upload_id: str, name: str):
    path = upload_dir(root, upload_id) / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
