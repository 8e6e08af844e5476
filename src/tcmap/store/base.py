"""The declarative base, its naming convention and column helpers shared by all models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, ForeignKey, Integer, MetaData, Numeric, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

class Money(TypeDecorator):
    """An amount: NUMERIC(22, 4) in the database, a float in Python on every database.

    Analyses sum amounts and exact decimals buy nothing there, while PostgreSQL still stores
    them exactly. SQLite's NUMERIC affinity hands whole amounts back as int; this makes them
    floats, so results are the same on both databases.
    """

    impl = Numeric(22, 4, asdecimal=False)
    cache_ok = True

    def process_result_value(self, value, dialect):
        return None if value is None else float(value)


def utcnow() -> datetime:
    """The clock; tests may patch tcmap.store.base.utcnow."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict: JSON, list: JSON}


class ActivityPart:
    """A row that belongs to one activity, keyed by the activity and its position in it."""

    @declared_attr
    def activity_id(cls) -> Mapped[int]:
        return mapped_column(
            Integer, ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
        )

    @declared_attr
    def seq(cls) -> Mapped[int]:
        return mapped_column(Integer, primary_key=True, autoincrement=False)
