"""Tags (the mapping of an activity onto the framework) and people's notes on activities.

Import never writes these tables, so tags and notes survive any re-import.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tcmap.store.base import Base, utcnow


class Tag(Base):
    """An activity × dimension × code assignment with confidence, evidence, origin and review."""

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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


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
