"""Fuzzing the sheet decoder and the offer schema: hostile files get a clean refusal, never a crash.

open_sheet() and iterating its rows may raise SheetError and nothing else, whatever the
bytes, the name, the encoding or the shape of the header; OfferSchema.load() may raise
ValidationError and nothing else, whatever the cells.
"""

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError
from openpyxl import Workbook

from catalog.context import SEED_FX
from catalog.registry import default_registries
from offers.schema import ALL_COLUMNS, CatalogContext, OfferSchema, sheet_schema
from offers.sheet_reader import SheetError, open_sheet
from pricing.currency import FxTable

names = st.sampled_from(["prices.csv", "prices.xlsx", "prices.xls", "PRICES.CSV", "noext", "", "a.txt",
                         "价格表.csv", "../../etc/passwd", "x.xlsx.csv"])
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "latin-1", "big5", "shift_jis",
             "cp1252", "euc-kr"]
# Cells as vendors fill them, plus the characters that break naive CSV handling.
cell_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12) | st.sampled_from(
    ["", " ", "\"", ",", "\n", "\r\n", "=1+1", "A100", "¥1.90", "按量", "元/卡时", "\x00"])


def read_all(data: bytes, name: str) -> tuple[list[str], list[list[str]]]:
    """Open and drain a sheet the way the importer does; only SheetError may escape."""
    try:
        sheet = open_sheet(io.BytesIO(data), filename=name)
        return sheet.header, [row.cells for row in sheet.rows]
    except SheetError:
        return [], []


def xlsx_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@given(st.binary(max_size=2048), names)
@example(b"PK\x03\x04" + b"\x00" * 100, "prices.csv")
@example(b"\xd0\xcf\x11\xe0garbage", "prices.csv")
@example(b"\xff\xfe\x00\x00", "prices.csv")
@example(b"a,b\n\"unterminated", "prices.csv")
@example(b"a\x00b,c\n1,2", "prices.csv")
@settings(max_examples=300)
def test_random_bytes_are_read_or_refused_cleanly(data, name):
    read_all(data, name)


@given(st.lists(st.lists(cell_text, min_size=1, max_size=6), min_size=1, max_size=6),
       st.sampled_from(ENCODINGS), names)
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_random_text_in_random_encodings_is_read_or_refused_cleanly(rows, encoding, name):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    try:
        data = out.getvalue().encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    read_all(data, name)


@given(st.lists(st.lists(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
                                 max_size=10), min_size=1, max_size=5), min_size=1, max_size=5),
       st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
@settings(max_examples=200)
def test_utf8_and_gb18030_sheets_read_back_as_written(rows, encoding):
    assume(any(c for c in rows[0]) or len(rows[0]) > 1)  # a lone empty header cell is an empty line
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = out.getvalue().encode(encoding)
    if encoding == "gb18030":
        try:  # bytes that are also valid UTF-8 are read as UTF-8 by design (tried first)
            data.decode("utf-8")
            assume(data.isascii())
        except UnicodeDecodeError:
            pass
    sheet = open_sheet(io.BytesIO(data), filename="prices.csv")
    assert sheet.header == [h.strip() for h in rows[0]]
    written = [r if r != [""] else [""] for r in rows[1:]]
    assert [row.cells for row in sheet.rows] == written


xlsx_cells = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False, allow_infinity=False) \
    | st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=20) \
    | st.dates(min_value=date(1900, 3, 1)) | st.datetimes(min_value=datetime(1900, 3, 1))


@given(st.lists(st.lists(xlsx_cells, min_size=1, max_size=5), min_size=1, max_size=5))
@settings(max_examples=60, deadline=None)
def test_random_workbooks_are_read_or_refused_cleanly(rows):
    header, body = read_all(xlsx_bytes(rows), "prices.xlsx")
    for cells in body:
        assert all(isinstance(c, str) for c in cells)


def _workbook_and_sheet_span() -> tuple[bytes, int, int]:
    """A workbook big enough to be read lazily, and where its worksheet's compressed bytes lie."""
    data = xlsx_bytes([["sku", "kind", "price", "description"]]
                      + [[f"sku-{i}", "gpu", i * 1.5, "八卡 A100 裸金属"] for i in range(2000)])
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    return data, start, start + info.compress_size


GOOD_XLSX, SHEET_START, SHEET_END = _workbook_and_sheet_span()


# Flips mostly inside the worksheet's data, which openpyxl decompresses only while rows are read.
@given(st.none() | st.integers(64, len(GOOD_XLSX) - 1),
       st.lists(st.tuples(st.integers(SHEET_START, SHEET_END - 1) | st.integers(4, len(GOOD_XLSX) - 1),
                          st.integers(0, 255)), max_size=6))
@settings(max_examples=100, deadline=None)
def test_damaged_workbooks_are_refused_cleanly(length, flips):
    """Truncated or bit-flipped XLSX files: a SheetError at open or while reading rows, nothing else."""
    raw = bytearray(GOOD_XLSX)
    for at, byte in flips:
        raw[at] = byte
    read_all(bytes(raw[:length]), "prices.xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(SheetError):
        open_sheet(io.BytesIO(out.getvalue()), filename="prices.xlsx")


CONTEXT = CatalogContext(registries=default_registries(), fx=FxTable.load(SEED_FX))
cell_values = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["gpu", "cpu", "token", "A100", "H100 80GB", "4090", "cn-beijing", "按量", "包月", "元/卡时",
                     "USD", "美元/小时", "1m_tokens", "per hour", "month", "-1", "0", "1e999999999", "1e-999999",
                     "NaN", "¥1.90", "1,000.5", "9" * 60, "0.000000001", "gpt-4o", "deepseek-chat", "x86", "arm"]),
    st.integers(-10**20, 10**20), st.floats(), st.decimals(), st.booleans(), st.none(),
)


@given(st.dictionaries(st.sampled_from(ALL_COLUMNS), cell_values, max_size=12))
@example({"sku": "a", "kind": "gpu", "gpu_model": "A100", "region": "cn-beijing", "billing": "按量",
          "price": "1e999999999", "currency": "CNY", "price_unit": "hour"})
@example({"sku": "a", "kind": "token", "model": "deepseek-chat", "price": "1e-999999", "currency": "CNY",
          "price_unit": "1m_tokens"})
@example({"sku": "a", "kind": "cpu", "region": "cn-beijing", "billing": "按量", "price": "1e30",
          "currency": "USD", "price_unit": "minute", "vcpus": "0.0000001"})
@settings(max_examples=400, deadline=None)
def test_random_offer_rows_are_accepted_or_refused_with_messages(row):
    for schema in (OfferSchema(CONTEXT), sheet_schema(CONTEXT)):
        try:
            offer = schema.load(row)
        except ValidationError as exc:
            assert exc.messages
            continue
        assert offer["unit_price"] >= 0
        assert isinstance(offer["unit_price"], Decimal)


@given(st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=8) | st.lists(st.text()) | st.text())
def test_random_json_bodies_are_refused_with_messages(body):
    try:
        OfferSchema(CONTEXT).load(body)
    except ValidationError as exc:
        assert exc.messages
