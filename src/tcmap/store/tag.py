"""Tags (the mapping of an activity onto the framework), their history, and people's notes.

Import never writes these tables (except a sheet's own mapping codes), so tags, their history
and notes survive any re-import. `tcmap.review` is the one place that changes tags.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint, literal_column
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tcmap.store.base import Base, utcnow


class Tag(Base):
    """An activity × dimension × code assignment with confidence, evidence, origin and review.

    `version` starts at 1 and grows by one on every change, so a reviewer who decided on a
    stale view is told instead of overwriting someone else's decision (optimistic locking).
    The ORM bumps it itself (`version_id_col`); a Core UPDATE that does not set it bumps it
    through `onupdate`.
    """

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("activity_id", "dimension", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    framework: Mapped[str] = mapped_column(String(100))
    dimension: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None]
    evidence: Mapped[list | None] = mapped_column(JSON)
    origin: Mapped[str] = mapped_column(String(10))  # rule, model, person
    model_version: Mapped[str | None] = mapped_column(String(100))
    review_state: Mapped[str] = mapped_column(String(10), default="machine")
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)  # the last reviewer's note
    version: Mapped[int] = mapped_column(
        default=1, server_default="1", onupdate=literal_column("version + 1")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __mapper_args__ = {"version_id_col": version}


class TagEvent(Base):
    """One change to an activity's tags or notes: who, when, what it was before and after.

    `by` is a person's name or `model:<version>`; `before` and `after` hold the tag's
    review_state, confidence, rank, origin and evidence (null when there was no tag).
    Deleting a tag keeps its events (tag_id becomes null); deleting the activity drops them.
    """

    __tablename__ = "tag_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    tag_id: Mapped[int | None] = mapped_column(
        ForeignKey("tags.id", ondelete="SET NULL"), index=True
    )
    dimension: Mapped[str | None] = mapped_column(String(40))
    code: Mapped[str | None] = mapped_column(String(40))
    # machine-added, machine-changed, machine-removed, accepted, rejected, added, note
    action: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)

    tag: Mapped[Tag | None] = relationship()


class Note(Base):
    """A person's note on an activity."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
