"""Source files: where activities came from, with checksum and import time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tcmap.store.base import Base, utcnow


class SourceFile(Base):
    """One input file (IATI XML or sheet), identified by its path and checksum."""

    __tablename__ = "source_files"
    __table_args__ = (UniqueConstraint("path", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String)
    name: Mapped[str] = mapped_column(String)
    sha256: Mapped[str] = mapped_column(String, index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String)
    iati_version: Mapped[str | None] = mapped_column(String)
    status: Mapped[str] = mapped_column(String, default="running")
    first_imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    n_activities: Mapped[int] = mapped_column(default=0)
    n_inserted: Mapped[int] = mapped_column(default=0)
    n_updated: Mapped[int] = mapped_column(default=0)
    n_unchanged: Mapped[int] = mapped_column(default=0)
    n_rejected: Mapped[int] = mapped_column(default=0)
    n_problems: Mapped[int] = mapped_column(default=0)
