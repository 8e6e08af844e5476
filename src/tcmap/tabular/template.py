"""Write the spreadsheet template (XLSX with a guide, or CSV) from columns.yaml and a framework."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from tcmap.errors import ConfigError
from tcmap.tabular import Column, template_columns
from tcmap.taxonomy import Framework, load_framework

_SUFFIXES = (".xlsx", ".csv")
_GUIDE_HEADER = ("column", "required", "kind", "help", "example")


def write_template(path: Path, framework: Framework | str | None = None) -> Path:
    """Write the template to an .xlsx or .csv path, with example codes of the framework."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise ConfigError(
            f"Cannot write a template to {path.name!r}: the name must end in .xlsx or .csv.",
            hint="Name the file e.g. activities.xlsx (with a guide sheet) or activities.csv.",
        )
    if not isinstance(framework, Framework):
        framework = load_framework(framework) if framework else load_framework()
    columns = [c for c in template_columns()
               if c.kind != "taxonomy-codes" or c.to in framework.dimensions]
    rows = [[_example(c, i, framework) for c in columns] for i in range(2)]
    try:
        if suffix == ".csv":
            _write_csv(path, columns, rows)
        else:
            _write_xlsx(path, columns, rows, framework)
    except OSError as exc:
        raise ConfigError(
            f"Cannot write {path}: {exc}",
            hint="Check that the folder exists and that you may write to it.",
        ) from None
    return path


def _example(col: Column, i: int, framework: Framework) -> str:
    """The column's i-th example, its taxonomy codes kept only where the framework has them."""
    value = col.examples[i] if i < len(col.examples) else ""
    if col.kind != "taxonomy-codes" or not value:
        return value
    dimension = framework.dimensions[col.to]
    codes = [c.strip() for c in value.split(";") if c.strip() in dimension]
    return "; ".join(codes) or next(iter(dimension)).code


def _write_csv(path: Path, columns: list[Column], rows: list[list[str]]) -> None:
    # With a byte-order mark, spreadsheet programs open accented titles correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([c.name for c in columns])
        writer.writerows(rows)


def _cell(col: Column, value: str):
    """An example as the cell type a person would type: real dates and numbers in XLSX."""
    if not value:
        return None
    if col.kind == "date":
        return date.fromisoformat(value)
    if col.kind == "number":
        return float(value) if "." in value else int(value)
    return value


def _write_xlsx(
    path: Path, columns: list[Column], rows: list[list[str]], framework: Framework
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Activities"
    ws.append([c.name for c in columns])
    for row in rows:
        ws.append([_cell(c, v) for c, v in zip(columns, row, strict=True)])
    for cell in ws[1]:
        cell.font = bold
    ws.freeze_panes = "A2"
    for i, col in enumerate(columns, 1):
        letter = get_column_letter(i)
        width = max(len(col.name), *(len(r[i - 1]) for r in rows))
        ws.column_dimensions[letter].width = min(max(width + 2, 12), 60)
        if col.kind == "date":
            for cell in ws[letter][1:]:
                cell.number_format = "yyyy-mm-dd"

    guide = wb.create_sheet("Guide")
    guide.append(_GUIDE_HEADER)
    for i, col in enumerate(columns):
        required = "yes" if col.required else "one title" if col.field == "title" else ""
        guide.append([col.name, required, col.kind, col.help, rows[0][i] or rows[1][i]])
    guide.append([])
    guide.append([f"Codes of the framework {framework.code}: {framework.title}"])
    codes_header = guide.max_row + 1
    guide.append(["column", "code", "group", "title"])
    for col in columns:
        if col.kind == "taxonomy-codes":
            for code in framework.dimensions[col.to]:
                guide.append([col.name, code.code, code.group, code.title])
    for row in (1, codes_header - 1, codes_header):
        for cell in guide[row]:
            cell.font = bold
    guide.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (20, 12, 16, 90, 50), strict=True):
        guide.column_dimensions[letter].width = width
    for cell in guide["D"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)
