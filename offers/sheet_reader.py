"""Read a price sheet (CSV in UTF-8/BOM/GBK/GB18030, or XLSX) as numbered rows of text cells.

Streaming, so a 50,000-row sheet never sits in memory whole. Encodings are tried
strictly in a fixed order, utf-8-sig then gb18030 (a superset of GBK); a file that is
neither is refused with a reason, never decoded into mojibake.
"""

import codecs
import csv
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

ENCODINGS = ("utf-8-sig", "gb18030")
_CHUNK = 1 << 20
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# csv's default field limit is 128 KiB; a cell larger than this is not a price.
csv.field_size_limit(1 << 20)


class SheetError(ValueError):
    """The file as a whole cannot be read as a sheet."""


@dataclass(frozen=True)
class SheetRow:
    number: int  # as a spreadsheet shows it: the header is row 1
    cells: list[str]


@dataclass
class Sheet:
    header: list[str]
    rows: Iterator[SheetRow]
    encoding: str  # "xlsx" for a workbook
    row_estimate: int  # data rows, for progress; exact for CSV without multi-line cells
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        """Release the file and workbook; safe to call twice, and called when the rows run out."""
        while self.closers:
            self.closers.pop()()

    def __enter__(self) -> "Sheet":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _rewindable(source: str | Path | BinaryIO) -> BinaryIO:
    if isinstance(source, str | Path):
        return open(source, "rb")  # noqa: SIM115 - the Sheet's iterator owns it until exhausted
    source.seek(0)
    return source


def _decodes(stream: BinaryIO, encoding: str) -> tuple[bool, int]:
    """Whether the whole stream decodes strictly; if not, the byte offset where it fails."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    while True:
        chunk = stream.read(_CHUNK)
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            return False, offset + exc.start
        if not chunk:
            return True, -1
        offset += len(chunk)


def _guess(stream: BinaryIO) -> str | None:
    """A hint for the error message only; we never decode with a guessed encoding."""
    from charset_normalizer import from_bytes

    stream.seek(0)
    best = from_bytes(stream.read(65536)).best()
    return best.encoding if best else None


def detect_encoding(stream: BinaryIO) -> str:
    """:raise SheetError: neither UTF-8 nor GB18030."""
    failures = []
    for encoding in ENCODINGS:
        ok, offset = _decodes(stream, encoding)
        if ok:
            return encoding
        failures.append(offset)
    guess = _guess(stream)
    hint = f"（看起来像 {guess} / it looks like {guess}）" if guess else ""
    raise SheetError(
        f"文件不是 UTF-8 或 GBK/GB18030 编码，第 {failures[0]} 字节处无法解码{hint}；请另存为 UTF-8 CSV 或 XLSX / "
        f"the file is neither UTF-8 nor GBK/GB18030 (undecodable at byte {failures[0]}); save it as UTF-8 CSV or XLSX")


def _count_lines(stream: BinaryIO) -> int:
    stream.seek(0)
    lines, last = 0, b"\n"
    while chunk := stream.read(_CHUNK):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    return lines + (last != b"\n")


def _csv_sheet(stream: BinaryIO) -> Sheet:
    encoding = detect_encoding(stream)
    estimate = max(_count_lines(stream) - 1, 0)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise SheetError("文件是空的 / the file is empty") from None
    except csv.Error as exc:
        raise SheetError(f"无法读取表头 / cannot read the header row: {exc}") from None

    def rows() -> Iterator[SheetRow]:
        try:
            number = 1
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise SheetError(f"第 {reader.line_num} 行 CSV 格式错误 / row {reader.line_num}: bad CSV: {exc}") from None
                number += 1
                yield SheetRow(number, cells)
        finally:
            sheet.close()

    sheet = Sheet(header=[h.strip() for h in header], rows=rows(), encoding=encoding, row_estimate=estimate,
                  closers=[text.close])
    return sheet


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _xlsx_sheet(stream: BinaryIO, owned: bool) -> Sheet:
    from openpyxl import load_workbook

    stream.seek(0)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise SheetError(f"无法打开 XLSX 文件 / cannot open the XLSX file: {exc.__class__.__name__}") from None
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    try:
        header = [_cell_text(v).strip() for v in next(iterator)]
    except StopIteration:
        workbook.close()
        raise SheetError("工作表是空的 / the worksheet is empty") from None
    except Exception as exc:  # a damaged sheet part
        workbook.close()
        raise SheetError(f"无法读取 XLSX 表头 / cannot read the XLSX header: {exc.__class__.__name__}") from None
    while header and not header[-1]:
        header.pop()
    estimate = max((sheet.max_row or 1) - 1, 0)

    def rows() -> Iterator[SheetRow]:
        try:
            for number, values in enumerate(iterator, start=2):
                yield SheetRow(number, [_cell_text(v) for v in values])
        finally:
            sheet.close()

    sheet = Sheet(header=header, rows=rows(), encoding="xlsx", row_estimate=estimate,
                  closers=[stream.close] * owned + [workbook.close])
    return sheet


def open_sheet(source: str | Path | BinaryIO, filename: str | None = None) -> Sheet:
    """Open a CSV or XLSX sheet from a path or a binary file object.

    :raise SheetError: unreadable, empty, an old .xls, or not UTF-8/GB18030 text.
    """
    stream = _rewindable(source)
    try:
        head = stream.read(8)
        name = filename or (str(source) if isinstance(source, str | Path) else str(getattr(source, "name", "")))
        ext = os.path.splitext(name)[1].lower()
        if head.startswith(_ZIP_MAGIC):
            return _xlsx_sheet(stream, owned=isinstance(source, str | Path))
        if head.startswith(_OLE_MAGIC) or ext == ".xls":
            raise SheetError("不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV / old .xls files are not supported: save as .xlsx or CSV")
        if ext == ".xlsx":
            raise SheetError("文件扩展名是 .xlsx，但内容不是 XLSX / the file is named .xlsx but is not an XLSX workbook")
        return _csv_sheet(stream)
    except Exception:
        if isinstance(source, str | Path):
            stream.close()
        raise
