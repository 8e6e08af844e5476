"""Spreadsheets (CSV and XLSX) of one activity per row: the template's columns, read from data.

`columns.yaml` defines the template; `template.write_template` writes it and
`reader.SheetFile` reads filled-in sheets into the same records as the IATI reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from tcmap import yamlfile
from tcmap.iati.codes import codelist

KINDS = ("text", "narrative", "date", "number", "code", "list", "org-list", "taxonomy-codes")
_NARRATIVE = re.compile(r"^([a-z]+)_([a-z]{2})$")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the template: how its cells are read and what they become."""

    name: str
    kind: str
    help: str = ""
    required: bool = False
    examples: tuple[str, ...] = ()
    to: str | None = None  # activity column, part table or taxonomy dimension
    codelist: str | None = None
    names: bool = False  # a code column that also takes the code's English name
    unknown: str | None = None  # problem code for an unknown list item
    role: str | None = None  # participating-org role of an org-list
    field: str | None = None  # narrative field: title or description
    type: str | None = None  # description type
    lang: str | None = None  # narrative language


@cache
def _spec() -> dict:
    text = resources.files("tcmap.tabular").joinpath("columns.yaml").read_text(encoding="utf-8")
    return yamlfile.load(text)


@cache
def template_columns() -> tuple[Column, ...]:
    """The template's columns, in order, as columns.yaml defines them."""
    out = []
    for raw in _spec()["columns"]:
        raw = dict(raw)
        raw["examples"] = tuple(str(e) for e in raw.get("examples", ()))
        if raw["kind"] == "narrative":
            prefix, lang = _NARRATIVE.match(raw["name"]).groups()
            raw.update(_spec()["narratives"][prefix], lang=lang)
        out.append(Column(**raw))
    return tuple(out)


def column_for(header: str) -> Column | None:
    """The column a header names (any case, spaces trimmed), or None when it is unknown."""
    name = header.strip().lower()
    for col in template_columns():
        if col.name == name:
            return col
    m = _NARRATIVE.match(name)
    if m and m.group(1) in _spec()["narratives"] and m.group(2) in codelist("Language"):
        prefix, lang = m.groups()
        return Column(name=name, kind="narrative", lang=lang, **_spec()["narratives"][prefix])
    return None


__all__ = ["KINDS", "Column", "column_for", "template_columns"]
