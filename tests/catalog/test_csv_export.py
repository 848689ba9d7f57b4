import csv
import io

import pytest

from catalog.csv_export import BOM, csv_text, neutralize


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_cells_are_prefixed_so_spreadsheets_show_text(cell):
    assert neutralize(cell) == "'" + cell


@pytest.mark.parametrize("cell, expected", [("A100 80G", "A100 80G"), (12.5, "12.5"), (None, ""), ("a=b", "a=b")])
def test_ordinary_cells_are_left_alone(cell, expected):
    assert neutralize(cell) == expected


def test_csv_starts_with_a_bom_and_round_trips_chinese():
    text = csv_text(["名称", "价格"], [["=cmd|' /C calc'!A0", "1.90"], ["杭州 4090, 单卡", "2.08"]])
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text[len(BOM):])))
    assert rows == [["名称", "价格"], ["'=cmd|' /C calc'!A0", "1.90"], ["杭州 4090, 单卡", "2.08"]]
