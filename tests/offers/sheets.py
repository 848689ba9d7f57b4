"""Build small price sheets in any encoding or as XLSX, for tests."""

import csv
import io

from openpyxl import Workbook

STANDARD_HEADER = ["sku", "kind", "title", "region", "billing", "gpu_model", "gpu_count", "gpu_memory_gb", "vcpus",
                   "ram_gb", "cpu_arch", "model", "context_window", "price", "input_price", "output_price",
                   "currency", "price_unit", "stock", "description"]


def rows_to_dicts(header: list[str], rows: list[dict]) -> list[list[str]]:
    return [[str(row.get(h, "")) for h in header] for row in rows]


def csv_bytes(header: list[str], rows: list[dict], encoding: str = "utf-8", newline: str = "\n") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows_to_dicts(header, rows))
    return out.getvalue().encode(encoding)


def xlsx_bytes(header: list[str], rows: list[dict], numeric: tuple[str, ...] = ()) -> bytes:
    """An XLSX workbook; columns named in `numeric` are written as numbers, as Excel would."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([float(row[h]) if h in numeric and row.get(h) not in (None, "") else row.get(h, "")
                      for h in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
