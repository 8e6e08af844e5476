"""Print an activity's detail dict on a terminal, readably."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text


def _name(coded: dict[str, Any] | None) -> str:
    if not coded:
        return "-"
    return f"{coded['name']} ({coded['code']})" if coded.get("name") else coded["code"]


def _kv(console: Console, title: str, pairs: list[tuple[str, Any]]) -> None:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for k, v in pairs:
        if v not in (None, "", [], {}):
            table.add_row(k, escape(str(v)))
    console.print(table)


def _rows(console: Console, title: str, cols: tuple[str, ...], rows: list[list[Any]]) -> None:
    if not rows:
        return
    cells = [["" if v is None else v if isinstance(v, Text) else escape(str(v)) for v in r]
             for r in rows]
    keep = [i for i in range(len(cols)) if any(str(r[i]) for r in cells)]  # no empty column
    table = Table(title=title, title_justify="left")
    for i in keep:
        table.add_column(cols[i], overflow="fold")
    for r in cells:
        table.add_row(*(r[i] for i in keep))
    console.print(table)


def show_detail(console: Console, d: dict[str, Any]) -> None:
    """Everything in the detail dict, section by section."""
    console.rule(f"[bold]{escape(d['identifier'])}")
    for lang, texts in d["titles"].items():
        for t in texts:
            console.print(f"[bold]{escape(t)}[/] [dim]({lang})[/]")
    for desc in d["descriptions"]:
        console.print(f"\n[dim]{_name(desc['type'])}, {desc['lang']}:[/]\n{escape(desc['text'])}")
    src = d["source"]
    _kv(console, "Activity", [
        ("reporting org", f"{d['reporting_org']['name']} ({d['reporting_org']['ref']})"),
        ("status", _name(d["status"])),
        *((k.replace("_", " "), v) for k, v in d["dates"].items()),
        ("default currency", d["defaults"]["currency"]),
        ("aid type", _name(d["defaults"]["aid_type"]) if d["defaults"]["aid_type"] else None),
        ("source", f"{src['file']} line {src['line']} (IATI {src['iati_version']})"),
        ("imported", f"{src['first_imported_at']}, updated {src['updated_at']}"),
    ])
    _rows(console, "Participating organisations", ("role", "type", "name", "ref"), [
        [_name(o["role"]), _name(o["type"]), o["name"], o["ref"]]
        for o in d["participating_orgs"]])
    _rows(console, "Countries and regions", ("code", "name", "%"), [
        [c["code"], c["name"], c["percentage"]] for c in d["countries"] + d["regions"]])
    _rows(console, "Sectors", ("vocabulary", "code", "name", "%"), [
        [_name(s["vocabulary"]), s["code"], s["name"], s["percentage"]] for s in d["sectors"]])
    _rows(console, "Policy markers", ("code", "name", "significance"), [
        [p["code"], p["name"], _name(p["significance"])] for p in d["policy_markers"]])
    _rows(console, "Budgets", ("type", "start", "end", "value", "currency"), [
        [_name(b["type"]), b["start"], b["end"], f"{b['value']:,.2f}" if b["value"] else "",
         b["currency"]] for b in d["budgets"]])
    _rows(console, f"Transactions ({d['transactions_count']}), totals by type",
          ("type", "currency", "total"), [
              [_name(t["type"]), t["currency"], f"{t['value']:,.2f}"]
              for t in d["transaction_totals"]])
    for r in d["results"]:
        _rows(console, f"Result: {r['title'] or ''} [{_name(r['type'])}]",
              ("indicator", "baseline", "periods (target / actual)"), [
                  [i["title"], "; ".join(f"{b['year'] or b['date'] or ''}: {b['value']}"
                                         for b in i["baselines"]),
                   "; ".join(f"{p['start']}..{p['end']}: {p['target']} / {p['actual']}"
                             for p in i["periods"])]
                  for i in r["indicators"]])
    _rows(console, "Documents", ("title", "url", "categories"), [
        [x["title"], x["url"], x["categories"]] for x in d["document_links"]])
    _rows(console, "Related activities", ("ref", "type"), [
        [x["ref"], _name(x["type"])] for x in d["related_activities"]])
    _tags(console, d["tags"])
    _rows(console, "Notes", ("author", "when", "text"), [
        [n["author"], n["created_at"], n["text"]] for n in d["notes"]])
    _rows(console, "History (newest first)", ("when", "who", "action", "tag", "change", "note"), [
        [(e["at"] or "")[:19].replace("T", " "), _who(e["by"]), e["action"],
         f"{e['dimension']}:{e['code']}" if e["dimension"] else "",
         _change(e["before"], e["after"]), e["note"]] for e in d["history"]])


_EVIDENCE_CHARS = 90


def _evidence(items: list | None) -> Text:
    """The evidence as short text snippets, each with where it was found when known."""
    out = []
    for item in items or []:
        if isinstance(item, dict):
            text = str(item.get("context") or item.get("text") or item.get("value")
                       or item.get("quote") or "")
            where, match = item.get("field"), item.get("text")
        else:
            text, where, match = str(item), None, None
        if len(text) > _EVIDENCE_CHARS:
            text = text[:_EVIDENCE_CHARS - 3] + "..."
        text = escape(text)
        if match and escape(match) in text and match != item.get("context"):
            text = text.replace(escape(match), f"[bold]{escape(match)}[/]", 1)
        out.append(f'[dim]{escape(where)}:[/] "{text}"' if where else f'"{text}"')
    return Text.from_markup("\n".join(out))


def _tags(console: Console, tags: list[dict[str, Any]]) -> None:
    """One table per dimension: code, confidence, origin, review state and who, evidence."""
    by_dimension: dict[str, list[dict[str, Any]]] = {}
    for t in tags:
        by_dimension.setdefault(t["dimension"], []).append(t)
    versions = sorted({t["model_version"] for t in tags if t.get("model_version")})
    if versions:
        console.print(f"[dim]Machine tags by {escape(', '.join(versions))}[/]")
    for dimension, rows in by_dimension.items():
        _rows(console, f"Tags: {dimension.replace('_', ' ')}",
              ("code", "rank", "conf.", "origin", "review", "evidence"), [
                  [t["code"], t["rank"],
                   f"{t['confidence']:.2f}" if t["confidence"] is not None else "",
                   t["origin"],
                   t["review_state"] + (f" by {t['reviewed_by']}" if t["reviewed_by"] else "")
                   + (f": {t['note']}" if t["note"] else ""),
                   _evidence(t["evidence"])] for t in rows])


def _who(by: str) -> str:
    """Who made a change; the classifier by its model's version only ("model 2026-11-28-
    147392d6", "keywords"), not the framework's and text model's that the store keeps too."""
    if by.startswith("model:") and "/" in by:
        return by.split("/", 1)[1].split("+", 1)[0].replace("model:", "model ", 1)
    return by


def _change(before: dict | None, after: dict | None) -> str:
    """before -> after, for the fields a reviewer cares about."""
    def brief(s: dict | None) -> str:
        if s is None:
            return "-"
        conf = f" {s['confidence']:.2f}" if s.get("confidence") is not None else ""
        return f"{s['review_state']}{conf}"
    if before is None and after is None:
        return ""
    return f"{brief(before)} -> {brief(after)}"
