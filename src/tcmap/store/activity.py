"""The Activity noun and the parts that describe it (narratives, organisations, places, sectors)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tcmap.store.base import ActivityPart, Base, utcnow

_PARTS = dict(cascade="all, delete-orphan", passive_deletes=True, order_by="{}.seq")


def _parts(model: str):
    opts = dict(_PARTS)
    opts["order_by"] = opts["order_by"].format(model)
    return relationship(model, **opts)


class Activity(Base):
    """One project or programme as IATI describes it, plus where and when it was imported."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    iati_identifier: Mapped[str] = mapped_column(String, unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    reporting_org_ref: Mapped[str | None] = mapped_column(String, index=True)
    reporting_org_type: Mapped[str | None] = mapped_column(String)
    reporting_org_name: Mapped[str | None] = mapped_column(String)
    secondary_reporter: Mapped[bool | None]
    default_lang: Mapped[str | None] = mapped_column(String)
    default_currency: Mapped[str | None] = mapped_column(String)
    hierarchy: Mapped[int | None]
    humanitarian: Mapped[bool | None]
    status: Mapped[str | None] = mapped_column(String, index=True)
    scope: Mapped[str | None] = mapped_column(String)
    collaboration_type: Mapped[str | None] = mapped_column(String)
    default_flow_type: Mapped[str | None] = mapped_column(String)
    default_finance_type: Mapped[str | None] = mapped_column(String)
    default_aid_type: Mapped[str | None] = mapped_column(String)
    default_tied_status: Mapped[str | None] = mapped_column(String)
    start_planned: Mapped[date | None]
    start_actual: Mapped[date | None]
    end_planned: Mapped[date | None]
    end_actual: Mapped[date | None]
    start_year: Mapped[int | None] = mapped_column(index=True)
    last_updated: Mapped[str | None] = mapped_column(String)
    iati_version: Mapped[str | None] = mapped_column(String)
    origin: Mapped[str] = mapped_column(String, default="iati")
    source_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("source_files.id", ondelete="SET NULL"), index=True
    )
    source_line: Mapped[int | None]
    content_hash: Mapped[str] = mapped_column(String)
    first_imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    source_file = relationship("SourceFile")
    narratives = _parts("Narrative")
    participating_orgs = _parts("ParticipatingOrg")
    other_identifiers = _parts("OtherIdentifier")
    countries = _parts("RecipientCountry")
    regions = _parts("RecipientRegion")
    sectors = _parts("Sector")
    policy_markers = _parts("PolicyMarker")
    iati_tags = _parts("IatiTag")
    budgets = _parts("Budget")
    transactions = _parts("Transaction")
    results = relationship(
        "Result", cascade="all, delete-orphan", passive_deletes=True, order_by="Result.result_no"
    )
    document_links = _parts("DocumentLink")
    related_activities = _parts("RelatedActivity")
    tags = relationship("Tag", cascade="all, delete-orphan", passive_deletes=True)
    notes = relationship("Note", cascade="all, delete-orphan", passive_deletes=True)


class Narrative(ActivityPart, Base):
    """A piece of free text in one language: a title, description, name or comment."""

    __tablename__ = "narratives"

    owner: Mapped[str] = mapped_column(String)  # activity, participating-org, result...
    owner_seq: Mapped[str | None] = mapped_column(String)  # e.g. "2" or "1.3"
    field: Mapped[str] = mapped_column(String)  # title, description, name, comment...
    kind: Mapped[str | None] = mapped_column(String)  # description type code
    lang: Mapped[str | None] = mapped_column(String)
    text: Mapped[str] = mapped_column(Text)


class ParticipatingOrg(ActivityPart, Base):
    """An organisation taking part, with its role (1 funding ... 4 implementing) and type."""

    __tablename__ = "participating_orgs"

    role: Mapped[str | None] = mapped_column(String)
    type: Mapped[str | None] = mapped_column(String)
    ref: Mapped[str | None] = mapped_column(String)
    name: Mapped[str | None] = mapped_column(String)
    activity_ref: Mapped[str | None] = mapped_column(String)
    crs_channel_code: Mapped[str | None] = mapped_column(String)


class OtherIdentifier(ActivityPart, Base):
    """Another identifier of the activity (a previous one, a partner's own)."""

    __tablename__ = "other_identifiers"

    ref: Mapped[str | None] = mapped_column(String)
    type: Mapped[str | None] = mapped_column(String)
    owner_ref: Mapped[str | None] = mapped_column(String)
    owner_name: Mapped[str | None] = mapped_column(String)


class RecipientCountry(ActivityPart, Base):
    """A country the activity is for, with its share."""

    __tablename__ = "recipient_countries"
    __table_args__ = (Index(None, "code"),)

    code: Mapped[str] = mapped_column(String)
    percentage: Mapped[float | None] = mapped_column(Float)


class RecipientRegion(ActivityPart, Base):
    """A region the activity is for, with its vocabulary and share."""

    __tablename__ = "recipient_regions"
    __table_args__ = (Index(None, "code"),)

    code: Mapped[str] = mapped_column(String)
    vocabulary: Mapped[str | None] = mapped_column(String)
    percentage: Mapped[float | None] = mapped_column(Float)


class Sector(ActivityPart, Base):
    """A sector code in a vocabulary (1 = DAC 5-digit, 2 = DAC 3-digit, 99 = publisher's own)."""

    __tablename__ = "sectors"
    __table_args__ = (Index(None, "vocabulary", "code"),)

    vocabulary: Mapped[str | None] = mapped_column(String)
    vocabulary_uri: Mapped[str | None] = mapped_column(String)
    code: Mapped[str] = mapped_column(String)
    percentage: Mapped[float | None] = mapped_column(Float)
    name: Mapped[str | None] = mapped_column(String)


class PolicyMarker(ActivityPart, Base):
    """A policy marker (e.g. gender equality) with its significance."""

    __tablename__ = "policy_markers"

    vocabulary: Mapped[str | None] = mapped_column(String)
    code: Mapped[str] = mapped_column(String)
    significance: Mapped[str | None] = mapped_column(String)


class IatiTag(ActivityPart, Base):
    """A publisher's <tag> (e.g. an SDG target), not to be confused with a mapping Tag."""

    __tablename__ = "iati_tags"

    vocabulary: Mapped[str | None] = mapped_column(String)
    vocabulary_uri: Mapped[str | None] = mapped_column(String)
    code: Mapped[str | None] = mapped_column(String)
    text: Mapped[str | None] = mapped_column(Text)


class DocumentLink(ActivityPart, Base):
    """A document about the activity, by address."""

    __tablename__ = "document_links"

    url: Mapped[str | None] = mapped_column(Text)
    format: Mapped[str | None] = mapped_column(String)
    title: Mapped[str | None] = mapped_column(Text)
    categories: Mapped[str | None] = mapped_column(String)
    languages: Mapped[str | None] = mapped_column(String)
    document_date: Mapped[date | None]


class RelatedActivity(ActivityPart, Base):
    """Another activity this one is related to (parent, child, sibling, co-funded)."""

    __tablename__ = "related_activities"

    ref: Mapped[str | None] = mapped_column(String, index=True)
    type: Mapped[str | None] = mapped_column(String)
