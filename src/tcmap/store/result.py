"""Results of an activity: result, indicator, baseline and period target and actual."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Float, ForeignKey, ForeignKeyConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tcmap.store.base import Base


def _activity_key() -> Mapped[int]:
    return mapped_column(
        Integer, ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )


def _no() -> Mapped[int]:
    return mapped_column(Integer, primary_key=True, autoincrement=False)


class Result(Base):
    """A result the activity reports on (type 1 output, 2 outcome, 3 impact, 9 other)."""

    __tablename__ = "results"

    activity_id: Mapped[int] = _activity_key()
    result_no: Mapped[int] = _no()
    type: Mapped[str | None] = mapped_column(String)
    aggregation_status: Mapped[bool | None]
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)

    indicators = relationship(
        "Indicator", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Indicator.indicator_no",
    )


class Indicator(Base):
    """An indicator of a result, measured in a unit (1), percentage (2), nominal (3)..."""

    __tablename__ = "indicators"
    __table_args__ = (
        ForeignKeyConstraint(
            ["activity_id", "result_no"], ["results.activity_id", "results.result_no"],
            ondelete="CASCADE",
        ),
    )

    activity_id: Mapped[int] = _activity_key()
    result_no: Mapped[int] = _no()
    indicator_no: Mapped[int] = _no()
    measure: Mapped[str | None] = mapped_column(String)
    ascending: Mapped[bool | None]
    aggregation_status: Mapped[bool | None]
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)

    baselines = relationship(
        "IndicatorBaseline", cascade="all, delete-orphan", passive_deletes=True,
        order_by="IndicatorBaseline.seq",
    )
    periods = relationship(
        "IndicatorPeriod", cascade="all, delete-orphan", passive_deletes=True,
        order_by="IndicatorPeriod.period_no",
    )


def _indicator_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["activity_id", "result_no", "indicator_no"],
        ["indicators.activity_id", "indicators.result_no", "indicators.indicator_no"],
        ondelete="CASCADE",
    )


class IndicatorBaseline(Base):
    """A baseline of an indicator: year or date, value (as given and as a number), comment."""

    __tablename__ = "indicator_baselines"
    __table_args__ = (_indicator_fk(),)

    activity_id: Mapped[int] = _activity_key()
    result_no: Mapped[int] = _no()
    indicator_no: Mapped[int] = _no()
    seq: Mapped[int] = _no()
    year: Mapped[int | None]
    baseline_date: Mapped[date | None]
    value_text: Mapped[str | None] = mapped_column(String)
    value: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)


class IndicatorPeriod(Base):
    """A reporting period of an indicator with its target and actual."""

    __tablename__ = "indicator_periods"
    __table_args__ = (_indicator_fk(),)

    activity_id: Mapped[int] = _activity_key()
    result_no: Mapped[int] = _no()
    indicator_no: Mapped[int] = _no()
    period_no: Mapped[int] = _no()
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    target_text: Mapped[str | None] = mapped_column(String)
    target: Mapped[float | None] = mapped_column(Float)
    target_comment: Mapped[str | None] = mapped_column(Text)
    actual_text: Mapped[str | None] = mapped_column(String)
    actual: Mapped[float | None] = mapped_column(Float)
    actual_comment: Mapped[str | None] = mapped_column(Text)
