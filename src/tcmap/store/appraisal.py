"""Quality appraisals of country programmes and project documents, with rounds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tcmap.store.base import Base, utcnow


class Appraisal(Base):
    """A checklist applied to a document: the template kept as it was, the machine's
    pre-screen, the status and round of the clearance process."""

    __tablename__ = "appraisals"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    template: Mapped[str] = mapped_column(String(100))  # the checklist's code, e.g. DWCP_QA
    object_type: Mapped[str] = mapped_column(String(20))  # dwcp or project
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON)  # the template as it was used
    document_name: Mapped[str] = mapped_column(String(300))
    document_sha256: Mapped[str] = mapped_column(String(64))
    prescreen: Mapped[dict[str, Any]] = mapped_column(JSON)  # of the current round's document
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    round: Mapped[int] = mapped_column(default=1)
    version: Mapped[int] = mapped_column(default=1)  # bumped by every status change
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppraisalRating(Base):
    """A person's rating of one criterion: score (or N/A), comment and required action."""

    __tablename__ = "appraisal_ratings"
    __table_args__ = (UniqueConstraint("appraisal_id", "criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisals.id", ondelete="CASCADE"))
    criterion: Mapped[str] = mapped_column(String(100))
    score: Mapped[int | None]  # None with not_applicable
    not_applicable: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    required_action: Mapped[str] = mapped_column(Text, default="")
    round: Mapped[int] = mapped_column(default=1)  # the round it was last rated in
    version: Mapped[int] = mapped_column(default=1)
    rated_by: Mapped[str] = mapped_column(String(100))
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppraisalEvent(Base):
    """Every change to an appraisal: who, when, which round, the state before and after."""

    __tablename__ = "appraisal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(
        ForeignKey("appraisals.id", ondelete="CASCADE"), index=True)
    round: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))  # created, rated, submitted, returned, ...
    criterion: Mapped[str | None] = mapped_column(String(100))
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
