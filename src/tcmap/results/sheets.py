"""The country-programme spreadsheet: its template, and reading filled-in sheets into rows.

`programme_sheets.yaml` defines the sheets (programmes, outcomes, outputs, links,
indicators, values) and their columns. An XLSX workbook carries them by sheet name; a CSV
file carries one, recognised by its file name or by a column only that sheet has. Reading
never raises: a file that cannot be read, or a sheet that cannot be recognised, becomes a
problem; cells are parsed by kind, and a bad cell is a problem naming its row and column.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from tcmap import yamlfile
from tcmap.errors import ConfigError, Problem

_CODE = re.compile(r"^[A-Za-z0-9._-]+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@cache
def sheet_specs() -> dict[str, dict[str, Any]]:
    """The template's sheets in import order, each with its columns."""
    text = resources.files("tcmap.results").joinpath("data", "programme_sheets.yaml").read_text(
        encoding="utf-8")
    return yamlfile.load(text)["sheets"]


@dataclass
class Row:
    """One filled-in row of a sheet: parsed values by column, where it came from."""

    sheet: str
    file: str
    row: int
    values: dict[str, Any]

    def where(self, column: str | None = None, value: Any = None) -> dict[str, Any]:
        d: dict[str, Any] = {"file": self.file, "row": self.row}
        if column:
            d["column"] = column
        if value is not None:
            d["value"] = value
        return d


@dataclass
class Read:
    """What the files held: rows by sheet, and the problems met while reading."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {s: [] for s in sheet_specs()})
    problems: list[Problem] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)


def _cell_text(cell: Any) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, datetime):
        cell = cell.date()
    text = cell.isoformat() if isinstance(cell, date) else str(cell)
    return text.strip() or None


def _parse(kind: str, text: str) -> tuple[Any, str | None]:
    """A cell's value by kind, and the problem code when it cannot be parsed."""
    if kind == "date":
        try:
            return date.fromisoformat(text[:10]), None
        except ValueError:
            return None, "bad-date"
    if kind == "number":
        t = text.replace(" ", "")
        return (float(t), None) if _NUMBER.match(t) else (None, "non-numeric-value")
    if kind == "code":
        return (text, None) if _CODE.match(text) else (None, "programme-bad-code")
    if kind == "list":
        return [x.strip() for x in re.split(r"[;\n]", text) if x.strip()], None
    return text, None


def _kind_of(name: str, header: list[str]) -> str | None:
    """Which sheet a file or sheet name, else its header, says this is."""
    low = name.lower()
    # The last sheet word in the name wins: programmes-outcomes.csv holds outcomes.
    found = [(m.end(), sheet) for sheet in sheet_specs()
             for m in re.finditer(rf"(?:^|[^a-z]){sheet}(?=[^a-z]|$)", low)]
    if found:
        return max(found)[1]
    for sheet in ("values", "indicators", "links", "outputs", "outcomes", "programmes"):
        if sheet_specs()[sheet]["signature"] in header:
            return sheet
    return None


def _read_table(read: Read, file: str, sheet_name: str, rows: list[tuple[int, list[Any]]],
                stem: str) -> None:
    body = [(n, cells) for n, cells in rows if any(_cell_text(c) for c in cells)]
    if not body:
        return
    hn, head = body[0]
    header = [(_cell_text(c) or "").lower() for c in head]
    kind = _kind_of(sheet_name or stem, header)
    if kind is None:
        read.problems.append(Problem.make("programme-unknown-sheet", file=file, row=hn,
                                          value=sheet_name or stem))
        return
    spec = {c["name"]: c for c in sheet_specs()[kind]["columns"]}
    for name in header:
        if name and name not in spec:
            read.problems.append(Problem.make(
                "unknown-column", file=file, row=hn, column=name,
                message=f"The {kind} sheet has no column {name!r}; it was ignored."))
    missing = [c for c, s in spec.items() if s.get("required") and c not in header]
    for c in missing:
        read.problems.append(Problem.make(
            "missing-column", file=file, row=hn, column=c,
            message=f"The {kind} sheet has no {c!r} column; its rows were not read."))
    read.files.append({"file": file, "sheet": kind, "rows": len(body) - 1})
    if missing:
        return
    for n, cells in body[1:]:
        values: dict[str, Any] = {}
        for name, cell in zip(header, cells, strict=False):
            text = _cell_text(cell)
            if name not in spec or text is None:
                continue
            kind_ = spec[name].get("kind", "text")
            if isinstance(cell, date | datetime) and kind_ == "date":
                values[name] = cell.date() if isinstance(cell, datetime) else cell
                continue
            value, problem = _parse(kind_, text)
            if problem:
                bad = Problem.make(problem, file=file, row=n, column=name, value=text)
                if bad.severity != "error":  # a cell that cannot be read blocks the import
                    bad.severity = "error"
                    bad.message = bad.message.split(";")[0] + "; nothing was imported."
                read.problems.append(bad)
                values[name] = _BAD
            else:
                values[name] = value
        for c, s in spec.items():
            if s.get("required") and values.get(c) is None:
                read.problems.append(Problem.make("programme-missing-value", file=file, row=n,
                                                  column=c))
        read.rows[kind].append(Row(kind, file, n, values))


