"""Read a price sheet (CSV in UTF-8/BOM/GBK/GB18030, or XLSX) as numbered rows of text cells.

Streaming, so a 50,000-row sheet never sits in memory whole. Encodings are tried
strictly in a fixed order, utf-8-sig then gb18030 (a superset of GBK); a file that is
neither is refused with a reason, never decoded into mojibake. A text file with NUL bytes
is refused too: that is UTF-16 without a BOM (which decodes as valid UTF-8) or not text.
Rows are counted as the reader yields them, never from line breaks or an XLSX's own
claim of its size, so the upload's row limit holds whatever the file says.
"""

import codecs
import csv
import io
import os
import re
import zipfile
import zlib
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
# The standard sheet has 21 columns; a vendor's own adds a few. A 100,000-column header
# made the mapping page 111 MB (every header is a row of choices), for every request.
MAX_COLUMNS = 200


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
    row_estimate: int  # data rows as the reader will yield them (blank ones too): the upload limit and progress
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


def _utf16_order(stream: BinaryIO) -> str | None:
    """UTF-16LE or UTF-16BE when NULs sit mostly at odd or even offsets (ASCII-heavy UTF-16 text)."""
    stream.seek(0)
    head = stream.read(65536)
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if max(odd, even) < len(head) // 8:
        return None
    return "UTF-16LE" if odd > even else "UTF-16BE"


def _first_nul(stream: BinaryIO) -> int:
    """The byte offset of the first NUL, or -1."""
    stream.seek(0)
    offset = 0
    while chunk := stream.read(_CHUNK):
        at = chunk.find(0)
        if at >= 0:
            return offset + at
        offset += len(chunk)
    return -1


def detect_encoding(stream: BinaryIO) -> str:
    """:raise SheetError: neither UTF-8 nor GB18030, or NUL bytes (UTF-16 without a BOM, or binary)."""
    nul = _first_nul(stream)
    if nul >= 0:
        order = _utf16_order(stream)
        if order:
            raise SheetError(
                f"文件看起来是 {order} 编码（无 BOM），不是 UTF-8 或 GBK/GB18030；请另存为 UTF-8 CSV 或 XLSX / "
                f"the file looks like {order} without a BOM, not UTF-8 or GBK/GB18030; save it as UTF-8 CSV or XLSX")
        raise SheetError(f"文件第 {nul} 字节处含 NUL 字节，不是文本表格 / "
                         f"the file has a NUL byte at byte {nul}: it is not a text sheet")
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


def _count_records(stream: BinaryIO, encoding: str) -> int:
    """Records as csv.reader sees them: "\r", "\n" and "\r\n" all end one; a quoted break does not."""
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    records = 0
    try:
        for _ in csv.reader(text):
            records += 1
    except csv.Error:
        pass  # the rows iterator reports it, with its row number, when it gets there
    finally:
        text.detach()  # leave the caller's stream open
    return records


def _check_width(header: list[str]) -> None:
    if len(header) > MAX_COLUMNS:
        raise SheetError(f"表格有 {len(header)} 列，超过上限 {MAX_COLUMNS} 列 / "
                         f"the sheet has {len(header)} columns, more than the limit of {MAX_COLUMNS}")


def _csv_sheet(stream: BinaryIO) -> Sheet:
    encoding = detect_encoding(stream)
    estimate = max(_count_records(stream, encoding) - 1, 0)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise SheetError("文件是空的 / the file is empty") from None
    except csv.Error as exc:
        raise SheetError(f"无法读取表头 / cannot read the header row: {exc}") from None
    _check_width(header)

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
    if isinstance(value, datetime) and (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
        # openpyxl reads a date cell as a datetime at midnight: keep it a date, so an end date
        # (available_to) means the end of that day, as the same date typed as text does.
        return value.date().isoformat()
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
    # Read-only mode stops at (and pads to) the <dimension ref> the file states; a crafted or
    # buggy one hid rows past it, or padded a few rows out to 1,048,576 × 16,384 cells.
    sheet.reset_dimensions()
    iterator = sheet.iter_rows(values_only=True)
    try:
        header = [_cell_text(v).strip() for v in next(iterator)]
    except StopIteration:
        workbook.close()
        raise SheetError("工作表是空的 / the worksheet is empty") from None
    except Exception as exc:  # the sheet's XML is read lazily: damage shows up here, not at open
        workbook.close()
        raise _damaged(1, exc) from None
    while header and not header[-1]:
        header.pop()
    try:
        _check_width(header)
        estimate = max(_xlsx_row_count(workbook.worksheets[0]) - 1, 0)
    except Exception:
        workbook.close()
        raise

    def rows() -> Iterator[SheetRow]:
        number = 1
        try:
            while True:
                try:
                    values = next(iterator)
                except StopIteration:
                    return
                except Exception as exc:  # damaged XML or compression past the header (ParseError, zlib.error…)
                    raise _damaged(number + 1, exc) from None
                number += 1
                yield SheetRow(number, [_cell_text(v) for v in values])
        finally:
            sheet.close()

    sheet = Sheet(header=header, rows=rows(), encoding="xlsx", row_estimate=estimate,
                  closers=[stream.close] * owned + [workbook.close])
    return sheet


# A <row> start tag in the sheet XML, with or without a namespace prefix, and its r="…" attribute.
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")


def _xlsx_row_count(worksheet) -> int:
    """Rows the reader will yield (the last row's number; openpyxl fills gaps), from the sheet's XML.

    A scan of the <row> tags, not an XML parse: it is the upload's row limit, read in the
    request, and a parse of a 100,000-row sheet takes several times as long. In XML text a
    "<" is always a tag, so no cell text can add or hide a row.
    """
    current = highest = 0

    def scan(text: bytes) -> None:
        nonlocal current, highest
        for match in _ROW_TAG.finditer(text):
            number = _ROW_NUMBER.search(match.group(1))
            current = int(number.group(1)) if number else current + 1
            highest = max(highest, current)  # out-of-order numbers: the reader still reaches the highest

    tail = b""
    try:
        with worksheet._get_source() as source:  # openpyxl's own handle on the sheet's XML in the zip
            while chunk := source.read(_CHUNK):
                data = tail + chunk
                cut = data.rfind(b"<")  # a tag cut by the chunk's end is scanned with the next chunk
                body, tail = (data, b"") if cut < 0 else (data[:cut], data[cut:])
                scan(body)
            scan(tail)
    except (OSError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise _damaged(1, exc) from None
    return highest


def _damaged(row: int, exc: Exception) -> SheetError:
    return SheetError(f"XLSX 文件已损坏，第 {row} 行附近无法读取 / the XLSX file is damaged: "
                      f"cannot read it near row {row} ({exc.__class__.__name__})")


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
