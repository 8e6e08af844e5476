"""Snapshots: frozen, dated states of the mapping that reports are built from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tcmap.store.base import Base, utcnow


class Snapshot(Base):
    """The mapped activities as they were at a moment, compressed, with what made them."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(100))
    filters: Mapped[dict] = mapped_column(JSON)
    framework: Mapped[str] = mapped_column(String(100))
    info: Mapped[dict] = mapped_column(JSON)  # counts, model versions, sources
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)  # gzip of the frame as JSON
