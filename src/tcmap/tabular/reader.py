"""Read a filled-in template (CSV or XLSX, one activity per row) into ActivityRecords.

A bad cell never stops its row: the value is left out (unknown country, region and sector
codes are kept as given, as the IATI reader keeps them) and a problem names the row and
column. A sheet that cannot be read, or lacks the identifier or every title column, gives
one file-level problem and no rows.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from tcmap.errors import InputError, Problem
from tcmap.iati.codes import codelist
from tcmap.iati.record import ActivityRecord, Context, parse_number
from tcmap.tabular import Column, column_for
from tcmap.taxonomy import load_framework

# Bump when the reader extracts something new, so that re-import refreshes stored activities.
READER_VERSION = b"tcmap-sheet-reader/1"
_SEPARATOR = re.compile(r"[;\n]")
_ITEM = re.compile(r"^([^\s:]+)(?:\s*:\s*(.*?)\s*%?)?$")  # CODE or CODE:PERCENT
_ORG = re.compile(r"^([^\[\]]*?)\s*(?:\[\s*([^\[\]]*?)\s*\])?$")  # Name [REF]
_HINT_SAVE = "Save the sheet as 'CSV UTF-8' or as .xlsx (e.g. from the `tcmap template` file)."
Row = tuple[int, tuple[Any, ...]]


@dataclass
class SheetFile:
    """A sheet of activities being read; iterate over it for ActivityRecords."""

    path: Path
    name: str
    framework: str = "ilo-spf-2010-15"
    version: str | None = None
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self._framework = load_framework(self.framework)
        self._by = f"sheet:{Path(self.name).name}"[:100]
        self._taxonomy = False  # whether the sheet has taxonomy columns
        self._title_column = "title_en"  # where a missing title is reported

    def __iter__(self) -> Iterator[ActivityRecord]:
        try:
            if self.path.suffix.lower() == ".xlsx":
                rows = _xlsx_rows(self.path, self.name)
            else:
                rows = csv_rows(self.path, self.name)
            yield from self._records(rows)
        except InputError as exc:
            self.problems.append(exc.to_problem())

    def _file_problem(self, code: str, **context: Any) -> None:
        self.problems.append(Problem.make(code, file=self.name, **context))

    def _records(self, rows: Iterator[Row]) -> Iterator[ActivityRecord]:
        header = next(((n, cells) for n, cells in rows if not _blank(cells)), None)
        if header is None:
            self._file_problem("empty-sheet")
            return
        columns = self._header(*header)
        if columns is None:
            return
        ctx = Context(file=self.name, major=None)
        seen: set[str] = set()
        any_row = False
        for n, cells in rows:
            if _blank(cells):
                continue
            any_row = True
            values = [(col, v) for col, cell in zip(columns, cells, strict=False)
                      if col is not None and (v := cell_value(cell)) is not None]
            yield self._record(n, values, ctx, seen)
        if not any_row:
            self._file_problem("empty-sheet", row=header[0])

    def _header(self, row: int, cells: tuple[Any, ...]) -> list[Column | None] | None:
        """The column of each header cell (None: ignored), or None when a required one lacks."""
        columns: list[Column | None] = []
        names: set[str] = set()
        dims = self._framework.dimensions
        for cell in cells:
            value = cell_value(cell)
            text = "" if value is None else _text(value)
            col = column_for(text) if text else None
            if text and col is None:
                self._file_problem("unknown-column", row=row, column=text)
            elif col is not None and col.name in names:
                self._file_problem("unknown-column", row=row, column=text, message=(
                    "The column appears twice; only its first copy was read."))
                col = None
            elif col is not None and col.kind == "taxonomy-codes" and col.to not in dims:
                self._file_problem("unknown-column", row=row, column=text, message=(
                    f"The framework {self._framework.code} has no dimension {col.to!r}; "
                    "the column was ignored."))
                col = None
            if col is not None:
                names.add(col.name)
            columns.append(col)
        titles = [c.name for c in columns if c is not None and c.field == "title"]
        missing = [n for n, ok in (("identifier", "identifier" in names), ("title_en", titles))
                   if not ok]
        for name in missing:
            self._file_problem("missing-column", row=row, column=name, message=(
                f"The sheet has no {name!r} column"
                + (" (nor any other title_<language> column)" if name == "title_en" else "")
                + "; no rows were read."))
        if missing:
            return None
        self._title_column = titles[0]
        self._taxonomy = any(c is not None and c.kind == "taxonomy-codes" for c in columns)
        return columns

    def _record(
        self, row: int, values: list[tuple[Column, Any]], ctx: Context, seen: set[str]
    ) -> ActivityRecord:
        ident = next((_text(v) for col, v in values if col.name == "identifier"), None)
        rec = ActivityRecord(identifier=ident, line=row, ctx=ctx)
        rec.content_hash = self._hash(values)
        if ident is None:
            _problem(rec, "missing-identifier", "identifier",
                     message="The row has no identifier; it was skipped.",
                     hint="Fill in the identifier column: the reporter's IATI prefix plus "
                     "the project's own code, e.g. XM-DAC-41302-GHA/12/01/NOR.")
            return rec
        if ident in seen:
            _problem(rec, "duplicate-activity-identifier", "identifier", ident, message=(
                "The identifier appears on an earlier row of the sheet; this row was skipped."))
            return rec
        seen.add(ident)
        titles = [(col.lang, _text(v)) for col, v in values if col.field == "title"]
        lang = "en" if any(t[0] == "en" for t in titles) else (titles[0][0] if titles else "en")
        rec.columns.update(
            iati_identifier=ident, origin="sheet", default_lang=lang,
            title=next((t for t_lang, t in titles if t_lang == lang), None),
        )
        for col, v in values:
            if col.name != "identifier":
                _READERS[col.kind](self, rec, col, v)
        self._finish(rec, titles, values)
        return rec

    def _hash(self, values: list[tuple[Column, Any]]) -> str:
        h = hashlib.sha256(READER_VERSION)
        if self._taxonomy:  # the framework decides which codes become tags
            h.update(self._framework.version.encode())
        for name, text in sorted((col.name, _text(v)) for col, v in values):
            h.update(f"\x1e{name}\x1f{text}".encode())
        return h.hexdigest()

    def _finish(self, rec: ActivityRecord, titles: list, values: list) -> None:
        cols = rec.columns
        if not titles:
            _problem(rec, "missing-title", self._title_column,
                     hint="Fill in title_en (or another title_<language> column) on this row.")
        start = cols.get("start_actual") or cols.get("start_planned")
        cols["start_year"] = start.year if start else None
        amount = cols.pop("budget", None)
        if amount is not None:
            currency = cols.get("default_currency")
            if currency is None:
                _problem(rec, "missing-currency", "currency", message=(
                    "The budget has no currency; it was kept without one."))
            period_start = cols.get("start_planned") or cols.get("start_actual")
            rec.part("budgets", {
                "type": "1", "status": None, "period_start": period_start,
                "period_end": cols.get("end_planned") or cols.get("end_actual"),
                "value": amount, "currency": currency, "value_date": period_start,
            })
        countries, regions = (rec.parts.get(t, []) for t in ("recipient_countries",
                                                                "recipient_regions"))
        _check_sum(rec, countries + regions, "countries" if countries else "regions",
                   "countries and regions" if countries and regions else None)
        for vocabulary in ("1", "2"):
            _check_sum(rec, [r for r in rec.parts.get("sectors", ())
                             if r["vocabulary"] == vocabulary], "sectors")

    # Cell readers, one per kind of column; each stores what it reads into the record.

    def _text_cell(self, rec: ActivityRecord, col: Column, v: Any) -> None:
        text = _text(v)
        rec.columns[col.to] = text
        if col.to == "reporting_org_name":
            rec.narrative("reporting-org", None, "name", None, rec.columns["default_lang"], text)

    def _narrative_cell(self, rec: ActivityRecord, col: Column, v: Any) -> None:
        rec.narrative("activity", None, col.field, col.type, col.lang, _text(v))

    def _date_cell(self, rec: ActivityRecord, col: Column, v: Any) -> None:
        if isinstance(v, datetime):
            rec.columns[col.to] = v.date()
        elif isinstance(v, date):
            rec.columns[col.to] = v
        else:
            try:
                rec.columns[col.to] = date.fromisoformat(_text(v)[:10])
            except ValueError:
                _problem(rec, "bad-date", col.name, _text(v))

    def _number_cell(self, rec: ActivityRecord, col: Column, v: Any) -> None:
        number = parse_number(_text(v), None, None, col.name)
        if number is None:
            _problem(rec, "bad-amount", col.name, _text(v))
        rec.columns[col.to] = number

    def _code_cell(self, rec: ActivityRecord, col: Column, v: Any) -> None:
        code = _lookup(col.codelist, col.names).get(_text(v).lower())
        if code is None:
            _problem(rec, "unknown-code", col.name, _text(v), message=(
                f"The value is not a code{' or name' if col.names else ''} of the IATI "
                f"{col.codelist} codelist; it was left empty."))
        rec.columns[col.to] = code

    def _list_cell(self, rec: ActivityRecord, col: Column, v: Any) -> None:
        known = codelist(col.codelist)
        done: set[str] = set()
        for item in _items(v):
            m = _ITEM.match(item)
            if m is None:
                _problem(rec, "bad-list-value", col.name, item)
                continue
            code = m.group(1).upper() if col.codelist == "Country" else m.group(1)
            if code in done:
                _problem(rec, "bad-list-value", col.name, item, message=(
                    "The code appears twice in the cell; the repeat was ignored."))
                continue
            done.add(code)
            row: dict[str, Any] = {
                "code": code, "percentage": _percentage(rec, col, item, m.group(2))}
            if col.to == "sectors":  # a 3-digit DAC category is vocabulary 2
                category = code not in known and code in codelist("SectorCategory")
                row.update(vocabulary="2" if category else "1", vocabulary_uri=None, name=None)
            elif col.to == "recipient_regions":
                row["vocabulary"] = "1"
            if code not in known and row.get("vocabulary") != "2":
                _problem(rec, col.unknown, col.name, code)
            rec.part(col.to, row)

    def _org_cell(self, rec: ActivityRecord, col: Column, v: Any) -> None:
        for item in _items(v):
            m = _ORG.match(item)
            name, ref = (m.group(1) or None, m.group(2) or None) if m else (None, None)
            if name is None and ref is None:
                _problem(rec, "bad-list-value", col.name, item, hint=(
                    "Write organisations as Name [REF] items separated by semicolons, e.g. "
                    "International Labour Organization [XM-DAC-41302]; Ministry of Labour."))
                continue
            row = rec.part("participating_orgs", {
                "role": col.role, "type": None, "ref": ref, "name": name,
                "activity_ref": None, "crs_channel_code": None,
            })
            if name:
                rec.narrative("participating-org", str(row["seq"]), "name", None,
                              rec.columns["default_lang"], name)

    def _taxonomy_cell(self, rec: ActivityRecord, col: Column, v: Any) -> None:
        dimension = self._framework.dimensions[col.to]
        by_lower = {c.code.lower(): c.code for c in dimension}
        text = _text(v)
        codes: list[str] = []
        for item in _items(v):
            code = by_lower.get(item.lower())
            if code is None:
                _problem(rec, "unknown-taxonomy-code", col.name, item, message=(
                    f"{item!r} is not a code of {col.to} in the framework "
                    f"{self._framework.code}; it was ignored."))
            elif code not in codes:
                codes.append(code)
        for rank, code in enumerate(codes, 1):
            rec.tags.append({
                "framework": self._framework.code, "dimension": col.to, "code": code,
                "rank": rank, "by": self._by, "evidence": [{"field": col.name, "value": text}],
            })


_READERS = {
    "text": SheetFile._text_cell,
    "narrative": SheetFile._narrative_cell,
    "date": SheetFile._date_cell,
    "number": SheetFile._number_cell,
    "code": SheetFile._code_cell,
    "list": SheetFile._list_cell,
    "org-list": SheetFile._org_cell,
    "taxonomy-codes": SheetFile._taxonomy_cell,
}


def _problem(rec: ActivityRecord, code: str, column: str, value: Any = None, **kw: Any) -> None:
    rec.problem(code, row=rec.line, column=column, value=value, **kw)


def _percentage(rec: ActivityRecord, col: Column, item: str, text: str | None) -> float | None:
    if not text:
        return None
    number = parse_number(text, None, None, col.name)
    if number is None or not 0 <= number <= 100:
        _problem(rec, "bad-percentage", col.name, item)
        return None
    return number


def _check_sum(rec: ActivityRecord, rows: list[dict], column: str, label: str | None = None
               ) -> None:
    given = [r["percentage"] for r in rows if r["percentage"] is not None]
    if len(rows) > 1 and given and abs(sum(given) - 100) > 0.5:
        _problem(rec, "percentages-do-not-sum", column, f"{sum(given):g}", message=(
            f"The percentages of {label or column} add up to {sum(given):g}, not 100."))


@cache
def _lookup(name: str, names: bool) -> dict[str, str]:
    """Lower-cased code (and, when asked, English name or either half of it) to code."""
    out: dict[str, str] = {}
    for code, title in codelist(name).items():
        out[code.lower()] = code
        if names:
            for key in (title, *title.split("/")):
                out.setdefault(key.strip().lower(), code)
    return out


def _items(v: Any) -> list[str]:
    return [item.strip() for item in _SEPARATOR.split(_text(v)) if item.strip()]


def cell_value(cell: Any) -> Any:
    """A cell as stripped text, a date or a datetime; None when blank."""
    if cell is None:
        return None
    if isinstance(cell, str):
        return cell.strip() or None
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() and abs(cell) < 1e15 else repr(cell)
    if isinstance(cell, datetime):
        return cell.date() if cell.time() == time(0) else cell
    if isinstance(cell, date):
        return cell
    return (cell.isoformat() if isinstance(cell, time) else str(cell).strip()) or None


def _text(v: Any) -> str:
    return v if isinstance(v, str) else v.isoformat()


def _blank(cells: tuple[Any, ...]) -> bool:
    return all(cell_value(c) is None for c in cells)


def _unreadable(name: str, message: str, **context: Any) -> InputError:
    return InputError("unreadable-file", file=name, message=message, hint=_HINT_SAVE, **context)


def _check_text(path: Path, name: str) -> str:
    """The CSV's delimiter, once the whole file is known to be UTF-8 text."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, head = 0, b""
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                head = head or chunk[:65536]
                if b"\x00" in chunk:
                    raise _unreadable(name, "The file is binary, not CSV text.")
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    line = lines + chunk[: max(exc.start, 0)].count(b"\n") + 1
                    raise _unreadable(
                        name, f"The file is not UTF-8 text (first bad byte on line {line}).",
                        line=line) from None
                lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _unreadable(name, "The file ends in the middle of a character.") from None
    except OSError as exc:
        raise _unreadable(name, f"Cannot read the file: {exc}") from None
    first = next((ln for ln in head.decode("utf-8", "replace").splitlines() if ln.strip()), "")
    return max((",", ";", "\t"), key=first.count)  # a tie (no delimiter at all) gives ","


def csv_rows(path: Path, name: str) -> Iterator[Row]:
    delimiter = _check_text(path, name)
    n = 0
    with path.open(encoding="utf-8-sig", newline="") as fh:
        try:
            for n, cells in enumerate(csv.reader(fh, delimiter=delimiter), 1):
                yield n, tuple(cells)
        except csv.Error as exc:
            raise _unreadable(name, f"Row {n + 1} cannot be read as CSV: {exc}",
                              row=n + 1) from None


def _xlsx_rows(path: Path, name: str) -> Iterator[Row]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error on a corrupt file
        raise _unreadable(name, f"The file is not a readable .xlsx workbook ({exc}).") from None
    n = 0
    try:
        named = [ws for ws in wb.worksheets if ws.title.strip().lower() == "activities"]
        ws = (named or wb.worksheets)[0]
        ws.reset_dimensions()  # some writers record wrong dimensions; read every row
        for n, cells in enumerate(ws.iter_rows(values_only=True), 1):
            yield n, cells
    except Exception as exc:  # a damaged sheet inside a valid zip
        raise _unreadable(name, f"Row {n + 1} of the workbook cannot be read ({exc}).",
                          row=n + 1) from None
    finally:
        wb.close()
