"""Intervention models: approaches written up by analysts, section by section, with history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tcmap.store.base import Base, utcnow


class ModelSection(Base):
    """One narrative section of an intervention model (logic, tools, successes...)."""

    __tablename__ = "model_sections"
    __table_args__ = (UniqueConstraint("framework", "approach", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework: Mapped[str] = mapped_column(String(100))
    approach: Mapped[str] = mapped_column(String(100))  # the approach's code
    section: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModelSectionEvent(Base):
    """A change to a section: who, when, the text before and after."""

    __tablename__ = "model_section_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("model_sections.id", ondelete="CASCADE"), index=True)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
