"""Rosters and candidate lists from .xlsx or .csv: every bad row reported, nothing half-imported."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _translated
from flask_babel import lazy_gettext as _l

from votesys import fields, public_cache
from votesys.errors import DomainError, InvalidInput
from votesys.integrity.services import audit

MAX_ROWS = 20000
# An .xlsx is a zip: what its entries declare they inflate to is checked before anything is
# inflated, so that a small "zip bomb" named .xlsx is refused without being opened.
MAX_XLSX_INFLATED = 64 * 1024 * 1024
MAX_XLSX_ENTRIES = 1000
MAX_XLSX_RATIO = 200  # a real sheet compresses ~10×; a bomb ~1000×


def load_workbook(*args, **kwargs):
    """openpyxl's, imported on first use: a server process that never reads a sheet does
    not carry it (8 MB with Pillow, which it imports)."""
    from openpyxl import load_workbook as load

    return load(*args, **kwargs)


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    reason: str


class ImportRefused(Exception):
    """The file as a whole cannot be read, or some rows are bad."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


class Refusal:
    """A domain error's message as a row's reason, translated when it is shown."""

    def __init__(self, code: str, params: dict[str, Any]) -> None:
        self.code, self.params = code, params

    def __str__(self) -> str:
        return DomainError(self.code, **self.params).message


def reason_of(err: DomainError) -> Any:
    """What a row's refusal says: a field's reason, else the error's own message."""
    if err.code == "invalid":
        return err.params.get("reason", err.code)
    return Refusal(
        err.code, {k: v if isinstance(v, int) else str(v) for k, v in err.params.items()}
    )


def errors_json(errors: list[RowError]) -> str:
    """Row errors as JSON, kept by a background job: each reason by its message id and
    parameters where it has them, so that it is shown in the reader's language."""
    return json.dumps([[e.row, e.column, _portable(e.reason)] for e in errors], ensure_ascii=False)


def errors_from_json(text: str) -> list[RowError]:
    return [RowError(row, column, _revived(reason)) for row, column, reason in json.loads(text)]


def _portable(reason: Any) -> dict[str, Any]:
    if isinstance(reason, Refusal):
        return {"code": reason.code, "params": reason.params}
    if isinstance(reason, LazyString) and getattr(reason, "_func", None) is _translated:
        args, params = reason._args, reason._kwargs
        if len(args) == 1 and isinstance(args[0], str):
            values = {k: v if isinstance(v, int | float) else str(v) for k, v in params.items()}
            return {"msgid": args[0], "params": values}
    return {"text": str(reason)}


def _revived(reason: dict[str, Any]) -> Any:
    if "code" in reason:
        return Refusal(reason["code"], reason["params"])
    if "msgid" in reason:
        return LazyString(_translated, reason["msgid"], **reason["params"])
    return reason["text"]


class Progress:
    """Where an import reports its stage (``checking``, ``hashing``, ``writing``) and the rows
    it has done: to nobody when it is answered in its request; a background job's progress
    (votesys.congress.jobs) keeps them for the job's page."""

    def stage(self, name: str, total: int) -> None:
        """A stage begins (its rows done back to 0)."""

    def writing(self, total: int) -> None:
        """The rows' one transaction begins."""

    def advance(self, n: int = 1) -> None:
        """``n`` more rows of the stage are done."""


INLINE = Progress()


@dataclass(frozen=True)
class Upload:
    """A spreadsheet as uploaded: its name, the SHA-256 of its bytes (which the import's audit
    entry names), its table, and how many data rows it holds."""

    filename: str
    sha256: str
    table: list[list[Any]]
    rows: int


def finish(
    action: str, target: str, actor: str, upload: Upload, imported: int, **details: Any
) -> dict[str, int]:
    """An import's last statements, in its one transaction: the public pages' data is
    renewed, and the one audit entry names the file (name, SHA-256, rows) and what it made.
    Taken last, so the audit chain's head is held for a moment only."""
    public_cache.renew()
    audit(
        action,
        target,
        actor=actor,
        file=upload.filename,
        sha256=upload.sha256,
        rows=upload.rows,
        imported=imported,
        **details,
    )
    return {"imported": imported}


def read_upload(filename: str, content: bytes, columns: tuple[Column, ...]) -> Upload:
    """Read the file and its header row at once (ImportRefused when it cannot be read, lacks
    a column or holds no data or too many rows); its rows are checked by the import."""
    table = read_table(filename, content)
    count = len(records(table, columns))
    return Upload(filename[:200], hashlib.sha256(content).hexdigest(), table, count)


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]
    required: bool = True


DEPUTY_COLUMNS = (
    Column("code", ("代表编号", "编号", "code", "deputy code")),
    Column("name", ("姓名", "name")),
    Column("pin", ("初始PIN", "PIN", "pin", "初始密码")),
    Column("delegation", ("代表团", "delegation"), required=False),
    Column("status", ("状态", "status"), required=False),
)
CANDIDATE_COLUMNS = (
    Column("title", ("项目名称", "title")),
    Column("summary", ("项目简介", "summary"), required=False),
    Column(
        "responsible_unit", ("责任单位", "responsible unit", "responsible_unit"), required=False
    ),
    Column(
        "budget_wan", ("预算（万元）", "预算(万元)", "预算", "budget_wan", "budget"), required=False
    ),
)
STATUS_WORDS = {
    "在任": "active",
    "active": "active",
    "": "active",
    "终止": "terminated",
    "已终止": "terminated",
    "terminated": "terminated",
}


