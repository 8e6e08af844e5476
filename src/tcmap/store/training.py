"""Training events, their participants and follow-up surveys, with the imports that changed them.

An event is known by its own code, a participant by (event, code), a survey response by
(participant, timing): re-importing the same sheets finds the same rows. Every import is
recorded (who, when, which files, counts) and every row it inserted or changed keeps its
before and after state, so any figure can be traced to the file and the import it came from.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tcmap.store.base import Base, utcnow


class TrainingImport(Base):
    """One run of `tcmap training import` (or an upload): who, when, which files, what changed."""

    __tablename__ = "training_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by: Mapped[str] = mapped_column(String(100))
    files: Mapped[list] = mapped_column(JSON)  # [{name, sha256, size}]
    counts: Mapped[dict] = mapped_column(JSON)  # inserted, updated, unchanged, rejected per kind
    n_problems: Mapped[int] = mapped_column(default=0)


class TrainingChange(Base):
    """A row an import inserted or changed: its kind and key, and its state before and after."""

    __tablename__ = "training_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("training_imports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # event, participant, response
    key: Mapped[str] = mapped_column(String(400))
    action: Mapped[str] = mapped_column(String(20))  # inserted, updated
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict] = mapped_column(JSON)


class TrainingEvent(Base):
    """A course, workshop or academy: when, for which outcome, how delivered, by whom."""

    __tablename__ = "training_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(Text)
    start_date: Mapped[date]
    end_date: Mapped[date]
    framework: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(40), index=True)
    modality: Mapped[str | None] = mapped_column(String(40))
    organizer: Mapped[str | None] = mapped_column(String(200))
    venue_country: Mapped[str | None] = mapped_column(String(2))
    activity: Mapped[str | None] = mapped_column(String(200))  # IATI identifier of its project
    surveys: Mapped[list] = mapped_column(JSON, default=list)  # timings sent, e.g. ["end", "6m"]
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(300))  # the file and row it came from
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_imports.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    participants: Mapped[list[Participant]] = relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True)


class Participant(Base):
    """A person in one event, as the figures disaggregate: sex, constituent type, country."""

    __tablename__ = "training_participants"
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("training_events.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(20))
    constituent_type: Mapped[str] = mapped_column(String(60))
    organization: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(2))
    not_reached: Mapped[list] = mapped_column(JSON, default=list)  # timings that missed them
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(300))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_imports.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[TrainingEvent] = relationship(back_populates="participants")
    responses: Mapped[list[SurveyResponse]] = relationship(
        back_populates="participant", cascade="all, delete-orphan", passive_deletes=True)


class SurveyResponse(Base):
    """A returned survey: one participant's answers at one timing (end, 3m, 6m, 12m)."""

    __tablename__ = "training_responses"
    __table_args__ = (UniqueConstraint("participant_id", "timing"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("training_participants.id", ondelete="CASCADE"))
    timing: Mapped[str] = mapped_column(String(20))
    responded_on: Mapped[date | None]
    instrument: Mapped[str] = mapped_column(String(100))  # code/version the answers were read by
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(300))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_imports.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    participant: Mapped[Participant] = relationship(back_populates="responses")
    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True,
        order_by="SurveyAnswer.item")


class SurveyAnswer(Base):
    """One item's answer in a response: a point on its scale, or text (free text, choices)."""

    __tablename__ = "training_answers"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("training_responses.id", ondelete="CASCADE"), primary_key=True)
    item: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
