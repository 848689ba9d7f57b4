import csv
import io

import pytest

from catalog import csv_export
from offers.error_sheet import error_sheet_csv, neutralize
from offers.mapping_memory import ERROR_COLUMN


def test_neutralize_formula_cells():
    assert [neutralize(c) for c in ("=1+1", "+x", "-2", "@a", "ok", "")] == ["'=1+1", "'+x", "'-2", "'@a", "ok", ""]


def test_error_sheet_keeps_bad_rows_as_written_with_reasons(tmp_path):
    source = tmp_path / "s.csv"
    source.write_bytes("编号,单价\na,1\nb,-5\nc,x\n".encode("gb18030"))
    errors = [{"row": 3, "column": "price", "message": "价格必须大于 0 / price must be greater than 0"},
              {"row": 4, "column": "price", "message": "不是有效数字 / not a number"},
              {"row": 4, "column": None, "message": "again"}]
    data = error_sheet_csv(source, "s.csv", errors)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["编号", "单价", ERROR_COLUMN]
    assert rows[1] == ["b", "'-5", "price: 价格必须大于 0 / price must be greater than 0"]
    assert rows[2] == ["c", "x", "price: 不是有效数字 / not a number; again"]
    assert len(rows) == 3


@pytest.mark.parametrize("cell", ["\t=1+2", "\r=1+2", "=HYPERLINK(\"x\")", "-2", "@SUM(A1)"])
def test_the_error_sheet_neutralizes_every_cell_the_catalog_export_does(tmp_path, cell):
    # A leading tab or carriage return hid a formula from the error sheet's own, shorter list.
    source = tmp_path / "s.csv"
    out = io.StringIO()
    csv.writer(out).writerows([["编号", "单价"], [cell, "x"]])
    source.write_text(out.getvalue(), encoding="utf-8")
    data = error_sheet_csv(source, "s.csv", [{"row": 2, "column": "price", "message": "bad"}])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[1][0] == "'" + cell == csv_export.neutralize(cell)
