"""Capacity assessments of constituents: rounds, ratings, desired levels, responses.

An assessment applies one stored instrument (the YAML text, so that a later edit of the file
cannot change old scores) to one constituent. Its scope is a set of cells; ratings are per
question, desired levels and response actions per cell. A follow-up round is another
assessment whose `baseline_id` is the round it is compared with and whose `series_id` is the
first round. Every change a person makes is an AssessmentEvent (who, when, before, after).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tcmap.store.base import Base, Money, utcnow


class AssessmentInstrument(Base):
    """An instrument as it was when first used: code, version and the file's text."""

    __tablename__ = "assessment_instruments"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(Text)  # "packaged" or the file's path when loaded
    loaded_by: Mapped[str] = mapped_column(String(100))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Assessment(Base):
    """One round of a capacity assessment of one constituent."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_instruments.id"), index=True)
    constituent: Mapped[str] = mapped_column(Text)
    constituent_type: Mapped[str] = mapped_column(String(60))  # a framework target_groups code
    country: Mapped[str | None] = mapped_column(String(2))
    purpose_why: Mapped[str] = mapped_column(Text, default="")
    for_whom: Mapped[str] = mapped_column(Text, default="")
    for_what: Mapped[str] = mapped_column(Text, default="")
    round: Mapped[int] = mapped_column(default=1)
    baseline_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"), index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(30), default="design")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AssessmentCell(Base):
    """A cell of the instrument in the assessment's scope."""

    __tablename__ = "assessment_cells"
    __table_args__ = (UniqueConstraint("assessment_id", "cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    cell: Mapped[str] = mapped_column(String(200))


class AssessmentRating(Base):
    """One person's rating of a question from one source; re-rating replaces it (version+1)."""

    __tablename__ = "assessment_ratings"
    __table_args__ = (UniqueConstraint("assessment_id", "question", "source", "by"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(40))
    by: Mapped[str] = mapped_column(String(100))
    score: Mapped[int | None]  # None = N/A
    evidence: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    verified_score: Mapped[int | None]
    verified_by: Mapped[str | None] = mapped_column(String(100))
    verified_at: Mapped[datetime | None]
    verification_note: Mapped[str | None] = mapped_column(Text)


class AssessmentDesiredLevel(Base):
    """The desired score of a cell and who set it (self, reference group, primary client)."""

    __tablename__ = "assessment_desired_levels"
    __table_args__ = (UniqueConstraint("assessment_id", "cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    cell: Mapped[str] = mapped_column(String(200))
    score: Mapped[int]
    set_by: Mapped[str] = mapped_column(String(40))
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)


class AssessmentAction(Base):
    """An action of the capacity-development response to a cell's gap."""

    __tablename__ = "assessment_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    cell: Mapped[str] = mapped_column(String(200))
    horizon: Mapped[str] = mapped_column(String(20))
    lever: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(Text, default="")
    cost: Mapped[float | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    linked_output: Mapped[str | None] = mapped_column(Text)
    linked_activity: Mapped[str | None] = mapped_column(Text)  # an IATI identifier
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)


class AssessmentEvent(Base):
    """A change to an assessment: what (kind, subject), who, when, before and after."""

    __tablename__ = "assessment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(200), default="")
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    before: Mapped[dict | None]
    after: Mapped[dict | None]
