"""Full-text search over all narratives of an activity (SQLite FTS5; PostgreSQL full text).

On SQLite the index has one row per activity (rowid = activity id) holding all its titles,
descriptions and result texts, accents folded. Imports only note which activities changed
(`search_queue`); the index catches up at the next search (`refresh`), so importing stays as
fast as it was and a search never sees stale text. PostgreSQL keeps a GIN index itself.
"""

from __future__ import annotations

import re

from sqlalchemy import Column, Engine, Integer, Table, and_, exists, func, select, text

from tcmap.store.activity import Activity, Narrative
from tcmap.store.base import Base

SearchQueue = Table("search_queue", Base.metadata,
                    Column("activity_id", Integer, primary_key=True))
_WORD = re.compile(r"\w+", re.UNICODE)
_FTS_TABLES = ("search_fts", "search_fts_data", "search_fts_idx", "search_fts_content",
               "search_fts_docsize", "search_fts_config")
# Tables the ORM does not model (the FTS5 table and its shadows), for schema comparisons.
UNMODELLED = frozenset((*_FTS_TABLES, "ix_narratives_text_fts"))


def refresh(engine: Engine) -> int:
    """Bring the SQLite index up to date with the queued activities; how many were indexed.

    Runs in its own short transaction, so a reader's session can call it before searching.
    """
    if engine.dialect.name != "sqlite":
        return 0
    with engine.connect() as conn:
        if not conn.execute(select(SearchQueue.c.activity_id).limit(1)).first():
            return 0
    with engine.begin() as conn:
        queued = conn.scalar(select(func.count()).select_from(SearchQueue)) or 0
        conn.execute(text("DELETE FROM search_fts WHERE rowid IN "
                          "(SELECT activity_id FROM search_queue)"))
        conn.execute(text(
            "INSERT INTO search_fts (rowid, text) "
            "SELECT n.activity_id, group_concat(n.text, ' ') "
            "FROM narratives n JOIN search_queue q ON q.activity_id = n.activity_id "
            "WHERE n.owner IN ('activity', 'result', 'indicator') GROUP BY n.activity_id"))
        conn.execute(SearchQueue.delete())
    return queued


def words(q: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(q or "")]


def matches(dialect: str, q: str):
    """A condition on Activity: every word of q occurs in its narratives or its identifier."""
    ws = words(q)
    if not ws:
        return None
    if dialect == "sqlite":
        fts = " AND ".join(f'"{w}"*' for w in ws)
        in_text = Activity.id.in_(
            select(text("rowid")).select_from(text("search_fts"))
            .where(text("search_fts MATCH :fts").bindparams(fts=fts)))
    elif dialect == "postgresql":
        in_text = and_(*[exists().where(
            Narrative.activity_id == Activity.id,
            func.to_tsvector("simple", Narrative.text).op("@@")(
                func.to_tsquery("simple", f"{w}:*"))) for w in ws])
    else:
        in_text = and_(*[exists().where(
            Narrative.activity_id == Activity.id,
            func.lower(Narrative.text).contains(w, autoescape=True)) for w in ws])
    in_id = and_(*[func.lower(Activity.iati_identifier).contains(w, autoescape=True)
                   for w in ws])
    return in_text | in_id
