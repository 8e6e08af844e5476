"""Budgets and transactions of an activity."""

from __future__ import annotations

from datetime import date

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tcmap.store.base import ActivityPart, Base, Money


class Budget(ActivityPart, Base):
    """A budget for a period (type 1 original, 2 revised; status 1 indicative, 2 committed)."""

    __tablename__ = "budgets"

    type: Mapped[str | None] = mapped_column(String)
    status: Mapped[str | None] = mapped_column(String)
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    value: Mapped[float | None] = mapped_column(Money())
    currency: Mapped[str | None] = mapped_column(String)
    value_date: Mapped[date | None]


class Transaction(ActivityPart, Base):
    """A financial transaction (2 commitment, 3 disbursement, 4 expenditure, ...)."""

    __tablename__ = "transactions"

    ref: Mapped[str | None] = mapped_column(String)
    type: Mapped[str | None] = mapped_column(String)
    transaction_date: Mapped[date | None]
    value: Mapped[float | None] = mapped_column(Money())
    currency: Mapped[str | None] = mapped_column(String)
    value_date: Mapped[date | None]
    description: Mapped[str | None] = mapped_column(Text)
    provider_ref: Mapped[str | None] = mapped_column(String)
    provider_name: Mapped[str | None] = mapped_column(String)
    receiver_ref: Mapped[str | None] = mapped_column(String)
    receiver_name: Mapped[str | None] = mapped_column(String)
    flow_type: Mapped[str | None] = mapped_column(String)
    finance_type: Mapped[str | None] = mapped_column(String)
    aid_type: Mapped[str | None] = mapped_column(String)
    tied_status: Mapped[str | None] = mapped_column(String)
    sector_code: Mapped[str | None] = mapped_column(String)
    recipient_country: Mapped[str | None] = mapped_column(String)
    recipient_region: Mapped[str | None] = mapped_column(String)
