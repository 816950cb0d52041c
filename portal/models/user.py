"""Accounts, their server-side login sessions and failed login attempts."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.organisation import Organisation
from portal.models.programme import Programme

moderator_programmes = Table(
    "moderator_programmes",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness is case-insensitive.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="partner")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=False)
    # The interface language its mails are written in (portal.i18n.LANGUAGES).
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    moderated_programmes: Mapped[list[Programme]] = relationship(
        secondary=moderator_programmes, order_by=Programme.position, lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive accounts cannot log in
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_moderator(self) -> bool:
        return self.role == "moderator"

    @property
    def is_partner(self) -> bool:
        return self.role == "partner"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class AuthSession(db.Model):
    """A login, so that logout, deactivation and a password change end it on the server.

    The browser's signed cookie carries the token; only its SHA-256 digest is stored here.
    """

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginFailure(db.Model):
    """A failed login, counted per account and per address to throttle guessing."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
