"""Budgets and transactions of an activity."""

from __future__ import annotations

from datetime import date

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tcmap.store.base import ActivityPart, Base, Money


class Budget(ActivityPart, Base):
    """A budget for a period (type 1 original, 2 revised; status 1 indicative, 2 committed)."""

    __tablename__ = "budgets"

    type: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str | None] = mapped_column(String(10))
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    value: Mapped[float | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    value_date: Mapped[date | None]


class Transaction(ActivityPart, Base):
    """A financial transaction (2 commitment, 3 disbursement, 4 expenditure, ...)."""

    __tablename__ = "transactions"

    ref: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str | None] = mapped_column(String(10))
    transaction_date: Mapped[date | None]
    value: Mapped[float | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    value_date: Mapped[date | None]
    description: Mapped[str | None] = mapped_column(Text)
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    provider_name: Mapped[str | None] = mapped_column(String(500))
    receiver_ref: Mapped[str | None] = mapped_column(String(200))
    receiver_name: Mapped[str | None] = mapped_column(String(500))
    flow_type: Mapped[str | None] = mapped_column(String(10))
    finance_type: Mapped[str | None] = mapped_column(String(10))
    aid_type: Mapped[str | None] = mapped_column(String(10))
    tied_status: Mapped[str | None] = mapped_column(String(10))
    sector_code: Mapped[str | None] = mapped_column(String(100))
    recipient_country: Mapped[str | None] = mapped_column(String(10))
    recipient_region: Mapped[str | None] = mapped_column(String(20))
