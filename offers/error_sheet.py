"""Write the bad rows of a sheet back out, as they were, with an error column to fix and re-upload."""

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from catalog.csv_export import neutralize  # the one CSV-injection guard, shared with the catalog export
from offers.mapping_memory import ERROR_COLUMN
from offers.sheet_reader import open_sheet


def _messages_by_row(errors: Iterable[dict]) -> dict[int, list[str]]:
    by_row: dict[int, list[str]] = {}
    for error in errors:
        where = f"{error['column']}: " if error.get("column") else ""
        by_row.setdefault(int(error["row"]), []).append(where + error["message"])
    return by_row


def error_sheet_csv(source: Path, filename: str, errors: Iterable[dict]) -> bytes:
    """UTF-8 (with BOM) CSV: the original header plus ERROR_COLUMN, then each bad row with its reasons."""
    by_row = _messages_by_row(errors)
    with Path(source).open("rb") as handle:
        return _write(open_sheet(handle, filename=filename), by_row)


def _write(sheet, by_row: dict[int, list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    header = [h for h in sheet.header if h != ERROR_COLUMN]
    keep = [i for i, h in enumerate(sheet.header) if h != ERROR_COLUMN]
    writer.writerow([neutralize(h) for h in header] + [ERROR_COLUMN])
    if 1 in by_row:  # a whole-file problem has no row of its own
        writer.writerow([""] * len(header) + [neutralize("; ".join(by_row.pop(1)))])
    for row in sheet.rows:
        messages = by_row.get(row.number)
        if messages:
            cells = [row.cells[i] if i < len(row.cells) else "" for i in keep]
            writer.writerow([neutralize(c) for c in cells] + [neutralize("; ".join(messages))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
