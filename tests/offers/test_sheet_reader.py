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


def _staged_rows(tmp_path, data: bytes, name: str, max_rows: int):
    from offers.upload_session import UploadLimits, stage_upload

    return stage_upload(str(tmp_path), io.BytesIO(data), name, 1, 1, UploadLimits(max_rows=max_rows))


def test_carriage_return_only_line_endings_count_every_row(tmp_path):
    # Old Mac line endings: counting "\n" saw one line, and a 150,000-row sheet passed the 100,000 limit.
    data = csv_bytes(HEADER, ROWS * 3, newline="\r")
    sheet, rows = read(data)
    assert len(rows) == 6 and sheet.row_estimate == 6
    with pytest.raises(SheetError, match="超过上限 5 行"):
        _staged_rows(tmp_path, data, "mac.csv", max_rows=5)
    assert list(tmp_path.iterdir()) == []  # nothing kept


def test_a_quoted_multi_line_cell_is_one_row():
    data = b'sku,description\na1,"line one\nline two\rline three"\na2,x\n'
    sheet, rows = read(data)
    assert sheet.row_estimate == 2 and rows[0] == (2, ["a1", "line one\nline two\rline three"])


@pytest.mark.parametrize("name", ["wide.csv", "wide.xlsx"])
def test_a_sheet_with_too_many_columns_is_refused_naming_the_limit_and_the_count(name):
    from offers.sheet_reader import MAX_COLUMNS

    header = [f"c{i}" for i in range(MAX_COLUMNS + 1)]
    data = csv_bytes(header, []) if name.endswith(".csv") else xlsx_bytes(header, [])
    with pytest.raises(SheetError) as err:
        read(data, name)
    message = str(err.value)
    assert f"{MAX_COLUMNS + 1}" in message and f"{MAX_COLUMNS}" in message
    assert "列" in message and "columns" in message
    sheet, _ = read(csv_bytes(header[:MAX_COLUMNS], []))
    assert len(sheet.header) == MAX_COLUMNS


@pytest.mark.parametrize(("encoding", "named"), [("utf-16-le", "UTF-16LE"), ("utf-16-be", "UTF-16BE")])
def test_utf16_without_a_bom_is_refused_with_the_encoding_named(encoding, named):
    # Plain ASCII in UTF-16 is valid UTF-8 (every other byte NUL): it used to map as garbage headers.
    data = "sku,kind,price\na1,gpu,1\n".encode(encoding)
    with pytest.raises(SheetError) as err:
        read(data)
    assert named in str(err.value) and "UTF-8" in str(err.value)


def test_nul_bytes_in_a_csv_are_refused_with_where():
    data = b"sku,kind\na1,gpu\na2\x00,gpu\n"
    with pytest.raises(SheetError) as err:
        read(data)
    assert "NUL" in str(err.value) and "byte 18" in str(err.value)


def _with_dimension(data: bytes, ref: str) -> bytes:
    """The same workbook with its first sheet's <dimension ref> rewritten (a crafted file)."""
    import re
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content, count = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), content)
                assert count == 1
            target.writestr(item, content)
    return out.getvalue()


def test_an_xlsx_whose_dimension_understates_its_rows_is_read_whole(tmp_path):
    # openpyxl's read-only mode stops at <dimension ref>: rows past it were silently skipped
    # (and with "delist missing", their offers delisted).
    rows = [{**ROWS[0], "编号": f"a{i}"} for i in range(6)]
    data = _with_dimension(xlsx_bytes(HEADER, rows), "A1:B2")
    sheet, got = read(data, "short.xlsx")
    assert [cells[0] for _, cells in got] == [f"a{i}" for i in range(6)]
    assert [len(cells) for _, cells in got] == [4] * 6  # every column, not just A:B
    assert sheet.row_estimate == 6
    with pytest.raises(SheetError, match="超过上限 5 行"):
        _staged_rows(tmp_path, data, "short.xlsx", max_rows=5)


def test_an_xlsx_whose_dimension_overstates_its_size_is_not_padded():
    data = _with_dimension(xlsx_bytes(HEADER, ROWS), "A1:XFD1048576")
    sheet, got = read(data, "huge.xlsx")
    assert sheet.header == HEADER and sheet.row_estimate == 2
    assert [len(cells) for _, cells in got] == [4, 4]


@pytest.mark.parametrize(("filename", "code"), [("prices\x00.csv", "U+0000"), ("safe\u202evsc.csv", "U+202E")])
def test_a_file_name_with_invisible_characters_is_refused_before_it_is_stored(tmp_path, filename, code):
    # The name is stored with the upload: NUL failed PostgreSQL's INSERT with a 500.
    with pytest.raises(SheetError) as err:
        _staged_rows(tmp_path, csv_bytes(HEADER, ROWS), filename, max_rows=10)
    assert code in str(err.value) and "file name" in str(err.value) and "文件名" in str(err.value)
    assert list(tmp_path.iterdir()) == []
