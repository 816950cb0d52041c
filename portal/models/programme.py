"""Programmes of the network and the Sustainable Development Goals."""

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal import vocab
from portal.extensions import db


class Programme(db.Model):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Programme {self.slug}>"


class Sdg(db.Model):
    """One of the 17 goals; number 12 is every item's home goal."""

    __tablename__ = "sdgs"

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(80))

    @property
    def label(self) -> str:
        return vocab.sdg_label(self.number)

    def __repr__(self) -> str:
        return f"<Sdg {self.number}>"
