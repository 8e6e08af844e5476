"""People and access: accounts with a role, their API tokens, and the audit trail of sign-ins.

Names are stored lower-cased, so the unique constraint is case-insensitive on every database
and a lookup lower-cases what it is given. `tcmap.users` is the one place that writes these
tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tcmap.store.base import Base, utcnow


class User(Base):
    """A person who may sign in, with a role (viewer, analyst, admin) and an Argon2 hash.

    `session_version` grows by one when the password changes or the account is disabled;
    a web session remembers the version it was made under and dies when they differ.
    """

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('viewer', 'analyst', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)  # lower-cased
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    session_version: Mapped[int] = mapped_column(default=1)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True)


class ApiToken(Base):
    """A secret a script presents instead of a password; only its SHA-256 is kept.

    `prefix` (the token's first 8 characters) lets a person tell their tokens apart.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(back_populates="tokens")


class AuthEvent(Base):
    """One sign-in, refusal, token use or change to an account: the audit trail of access.

    `user_name` is the name as attempted (lower-cased), so failures for names that do not
    exist are counted too; throttling reads these rows, which makes it hold across processes.
    """

    __tablename__ = "auth_events"
    __table_args__ = (
        Index("ix_auth_events_user_name_at", "user_name", "at"),
        Index("ix_auth_events_remote_at", "remote", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_name: Mapped[str] = mapped_column(String(100))
    # login-ok, login-failed, locked, logout, token-used, token-created, token-revoked,
    # user-added, user-disabled, user-enabled, role-changed, password-changed
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    remote: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(Text)
