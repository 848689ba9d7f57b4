"""Stage an uploaded sheet: the file goes to the instance folder under a random id, never the cookie.

Plain module (no Flask): the view passes the instance folder and the limits from config.
"""

import json
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from offers.schema import bilingual, hidden_character
from offers.sheet_reader import SheetError, open_sheet
from offers.stall_models import SheetUpload
from pricing.text import first_hidden_character

ALLOWED_SUFFIXES = (".csv", ".xlsx", ".txt")


@dataclass(frozen=True)
class UploadLimits:
    max_rows: int


def upload_dir(root: str, upload_id: str) -> Path:
    """The folder of one upload under `root` (config UPLOAD_DIR, by default instance/uploads)."""
    return Path(root) / upload_id


def source_path(root: str, upload: SheetUpload) -> Path:
    return upload_dir(root, upload.id) / upload.stored_name


def stage_upload(root: str, stream: BinaryIO, filename: str, vendor_id: int, user_id: int,
                 limits: UploadLimits) -> SheetUpload:
    """Save the file, read its header and size it; the caller adds and commits the returned row.

    :raise SheetError: not a readable CSV/XLSX, no header, or more rows than allowed (nothing kept).
    """
    hidden = first_hidden_character(filename)
    if hidden:  # the name is stored and shown (NUL fails PostgreSQL's INSERT; bidi overrides disguise it)
        raise SheetError(hidden_character(*hidden, zh_where="文件名的", en_where="the file name's "))
    suffix = Path(filename).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise SheetError(bilingual("只接受 CSV 或 XLSX 文件", "only CSV or XLSX files are accepted"))
    upload_id = secrets.token_hex(16)
    folder = upload_dir(root, upload_id)
    folder.mkdir(parents=True)
    stored = folder / f"source{'.xlsx' if suffix == '.xlsx' else '.csv'}"
    try:
        with stored.open("wb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
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
