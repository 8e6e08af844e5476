"""What a reader makes of one activity: its row, its parts and the problems found."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tcmap.errors import Problem

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(slots=True)
class Context:
    """What handlers need to know about the file and the activity being read."""

    file: str
    major: int | None  # 1 or 2; None when the file does not say
    lang: str | None = None
    currency: str | None = None


@dataclass(slots=True)
class ActivityRecord:
    """One activity as rows for the store, plus the problems found while reading it."""

    identifier: str | None
    line: int | None
    columns: dict[str, Any] = field(default_factory=dict)
    parts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)  # a person's codes, from a sheet
    content_hash: str = ""
    rejected: bool = False
    ctx: Context | None = None

    def part(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """Append a row to a part table, numbering it within the activity."""
        rows = self.parts.get(table)
        if rows is None:
            rows = self.parts[table] = []
        row["seq"] = len(rows) + 1
        rows.append(row)
        return row

    def narrative(
        self, owner: str, owner_seq: str | None, fld: str, kind: str | None,
        lang: str | None, text: str,
    ) -> None:
        self.part("narratives", {"owner": owner, "owner_seq": owner_seq, "field": fld,
                                 "kind": kind, "lang": lang, "text": text})

    def problem(self, code: str, el: Any = None, **context: Any) -> Problem:
        """Record a problem located at the element (or the activity)."""
        p = Problem.make(
            code,
            file=self.ctx.file if self.ctx else None,
            line=getattr(el, "sourceline", None) or self.line,
            activity=self.identifier,
            **context,
        )
        self.problems.append(p)
        if p.is_error:
            self.rejected = True
        return p


def narratives(el: Any, ctx: Context) -> list[tuple[str | None, str]]:
    """(language, text) of every narrative of an element, in 2.0x or 1.0x form."""
    out = []
    for n in el.iterchildren("narrative"):
        text = n.text
        if text is not None:
            text = text.strip()
            if text:
                lang = n.get(XML_LANG)
                out.append((lang.strip().lower() if lang else ctx.lang, text))
    if not out and el.text is not None:
        text = el.text.strip()
        if text:
            lang = el.get(XML_LANG)
            out.append((lang.strip().lower() if lang else ctx.lang, text))
    return out


def first_text(items: list[tuple[str | None, str]], lang: str | None) -> str | None:
    """The text in the given language, or else the first text."""
    for item_lang, text in items:
        if item_lang == lang:
            return text
    return items[0][1] if items else None


def parse_flag(value: str | None) -> bool | None:
    """An IATI boolean ("1"/"true" or "0"/"false"), or None when absent."""
    if value is None:
        return None
    return value.strip().lower() in ("1", "true")


def parse_date(value: str | None, rec: ActivityRecord, el: Any, fld: str) -> date | None:
    """An ISO date (a time part is ignored); a bad one is a problem and gives None."""
    if value is None:
        return None
    s = value.strip()
    if not s:
        return None
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        rec.problem("bad-date", el, field=fld, value=value)
        return None


def parse_number(
    value: str | None, rec: ActivityRecord | None, el: Any, fld: str
) -> float | None:
    """A plain decimal number; anything else is a problem (when rec is given) and gives None."""
    if value is None:
        return None
    s = value.strip()
    if not s:
        return None
    try:
        if "_" in s:
            raise ValueError(s)
        number = float(s)
        if not math.isfinite(number):
            raise ValueError(s)
        return number
    except ValueError:
        if rec is not None:
            rec.problem("bad-amount", el, field=fld, value=value)
        return None


def parse_percentage(value: str | None, rec: ActivityRecord, el: Any, fld: str) -> float | None:
    """A percentage between 0 and 100; anything else is a problem and gives None."""
    number = parse_number(value, None, el, fld)
    if value is not None and value.strip() and (number is None or not 0 <= number <= 100):
        rec.problem("bad-percentage", el, field=fld, value=value)
        return None
    return number
