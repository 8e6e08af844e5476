"""The current selection of activities as rows for a spreadsheet: facts and the mapping."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.portfolio.listing import Filters, list_activities
from tcmap.store import Activity, Tag

COLUMNS = ("identifier", "title", "publisher", "countries", "status", "start", "end",
           "world_of_work", "outcomes", "capacity_development", "modalities",
           "capacity_levels", "target_groups")
_LIMIT = 200_000


def export_rows(session: Session, filters: Filters | None = None) -> list[dict[str, Any]]:
    """Every activity matching the filters, with its tags that count joined by '; '."""
    result = list_activities(session, filters, limit=_LIMIT)
    idents = [a["identifier"] for a in result["activities"]]
    tags: dict[str, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for ident, dim, code, rank in session.execute(
        select(Activity.iati_identifier, Tag.dimension, Tag.code, Tag.rank)
        .join(Tag, Tag.activity_id == Activity.id)
        .where(Activity.iati_identifier.in_(idents), Tag.review_state != "rejected")
    ):
        tags[ident][dim].append((rank or 99, code))
    rows = []
    for a in result["activities"]:
        t = tags[a["identifier"]]
        row = {k: a.get(k) for k in ("identifier", "title", "publisher", "status", "start",
                                      "end")}
        row["countries"] = "; ".join(a["countries"])
        for dim in ("world_of_work", "capacity_development"):
            row[dim] = "; ".join(c for _, c in sorted(t[dim]))
        for dim in ("outcomes", "modalities", "capacity_levels", "target_groups"):
            row[dim] = "; ".join(c for _, c in sorted(t[dim]))
        rows.append(row)
    return rows


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Activities"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for r in rows:
        ws.append([r.get(c) for c in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
