"""Tables for download: CSV (UTF-8 with BOM, so Excel opens Chinese correctly) and .xlsx,
with every cell that Excel would read as a formula neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from votesys.fields import clean

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A mimetype, not a Content-Type: Werkzeug adds "; charset=utf-8" to every text/* one.
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: object) -> object:
    """A text that starts like a formula is shown as text by Excel, never run; control
    characters an older row may hold are dropped (Excel's files cannot carry them)."""
    if not isinstance(value, str):
        return value
    value = clean(value)
    if value[:1] in FORMULA_START:
        return "'" + value
    return value


def to_csv(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def to_xlsx(header: Sequence[object], rows: Iterable[Sequence[object]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=clean(title)[:31])
    sheet.append([str(h) for h in header])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table(header, rows, fmt: str, title: str) -> tuple[bytes | str, str]:
    if fmt == "xlsx":
        return to_xlsx(header, rows, title), XLSX_MIMETYPE
    return to_csv(header, rows), CSV_MIMETYPE
