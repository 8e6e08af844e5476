"""One activity in full, in readable form: codes come with their IATI names."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.errors import NotFoundError
from tcmap.iati.codes import name_of
from tcmap.review import history, tag_dict
from tcmap.store import Activity

_TRANSACTIONS_LISTED = 100


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _coded(list_name: str, code: str | None) -> dict[str, Any] | None:
    if code is None:
        return None
    return {"code": code, "name": name_of(list_name, code)}


def find_activity(session: Session, identifier: str) -> Activity:
    """The activity with this IATI identifier, or NotFoundError with a hint."""
    activity = session.scalar(select(Activity).where(Activity.iati_identifier == identifier))
    if activity is None:
        raise NotFoundError(
            f"No activity {identifier!r} in the database.",
            hint="List identifiers with `tcmap activities`, or search with --q.",
        )
    return activity


def _narratives(a: Activity) -> dict[str, Any]:
    """Titles and descriptions per language, and the other narratives by owner."""
    titles: dict[str, list[str]] = defaultdict(list)
    descriptions: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    for n in a.narratives:
        if n.owner == "activity" and n.field == "title":
            titles[n.lang or "?"].append(n.text)
        elif n.owner == "activity" and n.field == "description":
            descriptions.append({"type": _coded("DescriptionType", n.kind), "lang": n.lang,
                                 "text": n.text})
        else:
            other.append({"owner": n.owner, "owner_seq": n.owner_seq, "field": n.field,
                          "lang": n.lang, "text": n.text})
    return {"titles": dict(titles), "descriptions": descriptions, "other_narratives": other}


def _results(a: Activity) -> list[dict[str, Any]]:
    return [
        {
            "type": _coded("ResultType", r.type), "title": r.title,
            "description": r.description, "aggregation_status": r.aggregation_status,
            "indicators": [
                {
                    "measure": _coded("IndicatorMeasure", i.measure), "ascending": i.ascending,
                    "title": i.title, "description": i.description,
                    "baselines": [
                        {"year": b.year, "date": _iso(b.baseline_date), "value": b.value_text,
                         "comment": b.comment} for b in i.baselines
                    ],
                    "periods": [
                        {"start": _iso(p.period_start), "end": _iso(p.period_end),
                         "target": p.target_text, "actual": p.actual_text,
                         "target_comment": p.target_comment,
                         "actual_comment": p.actual_comment} for p in i.periods
                    ],
                }
                for i in r.indicators
            ],
        }
        for r in a.results
    ]


def _money(a: Activity) -> dict[str, Any]:
    totals: dict[tuple[str | None, str | None], float] = defaultdict(float)
    for t in a.transactions:
        if t.value is not None:
            totals[(t.type, t.currency)] += t.value
    return {
        "budgets": [
            {"type": _coded("BudgetType", b.type), "status": _coded("BudgetStatus", b.status),
             "start": _iso(b.period_start), "end": _iso(b.period_end), "value": b.value,
             "currency": b.currency} for b in a.budgets
        ],
        "transaction_totals": [
            {"type": _coded("TransactionType", t), "currency": c, "value": round(v, 2)}
            for (t, c), v in sorted(totals.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or ""))
        ],
        "transactions": [
            {"type": _coded("TransactionType", t.type), "date": _iso(t.transaction_date),
             "value": t.value, "currency": t.currency, "provider": t.provider_name,
             "receiver": t.receiver_name, "description": t.description}
            for t in a.transactions[:_TRANSACTIONS_LISTED]
        ],
        "transactions_count": len(a.transactions),
    }


def activity_detail(session: Session, identifier: str) -> dict[str, Any]:
    """Everything stored about one activity, codes with their names."""
    a = find_activity(session, identifier)
    src = a.source_file
    return {
        "identifier": a.iati_identifier,
        "title": a.title,
        **_narratives(a),
        "reporting_org": {"ref": a.reporting_org_ref, "name": a.reporting_org_name,
                          "type": _coded("OrganisationType", a.reporting_org_type)},
        "participating_orgs": [
            {"role": _coded("OrganisationRole", o.role),
             "type": _coded("OrganisationType", o.type), "ref": o.ref, "name": o.name}
            for o in a.participating_orgs
        ],
        "other_identifiers": [
            {"ref": o.ref, "type": o.type, "owner_ref": o.owner_ref, "owner_name": o.owner_name}
            for o in a.other_identifiers
        ],
        "status": _coded("ActivityStatus", a.status),
        "dates": {"start_planned": _iso(a.start_planned), "start_actual": _iso(a.start_actual),
                  "end_planned": _iso(a.end_planned), "end_actual": _iso(a.end_actual)},
        "countries": [{"code": c.code, "name": name_of("Country", c.code),
                       "percentage": c.percentage} for c in a.countries],
        "regions": [{"code": r.code, "name": name_of("Region", r.code),
                     "vocabulary": r.vocabulary, "percentage": r.percentage}
                    for r in a.regions],
        "sectors": [
            {"vocabulary": _coded("SectorVocabulary", s.vocabulary), "code": s.code,
             "name": s.name or (name_of("Sector", s.code) if s.vocabulary == "1" else None),
             "percentage": s.percentage} for s in a.sectors
        ],
        "policy_markers": [
            {"code": p.code, "name": name_of("PolicyMarker", p.code),
             "significance": _coded("PolicySignificance", p.significance)}
            for p in a.policy_markers
        ],
        "iati_tags": [{"vocabulary": t.vocabulary, "code": t.code, "text": t.text}
                      for t in a.iati_tags],
        "defaults": {"currency": a.default_currency, "language": a.default_lang,
                     "flow_type": _coded("FlowType", a.default_flow_type),
                     "finance_type": _coded("FinanceType", a.default_finance_type),
                     "aid_type": _coded("AidType", a.default_aid_type),
                     "tied_status": _coded("TiedStatus", a.default_tied_status),
                     "collaboration_type": _coded("CollaborationType", a.collaboration_type),
                     "scope": _coded("ActivityScope", a.scope),
                     "hierarchy": a.hierarchy, "humanitarian": a.humanitarian},
        **_money(a),
        "results": _results(a),
        "document_links": [
            {"url": d.url, "title": d.title, "format": d.format, "categories": d.categories,
             "languages": d.languages, "date": _iso(d.document_date)} for d in a.document_links
        ],
        "related_activities": [{"ref": r.ref, "type": _coded("RelatedActivityType", r.type)}
                               for r in a.related_activities],
        "tags": [tag_dict(t) for t in sorted(
            a.tags, key=lambda t: (t.dimension, t.rank or 0, t.code))],
        "notes": [{"author": n.author, "text": n.text, "created_at": _iso(n.created_at)}
                  for n in a.notes],
        "history": history(session, identifier),
        "source": {
            "file": src.path if src else None, "sha256": src.sha256 if src else None,
            "line": a.source_line, "iati_version": a.iati_version, "origin": a.origin,
            "first_imported_at": _iso(a.first_imported_at), "updated_at": _iso(a.updated_at),
            "last_updated": a.last_updated,
        },
    }
