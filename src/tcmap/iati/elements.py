"""One handler per child element of <iati-activity>, registered in HANDLERS.

Each handler reads its element into the ActivityRecord and records problems; none raises.
1.0x and 2.0x differences (text codes, narratives as element text) are normalised here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tcmap.iati.codes import codelist, normalise
from tcmap.iati.record import (
    ActivityRecord,
    Context,
    first_text,
    narratives,
    parse_date,
    parse_flag,
    parse_number,
    parse_percentage,
)
from tcmap.iati.results import result

Handler = Callable[[Any, ActivityRecord, Context], None]

_DATE_COLUMNS = {"1": "start_planned", "2": "start_actual", "3": "end_planned", "4": "end_actual"}


def _code(el: Any, name: str = "code") -> str | None:
    value = el.get(name)
    if value is None:
        return None
    return value.strip() or None




def _org_name(el: Any, ctx: Context, rec: ActivityRecord, owner: str, seq: str | None) -> str:
    """The name in the activity's language; narratives are kept when they add a language."""
    items = narratives(el, ctx)
    if len(items) > 1 or (items and items[0][0] != ctx.lang):
        for lang, text in items:
            rec.narrative(owner, seq, "name", None, lang, text)
    return first_text(items, ctx.lang)


def reporting_org(el, rec, ctx):
    rec.columns["reporting_org_ref"] = _code(el, "ref")
    rec.columns["reporting_org_type"] = _code(el, "type")
    rec.columns["secondary_reporter"] = parse_flag(el.get("secondary-reporter"))
    rec.columns["reporting_org_name"] = _org_name(el, ctx, rec, "reporting-org", None)


def title(el, rec, ctx):
    items = narratives(el, ctx)
    if not items:
        rec.problem("empty-narrative", el, field="title")
    for lang, text in items:
        rec.narrative("activity", None, "title", None, lang, text)


def description(el, rec, ctx):
    kind = _code(el, "type") or "1"
    items = narratives(el, ctx)
    if not items:
        rec.problem("empty-narrative", el, field=f"description[type={kind}]")
    for lang, text in items:
        rec.narrative("activity", None, "description", kind, lang, text)


def participating_org(el, rec, ctx):
    seq = str(len(rec.parts.get("participating_orgs", ())) + 1)
    rec.part(
        "participating_orgs",
        {
            "role": normalise("organisation_role", _code(el, "role")),
            "type": _code(el, "type"),
            "ref": _code(el, "ref"),
            "name": _org_name(el, ctx, rec, "participating-org", seq),
            "activity_ref": _code(el, "activity-id"),
            "crs_channel_code": _code(el, "crs-channel-code"),
        },
    )


def other_identifier(el, rec, ctx):
    owner = el.find("owner-org")
    if owner is not None:
        owner_ref, owner_name = _code(owner, "ref"), first_text(narratives(owner, ctx), ctx.lang)
        ref = _code(el, "ref")
    else:  # 1.0x: owner as attributes, the identifier as text
        owner_ref, owner_name = _code(el, "owner-ref"), _code(el, "owner-name")
        ref = _code(el, "ref") or (el.text or "").strip() or None
    rec.part(
        "other_identifiers",
        {"ref": ref, "type": _code(el, "type"), "owner_ref": owner_ref, "owner_name": owner_name},
    )


def activity_status(el, rec, ctx):
    rec.columns["status"] = _code(el)


def activity_date(el, rec, ctx):
    kind = normalise("activity_date_type", _code(el, "type"))
    column = _DATE_COLUMNS.get(kind or "")
    if column is None:
        rec.problem("unknown-code", el, field="activity-date/@type", value=el.get("type"))
        return
    value = el.get("iso-date")
    if value is None and ctx.major != 2:
        value = el.text
    rec.columns[column] = parse_date(value, rec, el, f"activity-date[type={kind}]")


def _simple(column: str, attr: str = "code") -> Handler:
    def handler(el, rec, ctx):
        rec.columns[column] = _code(el, attr)

    handler.__name__ = column
    return handler


def recipient_country(el, rec, ctx):
    code = (_code(el) or "").upper()
    if not code:
        rec.problem("unknown-country-code", el, field="recipient-country/@code", value="")
        return
    if code not in codelist("Country"):
        rec.problem("unknown-country-code", el, field="recipient-country/@code", value=code)
    rec.part(
        "recipient_countries",
        {
            "code": code,
            "percentage": parse_percentage(el.get("percentage"), rec, el, "recipient-country"),
        },
    )


def recipient_region(el, rec, ctx):
    code = _code(el)
    if not code:
        return
    rec.part(
        "recipient_regions",
        {
            "code": code,
            "vocabulary": normalise("region_vocabulary", _code(el, "vocabulary")) or "1",
            "percentage": parse_percentage(el.get("percentage"), rec, el, "recipient-region"),
        },
    )


def sector(el, rec, ctx):
    vocabulary = normalise("sector_vocabulary", _code(el, "vocabulary")) or "1"
    code = _code(el)
    if code is None:
        return
    if (vocabulary == "1" and code not in codelist("Sector")) or (
        vocabulary == "2" and code not in codelist("SectorCategory")
    ):
        rec.problem("unknown-sector-code", el, field=f"sector[vocabulary={vocabulary}]", value=code)
    rec.part(
        "sectors",
        {
            "vocabulary": vocabulary,
            "vocabulary_uri": _code(el, "vocabulary-uri"),
            "code": code,
            "percentage": parse_percentage(el.get("percentage"), rec, el, "sector"),
            "name": first_text(narratives(el, ctx), ctx.lang),
        },
    )