def read_table(filename: str, content: bytes) -> list[list[Any]]:
    """Rows of the first sheet (.xlsx) or of the file (.csv, UTF-8 with or without BOM, or GBK)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        _refuse_zip_bomb(content)
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl's InvalidFileException, KeyError, ValueError, OSError…
            raise ImportRefused([RowError(0, "", _l("not a readable .xlsx file"))]) from None
        sheet = book.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1)]
        book.close()
        return rows
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportRefused([RowError(0, "", _l("the .csv file is neither UTF-8 nor GBK"))])
        try:
            return [row for row in csv.reader(io.StringIO(text))][: MAX_ROWS + 1]
        except csv.Error:
            raise ImportRefused([RowError(0, "", _l("the .csv file cannot be read"))]) from None
    raise ImportRefused([RowError(0, "", _l("choose an .xlsx or .csv file"))])


def _refuse_zip_bomb(content: bytes) -> None:
    """Refuse an .xlsx whose zip directory declares too much, from the directory alone."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise ImportRefused([RowError(0, "", _l("not a readable .xlsx file"))]) from None
    inflated = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries)
    if (
        len(entries) > MAX_XLSX_ENTRIES
        or inflated > MAX_XLSX_INFLATED
        or inflated > MAX_XLSX_RATIO * max(packed, 1024)
    ):
        raise ImportRefused(
            [RowError(0, "", _l("the .xlsx file unpacks to too much data to be a sheet"))]
        )


def records(rows: list[list[Any]], columns: tuple[Column, ...]) -> list[tuple[int, dict]]:
    """Map the header row to columns; return (row number, values) for each non-empty row."""
    if not rows:
        raise ImportRefused([RowError(1, "", _l("the file is empty"))])
    header = [_cell(h) for h in rows[0]]
    index: dict[str, int] = {}
    for column in columns:
        names = {h.lower() for h in column.headers}
        found = [i for i, h in enumerate(header) if h.lower() in names]
        if found:
            index[column.key] = found[0]
        elif column.required:
            raise ImportRefused(
                [RowError(1, column.headers[0], _l("column missing from the header row"))]
            )
    if len(rows) > MAX_ROWS + 1:
        raise ImportRefused([RowError(MAX_ROWS + 2, "", _l("at most %(n)s rows", n=MAX_ROWS))])
    out = []
    for n, row in enumerate(rows[1:], start=2):
        values = {k: _cell(row[i]) if i < len(row) else "" for k, i in index.items()}
        if any(values.values()):
            out.append((n, values))
    if not out:
        raise ImportRefused([RowError(2, "", _l("no data rows under the header"))])
    return out


def batches(items: list, size: int = 1000) -> Iterator[list]:
    """``items`` in slices of ``size``: the rows of one transaction, written a batch at a time."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read(errors: list[RowError], row: int, column: str, reader: Callable, *args, **kw) -> Any:
    """A cell read by a ``votesys.fields`` reader; a refusal joins ``errors`` (and the
    cell reads as None, since nothing is imported unless every row is good)."""
    try:
        return reader(args[0], column, *args[1:], **kw)
    except InvalidInput as err:
        errors.append(RowError(row, column, err.params.get("reason", err.code)))
        return None


def deputies(rows: list[list[Any]], taken: Callable[[list[str]], set[str]]) -> list[dict]:
    """Validated deputy rows; raises ImportRefused listing every bad cell. ``taken`` says
    which of the codes already belong to a deputy or a login."""
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    out = []
    found = records(rows, DEPUTY_COLUMNS)
    taken_codes = taken([v["code"] for _, v in found if v["code"]])
    for n, v in found:
        code, name, pin = v["code"], v["name"], v["pin"]
        if not code:
            errors.append(RowError(n, "代表编号", _l("required")))
        elif len(code) > 32:
            errors.append(RowError(n, "代表编号", _l("at most 32 characters")))
        elif code in seen:
            errors.append(RowError(n, "代表编号", _l("duplicate of row %(row)s", row=seen[code])))
        elif code in taken_codes:
            errors.append(RowError(n, "代表编号", _l("already registered")))
        elif fields.CONTROL.search(code) or fields.DIRECTION.search(code):
            errors.append(RowError(n, "代表编号", _l("must not contain control characters")))
        seen.setdefault(code, n)
        name = _read(errors, n, "姓名", fields.text, name, 100)
        pin = _read(errors, n, "PIN", fields.pin, pin)
        status = STATUS_WORDS.get(v.get("status", "").lower())
        if status is None:
            errors.append(RowError(n, "状态", _l("在任/active or 终止/terminated")))
        out.append(
            {
                "row": n,
                "code": code,
                "name": name,
                "pin": pin,
                "status": status,
                "delegation": _read(
                    errors, n, "代表团", fields.text, v.get("delegation"), 100, required=False
                ),
            }
        )
    if errors:
        raise ImportRefused(errors)
    return out


def candidates(rows: list[list[Any]]) -> list[dict]:
    """Validated candidate rows; raises ImportRefused listing every bad cell."""
    errors: list[RowError] = []
    out = []
    for n, v in records(rows, CANDIDATE_COLUMNS):
        title = _read(errors, n, "项目名称", fields.text, v["title"], 200)
        raw = v.get("budget_wan", "")
        budget = _read(errors, n, "预算（万元）", fields.money, raw) if raw else None
        out.append(
            {
                "title": title,
                "summary": _read(
                    errors, n, "项目简介", fields.text, v.get("summary"), 2000, required=False
                ),
                "responsible_unit": _read(
                    errors,
                    n,
                    "责任单位",
                    fields.text,
                    v.get("responsible_unit"),
                    200,
                    required=False,
                ),
                "budget_wan": budget,
            }
        )
    if errors:
        raise ImportRefused(errors)
    return out
