"""Read training sheets (CSV or XLSX) into rows of named cells; columns and codes come from data.

A workbook holds sheets named Events, Participants and Responses (others, such as the Guide,
are skipped); a CSV file holds one of them, recognised by its header. Reading never raises:
an unreadable file or a header without its required columns becomes a problem and no rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from tcmap import yamlfile
from tcmap.errors import InputError, Problem
from tcmap.tabular.reader import cell_value, csv_rows
from tcmap.taxonomy import Framework
from tcmap.training.surveys import Instrument

KINDS = ("events", "participants", "responses")
_SPACES = re.compile(r"[\s_\-]+")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a sheet: how its cells are read, whether the row needs it, its help."""

    name: str
    kind: str
    help: str
    required: bool = False
    codes: str | None = None
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SheetSpec:
    """A sheet of the import: its title, key columns and columns (items: takes item columns)."""

    kind: str
    title: str
    help: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    items: bool = False

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass
class Sheet:
    """The rows of one sheet as {column: value}, with where they came from."""

    kind: str
    file: str  # the name shown in problems (file, or file:sheet for a workbook)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@cache
def _spec() -> dict[str, Any]:
    text = resources.files("tcmap.training").joinpath("data", "columns.yaml").read_text(
        encoding="utf-8")
    return yamlfile.load(text)


@cache
def sheet_specs() -> dict[str, SheetSpec]:
    """The three sheets, in import order, as columns.yaml defines them."""
    out = {}
    for kind in KINDS:
        raw = _spec()["sheets"][kind]
        cols = tuple(Column(name=c["name"], kind=c["kind"], help=c["help"],
                            required=bool(c.get("required")), codes=c.get("codes"),
                            examples=tuple(str(e) for e in c.get("examples", ())))
                     for c in raw["columns"])
        out[kind] = SheetSpec(kind, raw["title"], raw["help"], tuple(raw["key"]), cols,
                              bool(raw.get("items")))
    return out


def normal(text: str) -> str:
    """A code as compared: lower case, runs of spaces, hyphens and underscores as one '_'."""
    return _SPACES.sub("_", text.strip().lower()).strip("_")


def code_labels(framework: Framework, name: str) -> dict[str, str]:
    """The codes of a code list and their labels; constituent types add the target groups."""
    codes = _spec()["codes"]
    if name == "constituent_type":
        short = codes["constituent_labels"]
        out = {c.code: short.get(c.code, c.title)
               for c in framework.dimensions.get("target_groups", ())}
        out.update({k: v["label"] for k, v in codes["constituent_type"].items()})
        return out
    return {k: v["label"] for k, v in codes[name].items()}


def code_lookup(framework: Framework, name: str) -> dict[str, str]:
    """Every accepted spelling (normalised) of a code list's codes, to the code."""
    codes = _spec()["codes"]
    known = code_labels(framework, name)
    out = {normal(c): c for c in known}
    aliases = {c: e.get("aliases", ()) for c, e in codes[name].items()}
    if name == "constituent_type":
        aliases.update(codes["constituent_aliases"])
    for code, spellings in aliases.items():
        if code in known:  # a framework without a target group drops its aliases too
            out.update({normal(a): code for a in spellings})
    return out


def _kind_of(header: set[str]) -> str | None:
    """Which sheet a CSV holds, from its header (a file name can be anything)."""
    if "timing" in header:
        return "responses"
    if "participant" in header:
        return "participants"
    if {"title", "start_date", "outcome"} & header:
        return "events"
    return None


def _header(kind: str, cells: tuple[Any, ...], row: int, file: str, instrument: Instrument,
            problems: list[Problem]) -> list[str | None] | None:
    """Each header cell's column name (None: ignored); None when a required column lacks."""
    spec = sheet_specs()[kind]
    names: list[str | None] = []
    for cell in cells:
        value = cell_value(cell)
        text = "" if value is None else str(value).strip()
        name = text.lower()
        known = spec.column(name) is not None or (spec.items and name in instrument.items)
        if not text:
            names.append(None)
        elif not known:
            problems.append(Problem.make("training-unknown-column", file=file, row=row,
                                         column=text))
            names.append(None)
        elif name in names:
            problems.append(Problem.make(
                "training-unknown-column", file=file, row=row, column=text,
                message="The column appears twice; only its first copy was read."))
            names.append(None)
        else:
            names.append(name)
    missing = [c for c in spec.required if c not in names]
    for name in missing:
        problems.append(Problem.make(
            "training-missing-column", file=file, row=row, column=name,
            message=f"The {spec.title} sheet has no {name!r} column; none of its rows were read."))
    return None if missing else names