def policy_marker(el, rec, ctx):
    code = _code(el)
    if code is None:
        return
    rec.part(
        "policy_markers",
        {
            "vocabulary": normalise("policy_marker_vocabulary", _code(el, "vocabulary")) or "1",
            "code": code,
            "significance": _code(el, "significance"),
        },
    )


def tag(el, rec, ctx):
    rec.part(
        "iati_tags",
        {
            "vocabulary": _code(el, "vocabulary"),
            "vocabulary_uri": _code(el, "vocabulary-uri"),
            "code": _code(el),
            "text": first_text(narratives(el, ctx), ctx.lang),
        },
    )


def _amount(v, rec, ctx, fld) -> tuple[float | None, str | None, Any]:
    """Amount, currency and value date of a <value> element."""
    currency = _code(v, "currency") or ctx.currency
    amount = parse_number(v.text, rec, v, fld)
    if currency is None and amount is not None:
        rec.problem("missing-currency", v, field=fld)
    return amount, currency, parse_date(v.get("value-date"), rec, v, f"{fld}/@value-date")


def _date_of(el, name, rec, fld):
    d = el.find(name)
    if d is None:
        return None
    return parse_date(d.get("iso-date") or d.text, rec, d, fld)


def budget(el, rec, ctx):
    v = el.find("value")
    amount, currency, value_date = (
        (None, None, None) if v is None else _amount(v, rec, ctx, "budget/value")
    )
    rec.part(
        "budgets",
        {
            "type": normalise("budget_type", _code(el, "type")),
            "status": _code(el, "status"),
            "period_start": _date_of(el, "period-start", rec, "budget/period-start"),
            "period_end": _date_of(el, "period-end", rec, "budget/period-end"),
            "value": amount,
            "currency": currency,
            "value_date": value_date,
        },
    )


_TRANSACTION_CODES = {
    "flow-type": "flow_type",
    "finance-type": "finance_type",
    "aid-type": "aid_type",
    "tied-status": "tied_status",
    "sector": "sector_code",
    "recipient-country": "recipient_country",
    "recipient-region": "recipient_region",
    "disbursement-channel": None,
}


def transaction(el, rec, ctx):
    """A transaction, read in one pass over its children (transactions are the bulk of IATI)."""
    row = {
        "ref": _code(el, "ref"),
        "type": None,
        "transaction_date": None,
        "value": None,
        "currency": None,
        "value_date": None,
        "description": None,
        "provider_ref": None,
        "provider_name": None,
        "receiver_ref": None,
        "receiver_name": None,
        "flow_type": None,
        "finance_type": None,
        "aid_type": None,
        "tied_status": None,
        "sector_code": None,
        "recipient_country": None,
        "recipient_region": None,
    }
    for child in el:
        tag = child.tag
        if tag == "value":
            row["value"], row["currency"], row["value_date"] = _amount(
                child, rec, ctx, "transaction/value"
            )
        elif tag == "transaction-type":
            row["type"] = normalise("transaction_type", _code(child))
        elif tag == "transaction-date":
            row["transaction_date"] = parse_date(
                child.get("iso-date") or child.text, rec, child, "transaction-date"
            )
        elif tag == "provider-org" or tag == "receiver-org":
            side = tag[:-4]
            row[f"{side}_ref"] = _code(child, "ref")
            row[f"{side}_name"] = first_text(narratives(child, ctx), ctx.lang)
        elif tag == "description":
            row["description"] = first_text(narratives(child, ctx), ctx.lang)
        else:
            column = _TRANSACTION_CODES.get(tag)
            if column is not None and row[column] is None:
                row[column] = _code(child)
    rec.part("transactions", row)


def document_link(el, rec, ctx):
    t = el.find("title")
    codes = {"category": [], "language": []}
    for child in el:
        if child.tag in codes and (code := _code(child)):
            codes[child.tag].append(code)
    rec.part(
        "document_links",
        {
            "url": _code(el, "url"),
            "format": _code(el, "format"),
            "title": None if t is None else first_text(narratives(t, ctx), ctx.lang),
            "categories": ",".join(codes["category"]) or None,
            "languages": ",".join(codes["language"]) or None,
            "document_date": _date_of(el, "document-date", rec, "document-link/document-date"),
        },
    )


def related_activity(el, rec, ctx):
    rec.part("related_activities", {"ref": _code(el, "ref"), "type": _code(el, "type")})


def default_aid_type(el, rec, ctx):
    if rec.columns.get("default_aid_type") is None:  # several vocabularies may repeat it
        rec.columns["default_aid_type"] = _code(el)


HANDLERS: dict[str, Handler] = {
    "reporting-org": reporting_org,
    "title": title,
    "description": description,
    "participating-org": participating_org,
    "other-identifier": other_identifier,
    "activity-status": activity_status,
    "activity-date": activity_date,
    "activity-scope": _simple("scope"),
    "collaboration-type": _simple("collaboration_type"),
    "default-flow-type": _simple("default_flow_type"),
    "default-finance-type": _simple("default_finance_type"),
    "default-aid-type": default_aid_type,
    "default-tied-status": _simple("default_tied_status"),
    "recipient-country": recipient_country,
    "recipient-region": recipient_region,
    "sector": sector,
    "policy-marker": policy_marker,
    "tag": tag,
    "budget": budget,
    "transaction": transaction,
    "document-link": document_link,
    "related-activity": related_activity,
    "result": result,
}