class _Bad:
    """A cell that could not be parsed (its problem is already reported)."""

    def __repr__(self) -> str:
        return "<bad cell>"


_BAD = _Bad()


def is_bad(value: Any) -> bool:
    return value is _BAD


def read_files(paths: list[Path]) -> Read:
    """Read programme sheets from CSV and XLSX files; never raises."""
    read = Read()
    for path in paths:
        path = Path(path)
        name = path.name
        if not path.exists():
            read.problems.append(Problem.make("file-not-found", file=name))
            continue
        suffix = path.suffix.lower()
        try:
            if suffix == ".xlsx":
                for title, rows in _xlsx(path):
                    if title.strip().lower() != "guide":
                        _read_table(read, name, title, rows, path.stem)
            elif suffix == ".csv":
                _read_table(read, name, "", _csv(path), path.stem)
            else:
                read.problems.append(Problem.make(
                    "unsupported-file-type", file=name,
                    message="Programme sheets are .csv or .xlsx files.",
                    hint="Start from `tcmap programme template FILE.xlsx`."))
        except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError) as exc:
            read.problems.append(Problem.make("unreadable-file", file=name,
                                              message=f"The file could not be read: {exc}"))
    return read


def _csv(path: Path) -> list[tuple[int, list[Any]]]:
    text = path.read_text(encoding="utf-8-sig")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count)
    return list(enumerate(csv.reader(text.splitlines(), delimiter=delimiter), 1))


def _xlsx(path: Path) -> list[tuple[str, list[tuple[int, list[Any]]]]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error on a corrupt file
        raise ValueError(f"not a readable .xlsx workbook ({exc})") from None
    try:
        return [(ws.title, [(n, list(r)) for n, r in enumerate(
            ws.iter_rows(values_only=True), 1)]) for ws in wb.worksheets]
    finally:
        wb.close()


def write_template(path: Path) -> list[str]:
    """Write the template: one .xlsx workbook with a Guide, or one .csv per sheet."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ConfigError(f"Cannot write a template to {path.name!r}: the name must end in "
                          ".xlsx or .csv.", hint="E.g. programme.xlsx (one workbook with a "
                          "guide) or programme.csv (one CSV per sheet, programme-outcomes.csv...).")
    try:
        if suffix == ".csv":
            written = []
            for sheet, spec in sheet_specs().items():
                out = path.with_name(f"{path.stem}-{sheet}.csv")
                with out.open("w", encoding="utf-8-sig", newline="") as fh:
                    w = csv.writer(fh)
                    w.writerow([c["name"] for c in spec["columns"]])
                    for i in range(2):
                        w.writerow([_example(c, i) for c in spec["columns"]])
                written.append(str(out))
            return written
        _write_xlsx(path)
    except OSError as exc:
        raise ConfigError(f"Cannot write {path}: {exc}", hint="Check that the folder exists "
                          "and that you may write to it.") from None
    return [str(path)]


def _example(col: dict[str, Any], i: int) -> str:
    ex = col.get("examples", [])
    return str(ex[i]) if i < len(ex) else ""


def _write_xlsx(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for sheet, spec in sheet_specs().items():
        ws = wb.create_sheet(sheet)
        ws.append([c["name"] for c in spec["columns"]])
        for i in range(2):
            ws.append([_typed(c, _example(c, i)) for c in spec["columns"]])
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "A2"
        for i, c in enumerate(spec["columns"]):
            width = max(len(c["name"]), *(len(_example(c, j)) for j in range(2)))
            ws.column_dimensions[ws.cell(1, i + 1).column_letter].width = min(width + 2, 50)
    guide = wb.create_sheet("Guide")
    guide.append(["sheet", "column", "required", "kind", "help"])
    for cell in guide[1]:
        cell.font = bold
    for sheet, spec in sheet_specs().items():
        for c in spec["columns"]:
            guide.append([sheet, c["name"], "yes" if c.get("required") else "",
                          c.get("kind", "text"), c.get("help", "")])
    for letter, width in zip("ABCDE", (12, 22, 9, 8, 100), strict=True):
        guide.column_dimensions[letter].width = width
    for cell in guide["E"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)


def _typed(col: dict[str, Any], text: str) -> Any:
    if not text:
        return None
    if col.get("kind") == "date":
        return date.fromisoformat(text)
    if col.get("kind") == "number":
        return float(text) if "." in text else int(text)
    return text