def _sheet(kind: str | None, rows: Iterator[tuple[int, tuple[Any, ...]]], file: str,
           instrument: Instrument, problems: list[Problem]) -> Sheet | None:
    header = next(((n, cells) for n, cells in rows if any(cell_value(c) is not None
                                                          for c in cells)), None)
    if header is None:
        problems.append(Problem.make("training-empty-sheet", file=file,
                                     message="The sheet is empty: no header, no rows."))
        return None
    if kind is None:
        kind = _kind_of({str(cell_value(c)).strip().lower() for c in header[1]
                         if cell_value(c) is not None})
        if kind is None:
            problems.append(Problem.make("training-unrecognised-sheet", file=file,
                                         row=header[0]))
            return None
    names = _header(kind, header[1], header[0], file, instrument, problems)
    if names is None:
        return None
    sheet = Sheet(kind, file)
    for n, cells in rows:
        values = {name: v for name, cell in zip(names, cells, strict=False)
                  if name is not None and (v := cell_value(cell)) is not None}
        if values:
            sheet.rows.append((n, values))
    if not sheet.rows:
        problems.append(Problem.make("training-empty-sheet", file=file, row=header[0]))
    return sheet


def read_file(path: Path, name: str, instrument: Instrument,
              problems: list[Problem]) -> list[Sheet]:
    """The sheets of one CSV or XLSX file; what cannot be read is added to `problems`."""
    path = Path(path)
    if not path.is_file():
        problems.append(Problem.make("file-not-found", file=name))
        return []
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            sheet = _sheet(None, csv_rows(path, name), name, instrument, problems)
            return [sheet] if sheet else []
        if suffix == ".xlsx":
            return _workbook(path, name, instrument, problems)
    except InputError as exc:
        problems.append(exc.to_problem())
        return []
    problems.append(Problem.make(
        "unsupported-file-type", file=name,
        message="The file is neither a CSV (.csv) nor a workbook (.xlsx).",
        hint="Give the workbook written by `tcmap training template`, or its three sheets "
        "saved as CSV UTF-8."))
    return []


def _workbook(path: Path, name: str, instrument: Instrument,
              problems: list[Problem]) -> list[Sheet]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error on a corrupt file
        raise InputError("unreadable-file", file=name, message=(
            f"The file is not a readable .xlsx workbook ({exc})."),
            hint="Save the workbook again as .xlsx, or save its sheets as CSV UTF-8.") from None
    titles = {spec.title.lower(): kind for kind, spec in sheet_specs().items()}
    sheets = []
    try:
        found = [(titles[ws.title.strip().lower()], ws) for ws in wb.worksheets
                 if ws.title.strip().lower() in titles]
        if not found:
            problems.append(Problem.make(
                "training-unrecognised-sheet", file=name,
                message="The workbook has no sheet named Events, Participants or Responses; "
                "nothing was read."))
        for kind, ws in sorted(found, key=lambda f: KINDS.index(f[0])):
            ws.reset_dimensions()  # some writers record wrong dimensions; read every row
            rows = enumerate(ws.iter_rows(values_only=True), 1)
            sheet = _sheet(kind, rows, f"{name}:{ws.title}", instrument, problems)
            if sheet:
                sheets.append(sheet)
    except Exception as exc:  # a damaged sheet inside a valid zip
        raise InputError("unreadable-file", file=name, message=(
            f"A sheet of the workbook cannot be read ({exc})."),
            hint="Save the workbook again as .xlsx, or save its sheets as CSV UTF-8.") from None
    finally:
        wb.close()
    return sheets
