"""The mapping as plain rows: one per activity, with its places, years, money and effective tags.

Every analysis is a pure function of a list of `MappedActivity` rows (and of the framework),
so analyses are tested on small hand-made rows and run the same on any database. `load_frame`
reads the rows from the store in a few set-based queries, narrowed by `FrameFilters`. Tags
that count are those not rejected by a person; a person's tags count like the machine's.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcmap.store import Activity, Budget, RecipientCountry, RecipientRegion, Tag

SET_DIMENSIONS = ("outcomes", "modalities", "capacity_levels", "target_groups")


@dataclass(slots=True)
class Money:
    """An amount in a currency, in a year (for conversion), and its kind (budget)."""

    value: float
    currency: str | None
    year: int | None


@dataclass(slots=True)
class MappedActivity:
    """One activity as the analyses see it."""

    id: int
    identifier: str
    title: str = ""
    publisher: str | None = None
    countries: list[tuple[str, float | None]] = field(default_factory=list)
    regions: list[tuple[str, float | None]] = field(default_factory=list)
    start_year: int | None = None
    end_year: int | None = None
    budgets: list[Money] = field(default_factory=list)
    world_of_work: bool = False
    capacity_development: bool = False
    outcomes: list[str] = field(default_factory=list)  # ranked; the first is primary
    modalities: set[str] = field(default_factory=set)
    capacity_levels: set[str] = field(default_factory=set)
    target_groups: set[str] = field(default_factory=set)
    # (dimension, code) -> evidence list of the tag, for examples a reader can trace
    evidence: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    # dimension -> (tags decided by a person, tags from the machine only)
    reviewed: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def primary_outcome(self) -> str | None:
        return self.outcomes[0] if self.outcomes else None

    @property
    def years(self) -> range:
        """The calendar years the activity runs in (its start year alone when no end)."""
        if self.start_year is None:
            return range(0)
        return range(self.start_year, (self.end_year or self.start_year) + 1)

    def codes(self, dimension: str) -> set[str] | list[str]:
        return getattr(self, dimension)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["modalities"] = sorted(self.modalities)
        d["capacity_levels"] = sorted(self.capacity_levels)
        d["target_groups"] = sorted(self.target_groups)
        d["evidence"] = {f"{k[0]}:{k[1]}": v for k, v in sorted(self.evidence.items())}
        d["reviewed"] = {k: list(v) for k, v in sorted(self.reviewed.items())}
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MappedActivity:
        """The row back from `to_dict` (as stored in a snapshot)."""
        return cls(
            id=d["id"], identifier=d["identifier"], title=d.get("title", ""),
            publisher=d.get("publisher"),
            countries=[tuple(x) for x in d.get("countries", [])],
            regions=[tuple(x) for x in d.get("regions", [])],
            start_year=d.get("start_year"), end_year=d.get("end_year"),
            budgets=[Money(**m) for m in d.get("budgets", [])],
            world_of_work=d.get("world_of_work", False),
            capacity_development=d.get("capacity_development", False),
            outcomes=list(d.get("outcomes", [])), modalities=set(d.get("modalities", [])),
            capacity_levels=set(d.get("capacity_levels", [])),
            target_groups=set(d.get("target_groups", [])),
            evidence={tuple(k.split(":", 1)): v for k, v in d.get("evidence", {}).items()},
            reviewed={k: tuple(v) for k, v in d.get("reviewed", {}).items()},
        )


@dataclass
class FrameFilters:
    """What a report or an analysis is narrowed to; None means everything."""

    countries: list[str] | None = None
    regions: list[str] | None = None
    publishers: list[str] | None = None
    year_from: int | None = None
    year_to: int | None = None
    outcomes: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [])}

    def keep(self, a: MappedActivity) -> bool:
        if self.countries and not {c for c, _ in a.countries} & set(self.countries):
            return False
        if self.regions and not {r for r, _ in a.regions} & set(self.regions):
            return False
        if self.publishers and a.publisher not in self.publishers:
            return False
        if self.year_from is not None or self.year_to is not None:
            lo, hi = self.year_from or -10**6, self.year_to or 10**6
            if not any(lo <= y <= hi for y in a.years):
                return False
        return not (self.outcomes and not set(a.outcomes) & set(self.outcomes))


def _year(d) -> int | None:
    return d.year if d is not None else None


def data_version(session: Session) -> tuple:
    """A cheap fingerprint of the mapping: it changes whenever activities or tags change."""
    from tcmap.store.tag import TagEvent

    # One statement of separate subqueries: each is then an index lookup (max over an indexed
    # column, a count over the smallest index), where count and max together scan the table.
    parts = (select(func.count()).select_from(Activity), select(func.max(Activity.updated_at)),
             select(func.count()).select_from(Tag), select(func.max(Tag.updated_at)),
             select(func.max(TagEvent.id)))
    return tuple(session.execute(select(*(p.scalar_subquery() for p in parts))).one())


_CACHE: dict[int, tuple[tuple, list[MappedActivity]]] = {}
_CACHE_LOCK = threading.Lock()  # many requests at once build the frame once, not each


def load_frame(session: Session, filters: FrameFilters | None = None,
               batch: int = 2000, cache: bool = False) -> list[MappedActivity]:
    """Every stored activity as a MappedActivity, with the tags that count, filtered.

    With `cache`, the whole frame is kept per database until the data change (the web app's
    pages share it); the rows are then shared, so callers must not change them.
    """
    filters = filters or FrameFilters()
    if cache:
        key, version = id(session.get_bind()), data_version(session)
        with _CACHE_LOCK:
            hit = _CACHE.get(key)
            if hit is None or hit[0] != version:
                _CACHE[key] = hit = (version, load_frame(session, None, batch))
        return [a for a in hit[1] if filters.keep(a)]
    rows: dict[int, MappedActivity] = {}
    start = func.coalesce(Activity.start_actual, Activity.start_planned)
    end = func.coalesce(Activity.end_actual, Activity.end_planned)
    for r in session.execute(select(Activity.id, Activity.iati_identifier, Activity.title,
                                    Activity.reporting_org_ref, start.label("s"),
                                    end.label("e"), Activity.default_currency)):
        rows[r.id] = MappedActivity(r.id, r.iati_identifier, r.title or "",
                                    r.reporting_org_ref, start_year=_year(r.s),
                                    end_year=_year(r.e))
    for aid, code, pct in session.execute(select(
            RecipientCountry.activity_id, RecipientCountry.code, RecipientCountry.percentage
    ).order_by(RecipientCountry.activity_id, RecipientCountry.seq)):
        rows[aid].countries.append((code, pct))
    for aid, code, pct in session.execute(select(
            RecipientRegion.activity_id, RecipientRegion.code, RecipientRegion.percentage
    ).order_by(RecipientRegion.activity_id, RecipientRegion.seq)):
        rows[aid].regions.append((code, pct))
    # Budgets: the revised ones where an activity has them (type 2), else the original ones.
    budgets: dict[int, dict[str, list[Money]]] = defaultdict(lambda: defaultdict(list))
    for aid, kind, value, currency, p_start in session.execute(select(
            Budget.activity_id, Budget.type, Budget.value, Budget.currency,
            Budget.period_start)):
        if value is not None:
            budgets[aid][kind or "1"].append(Money(value, currency, _year(p_start)))
    for aid, kinds in budgets.items():
        rows[aid].budgets = kinds.get("2") or kinds.get("1") or next(iter(kinds.values()))
    ranked: dict[int, list[tuple[int, float, str]]] = defaultdict(list)
    counts: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for t in session.execute(select(Tag.activity_id, Tag.dimension, Tag.code, Tag.rank,
                                    Tag.confidence, Tag.review_state, Tag.evidence)):
        a = rows.get(t.activity_id)
        if a is None:
            continue
        counts[t.activity_id][t.dimension][0 if t.review_state != "machine" else 1] += 1
        if t.review_state == "rejected":
            continue
        if t.dimension == "world_of_work":
            a.world_of_work = t.code == "true"
        elif t.dimension == "capacity_development":
            a.capacity_development = t.code == "true"
        elif t.dimension == "outcomes":
            ranked[t.activity_id].append((t.rank or 99, -(t.confidence or 1.0), t.code))
        elif t.dimension in SET_DIMENSIONS:
            getattr(a, t.dimension).add(t.code)
        if t.evidence:
            a.evidence[(t.dimension, t.code)] = t.evidence
    for aid, items in ranked.items():
        rows[aid].outcomes = [c for _, _, c in sorted(items)]
    for aid, dims in counts.items():
        rows[aid].reviewed = {d: (v[0], v[1]) for d, v in dims.items()}
    return [a for a in rows.values() if filters.keep(a)]
