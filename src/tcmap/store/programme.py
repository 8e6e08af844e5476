"""Country programmes (DWCPs), the results chain and capacity indicators.

A Programme has outcomes (country programme outcomes, each linked to a framework outcome),
and outcomes have outputs (one capacity level, one constituent). Activities link to outcomes
explicitly (a person) or by recognition (an outcome code in their identifier or tags).
The results chain of a programme is a typed graph of ChainNodes and ChainLinks; indicators
sit on nodes and have values per period (and per disaggregation). Every change a person
makes is a ResultsEvent; editable rows carry a version for optimistic locking.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tcmap.store.base import Base, utcnow


def _version() -> Mapped[int]:
    return mapped_column(Integer, default=1)


class Programme(Base):
    """A country programme: country, period, priorities and the constituents it serves."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    country: Mapped[str] = mapped_column(String(10), index=True)  # ISO 3166-1 alpha-2
    title: Mapped[str] = mapped_column(Text, default="")
    period_start: Mapped[date]
    period_end: Mapped[date]
    priorities: Mapped[list] = mapped_column(default=list)
    constituents: Mapped[list] = mapped_column(default=list)  # target-group codes
    framework: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = _version()
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    outcomes = relationship("ProgrammeOutcome", cascade="all, delete-orphan",
                            passive_deletes=True, order_by="ProgrammeOutcome.code")


class ProgrammeOutcome(Base):
    """A country programme outcome (CPO): its code, statement and framework outcome."""

    __tablename__ = "programme_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    statement: Mapped[str] = mapped_column(Text)
    framework_outcome: Mapped[str | None] = mapped_column(String(40))
    priority: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = _version()
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    outputs = relationship("ProgrammeOutput", cascade="all, delete-orphan",
                           passive_deletes=True, order_by="ProgrammeOutput.code")


class ProgrammeOutput(Base):
    """An output of an outcome: what is delivered, at one capacity level, for one constituent."""

    __tablename__ = "programme_outputs"
    __table_args__ = (UniqueConstraint("programme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    outcome_id: Mapped[int] = mapped_column(
        ForeignKey("programme_outcomes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    statement: Mapped[str] = mapped_column(Text)
    capacity_level: Mapped[str] = mapped_column(String(40))
    constituent: Mapped[str | None] = mapped_column(String(40))
    learning_outcome: Mapped[str | None] = mapped_column(String(40))
    institutional_change: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = _version()
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActivityOutcomeLink(Base):
    """An activity contributing to a programme outcome (and perhaps to one of its outputs).

    `origin` is person or recognised; `state` linked or rejected. A person's rejection stays,
    so recognition run again does not bring the link back.
    """

    __tablename__ = "activity_outcome_links"
    __table_args__ = (UniqueConstraint("outcome_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(
        ForeignKey("programme_outcomes.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    output_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_outputs.id", ondelete="SET NULL"), index=True)
    origin: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(12), default="linked")
    evidence: Mapped[dict | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ChainNode(Base):
    """A node of a programme's results chain: its type, a key unique per type, a label."""

    __tablename__ = "chain_nodes"
    __table_args__ = (UniqueConstraint("programme_id", "type", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(300))
    label: Mapped[str] = mapped_column(Text, default="")
    capacity_level: Mapped[str | None] = mapped_column(String(40))
    learning_outcome: Mapped[str | None] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(12))  # built, person
    derived: Mapped[bool] = mapped_column(default=True)  # the last build produced it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChainLink(Base):
    """A link up the chain, with the assumption it rests on and its risk."""

    __tablename__ = "chain_links"
    __table_args__ = (UniqueConstraint("from_id", "to_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    from_id: Mapped[int] = mapped_column(
        ForeignKey("chain_nodes.id", ondelete="CASCADE"), index=True)
    to_id: Mapped[int] = mapped_column(
        ForeignKey("chain_nodes.id", ondelete="CASCADE"), index=True)
    assumption: Mapped[str | None] = mapped_column(Text)
    risk: Mapped[str | None] = mapped_column(Text)
    risk_rating: Mapped[str | None] = mapped_column(String(10))
    origin: Mapped[str] = mapped_column(String(12))  # built, person
    derived: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = _version()
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CapacityIndicator(Base):
    """An indicator on a chain node, with its declared measure and aggregation rules."""

    __tablename__ = "capacity_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    node_id: Mapped[int] = mapped_column(
        ForeignKey("chain_nodes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(120), unique=True)
    library_code: Mapped[str | None] = mapped_column(String(60), index=True)
    title: Mapped[str] = mapped_column(Text)
    definition: Mapped[str | None] = mapped_column(Text)
    capacity_level: Mapped[str | None] = mapped_column(String(40))
    result_level: Mapped[str] = mapped_column(String(30))
    measure: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(100))
    direction: Mapped[str] = mapped_column(String(10), default="increase")
    across_periods: Mapped[str] = mapped_column(String(10))
    across_activities: Mapped[str] = mapped_column(String(10))
    baseline: Mapped[float | None] = mapped_column(Float)
    baseline_numerator: Mapped[float | None] = mapped_column(Float)
    baseline_denominator: Mapped[float | None] = mapped_column(Float)
    baseline_date: Mapped[date | None]
    disaggregations: Mapped[list] = mapped_column(default=list)
    means_of_verification: Mapped[str | None] = mapped_column(Text)
    learning_outcome: Mapped[str | None] = mapped_column(String(40))
    kirkpatrick_level: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(300), index=True)  # person, iati:<ref>
    version: Mapped[int] = _version()
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class IndicatorValue(Base):
    """A target and an actual of one period (and one disaggregation cell) of an indicator.

    A ratio-of-sums indicator stores the actual's numerator and denominator; `actual` is
    then their quotient. `disaggregation` is a mapping such as {"sex": "female"} ({} for the
    total) and `cell` its canonical text ("sex=female"), so that one cell has one row.
    """

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("indicator_id", "period_start", "period_end",
                                       "cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("capacity_indicators.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    disaggregation: Mapped[dict] = mapped_column(default=dict)
    cell: Mapped[str] = mapped_column(String(400), default="")
    target: Mapped[float | None] = mapped_column(Float)
    actual: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(300))
    approval: Mapped[str] = mapped_column(String(12), default="draft")
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None]
    version: Mapped[int] = _version()
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ResultsEvent(Base):
    """A change to a programme, outcome, output, link, chain link, indicator or value.

    `entity` names the table's noun and `entity_id` the row; `before` and `after` hold the
    fields that changed (null when the row was created or deleted).
    """

    __tablename__ = "results_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(30))
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    before: Mapped[dict | None] = mapped_column()
    after: Mapped[dict | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
