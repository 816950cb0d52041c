"""Partner organisations and their partnerships with programmes."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partnerships: Mapped[list["Partnership"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def programmes(self) -> list[Programme]:
        return [p.programme for p in self.partnerships]

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r}>"


class Partnership(db.Model):
    """An organisation's partnership with a programme, since ``joined_on``."""

    __tablename__ = "partnerships"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)
    joined_on: Mapped[date] = mapped_column(Date, default=date.today)

    organisation: Mapped[Organisation] = relationship(back_populates="partnerships")
    programme: Mapped[Programme] = relationship(lazy="joined")
