"""CSV for spreadsheets: UTF-8 with a BOM (so Excel reads Chinese) and formula cells neutralized."""

import csv
import io
from collections.abc import Iterable, Sequence

BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel/LibreOffice (OWASP "CSV injection");
# tab and carriage return can smuggle one past a naive check.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value) -> str:
    """The cell as text, prefixed with ' when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """The whole CSV, BOM first, every cell neutralized."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralize(h) for h in header])
    for row in rows:
        writer.writerow([neutralize(cell) for cell in row])
    return out.getvalue()
