"""Partner organisations, their reporting contacts and their partnerships with programmes."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.programme import Programme


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(30), default="other")
    country: Mapped[str | None] = mapped_column(String(2))
    website: Mapped[str | None] = mapped_column(String(500))
    # Who answers for the organisation's reporting (reminders go to them, the alternates in copy),
    # whether or not they have an account. Addresses checked by ``portal.catalogue.organisations``.
    focal_point_email: Mapped[str | None] = mapped_column(String(320))
    alternate_emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Loaded when asked for: every item and every signed-in user brings its organisation along, and
    # their pages rarely list its partnerships (the admin's list loads them with its organisations).
    partnerships: Mapped[list["Partnership"]] = relationship(back_populates="organisation",
                                                             cascade="all, delete-orphan")

    @property
    def current_partnerships(self) -> list["Partnership"]:
        """The partnerships that have not ended (today)."""
        today = utcnow().date()
        return [partnership for partnership in self.partnerships if partnership.active_on(today)]

    @property
    def programmes(self) -> list[Programme]:
        """The programmes the organisation is a partner of today."""
        return [partnership.programme for partnership in self.current_partnerships]

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r}>"


class Partnership(db.Model):
    """An organisation's partnership with a programme, from ``joined_on`` until the day before ``ended_on``
    (an ended partnership leaves the reporting rate from that day on)."""

    __tablename__ = "partnerships"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)
    joined_on: Mapped[date] = mapped_column(Date, default=date.today)
    ended_on: Mapped[date | None] = mapped_column(Date)

    organisation: Mapped[Organisation] = relationship(back_populates="partnerships")
    programme: Mapped[Programme] = relationship(lazy="joined")

    def active_on(self, day: date) -> bool:
        """A partner on ``day`` (the SQL form is ``portal.catalogue.organisations.partner_on``)."""
        return self.joined_on <= day and (self.ended_on is None or self.ended_on > day)
