"""Sheets in every encoding Chinese Excel saves, XLSX, and files that are not sheets at all."""

import io

import pytest

from offers.sheet_reader import SheetError, open_sheet
from tests.offers.sheets import csv_bytes, xlsx_bytes

HEADER = ["编号", "类型", "标题", "单价"]
ROWS = [{"编号": "a1", "类型": "GPU", "标题": "英伟达 4090 杭州节点", "单价": "1.98"},
        {"编号": "a2", "类型": "显卡", "标题": "昇腾910B 包月", "单价": "9000"}]


def read(data: bytes, name: str = "sheet.csv"):
    sheet = open_sheet(io.BytesIO(data), filename=name)
    return sheet, [(r.number, r.cells) for r in sheet.rows]


@pytest.mark.parametrize(("encoding", "detected"), [
    ("utf-8", "utf-8-sig"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030"),
])
def test_csv_in_each_encoding_reads_the_same_chinese_text(encoding, detected):
    sheet, rows = read(csv_bytes(HEADER, ROWS, encoding=encoding))
    assert sheet.encoding == detected
    assert sheet.header == HEADER  # a BOM never sticks to the first header
    assert rows == [(2, ["a1", "GPU", "英伟达 4090 杭州节点", "1.98"]), (3, ["a2", "显卡", "昇腾910B 包月", "9000"])]


def test_gb18030_only_characters_survive():
    # "𠮷" is outside GBK; GB18030 encodes it in four bytes.
    rows = [{"编号": "a1", "类型": "GPU", "标题": "𠮷野家 A100", "单价": "1"}]
    _, got = read(csv_bytes(HEADER, rows, encoding="gb18030"))
    assert got[0][1][2] == "𠮷野家 A100"


def test_crlf_line_endings():
    _, rows = read(csv_bytes(HEADER, ROWS, newline="\r\n"))
    assert rows[1][1][3] == "9000"


def test_xlsx_numbers_come_back_as_written():
    data = xlsx_bytes(HEADER, [{**ROWS[0], "单价": "1.98"}, {**ROWS[1], "单价": "9000"}], numeric=("单价",))
    sheet, rows = read(data, "prices.xlsx")
    assert sheet.encoding == "xlsx"
    assert [r[1][3] for r in rows] == ["1.98", "9000"]


def test_a_file_that_is_neither_utf8_nor_gb18030_is_refused_with_a_reason():
    data = "sku,title\na1,テスト\n".encode("shift_jis") + b"\xff\xfe\x80"
    with pytest.raises(SheetError) as err:
        read(data)
    assert "UTF-8" in str(err.value) and "GB18030" in str(err.value)


@pytest.mark.parametrize(("data", "name", "words"), [
    (b"", "empty.csv", "空"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", ".xls"),
    (b"sku,kind\n", "fake.xlsx", "XLSX"),
    (b"PK\x03\x04 not really a zip", "broken.xlsx", "XLSX"),
])
def test_files_that_are_not_sheets_are_refused(data, name, words):
    with pytest.raises(SheetError) as err:
        read(data, name)
    assert words in str(err.value)
