"""Write the training import template: a workbook (three sheets and a Guide) or three CSV files.

Everything the template says comes from data: the columns from columns.yaml, the answer
columns and scales from the survey instrument, the outcome and target-group codes from the
framework.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from tcmap.errors import ConfigError
from tcmap.taxonomy import Framework, load_framework
from tcmap.training.reading import KINDS, SheetSpec, code_labels, sheet_specs
from tcmap.training.surveys import Instrument, load_instrument

_GUIDE = ("sheet", "column", "required", "kind", "help", "example")


def _item_example(item, timing: str) -> str:
    """A plausible answer to show in the example rows (the second-highest point, a choice)."""
    if timing not in item.timings:
        return ""
    if item.scale.kind == "points":
        return str(item.scale.max - 1)
    if item.scale.kind == "choices":
        return next(iter(item.scale.choices))
    return ""


def sheet_rows(spec: SheetSpec, instrument: Instrument) -> tuple[list[str], list[list[str]]]:
    """A sheet's header and its two example rows (answers per item on the Responses sheet)."""
    header = [c.name for c in spec.columns]
    rows = [[c.examples[i] if i < len(c.examples) else "" for c in spec.columns]
            for i in range(2)]
    if spec.items:
        header += list(instrument.items)
        timing_at = header.index("timing")
        for r in rows:
            r += [_item_example(i, r[timing_at]) for i in instrument.items.values()]
    return header, rows


def guide_rows(framework: Framework, instrument: Instrument) -> list[list[str]]:
    """The Guide: every column, every item with its scale, every code, every rule."""
    out: list[list[str]] = [list(_GUIDE)]
    for kind in KINDS:
        spec = sheet_specs()[kind]
        header, rows = sheet_rows(spec, instrument)
        for c in spec.columns:
            out.append([spec.title, c.name, "yes" if c.required else "", c.kind, c.help,
                        rows[0][header.index(c.name)]])
        if spec.items:
            for item in instrument.items.values():
                out.append([spec.title, item.code, "", f"answer (level {item.level})",
                            f"{item.text} Asked at: {', '.join(item.timings)}. Answer: "
                            f"{item.scale.describe()}; empty when not answered.",
                            rows[1][header.index(item.code)]])
    out += [[], ["Codes"], ["list", "code", "label"]]
    out += [["outcome", c.code, c.title] for c in framework.outcomes]
    for name in ("sex", "constituent_type", "modality"):
        out += [[name, code, label] for code, label in code_labels(framework, name).items()]
    out += [["timing", code, t.get("label", code)] for code, t in instrument.timings.items()]
    out += [["kirkpatrick level", str(k), f"{v['name']}: {v['definition']}"]
            for k, v in instrument.levels.items()]
    out += [[], ["Figures"], ["measure", "definition"]]
    out.append(["response_rate", instrument.response_rate["definition"]])
    out += [[m.code, m.definition] for m in instrument.measures.values()]
    return out


def write_training_template(path: Path, framework: Framework | str | None = None,
                            instrument: Instrument | None = None) -> list[Path]:
    """Write the template: path.xlsx is one workbook; any other path a folder of CSV files."""
    path = Path(path)
    if not isinstance(framework, Framework):
        framework = load_framework(framework) if framework else load_framework()
    instrument = instrument or load_instrument()
    try:
        if path.suffix.lower() == ".xlsx":
            _write_xlsx(path, framework, instrument)
            return [path]
        if path.suffix:
            raise ConfigError(
                f"Cannot write a template to {path.name!r}: give a .xlsx file or a folder.",
                hint="e.g. -o training.xlsx (one workbook with a Guide) or -o training/ "
                "(events.csv, participants.csv, responses.csv and guide.csv).")
        path.mkdir(parents=True, exist_ok=True)
        written = []
        for kind in KINDS:
            written.append(_write_csv(path / f"{kind}.csv",
                                      *sheet_rows(sheet_specs()[kind], instrument)))
        guide = guide_rows(framework, instrument)
        written.append(_write_csv(path / "guide.csv", guide[0], guide[1:]))
        return written
    except OSError as exc:
        raise ConfigError(f"Cannot write {path}: {exc}",
                          hint="Check that the folder exists and that you may write to it."
                          ) from None


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    # With a byte-order mark, spreadsheet programs open accented text correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _cell(kind: str, value: str) -> Any:
    """An example as the cell a person would type: real dates in a workbook."""
    if not value:
        return None
    return date.fromisoformat(value) if kind == "date" else value


def _write_xlsx(path: Path, framework: Framework, instrument: Instrument) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wb = Workbook()
    wb.remove(wb.active)
    for kind in KINDS:
        spec = sheet_specs()[kind]
        ws = wb.create_sheet(spec.title)
        header, rows = sheet_rows(spec, instrument)
        kinds = [c.kind for c in spec.columns] + ["answer"] * (len(header) - len(spec.columns))
        ws.append(header)
        for r in rows:
            ws.append([_cell(k, v) for k, v in zip(kinds, r, strict=True)])
        for cell in ws[1]:
            cell.font = bold
        for i, k in enumerate(kinds, 1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(
                12, min(40, len(header[i - 1]) + 4))
            if k == "date":
                for cell in ws[ws.cell(1, i).column_letter][1:]:
                    cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
    guide = wb.create_sheet("Guide")
    for r in guide_rows(framework, instrument):
        guide.append(r)
        if len(r) <= 1 or r[0] in ("sheet", "list", "measure"):
            for cell in guide[guide.max_row]:
                cell.font = bold
    for letter, width in zip("ABCDEF", (14, 26, 10, 16, 90, 30), strict=True):
        guide.column_dimensions[letter].width = width
    for cell in guide["E"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in guide["C"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)
