"""Programmes of the network and the Sustainable Development Goals."""

from sqlalchemy import String, Text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from portal import vocab
from portal.extensions import db


def display_name(slug: str, stored_name: str) -> str:
    """A programme's name in the interface language (see ``Programme``)."""
    if stored_name != vocab.programme_name(slug, language="en"):
        return stored_name
    return vocab.programme_name(slug, default=stored_name)


class Programme(db.Model):
    """A programme of the network.

    ``name`` and ``description`` read in the interface language: the network's own wording from
    ``vocab.PROGRAMMES`` while the stored text is its English original, else the stored text as edited.
    In SQL they are the stored columns.
    """

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(20), unique=True)
    stored_name: Mapped[str] = mapped_column("name", String(120))
    stored_description: Mapped[str] = mapped_column("description", Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    @hybrid_property
    def name(self) -> str:
        return display_name(self.slug, self.stored_name)

    @name.inplace.setter
    def _name_setter(self, value: str) -> None:
        self.stored_name = str(value)

    @name.inplace.expression
    @classmethod
    def _name_expression(cls):
        return cls.stored_name

    @hybrid_property
    def description(self) -> str:
        if self.stored_description != vocab.programme_description(self.slug, language="en"):
            return self.stored_description
        return vocab.programme_description(self.slug, default=self.stored_description)

    @description.inplace.setter
    def _description_setter(self, value: str) -> None:
        self.stored_description = str(value)

    @description.inplace.expression
    @classmethod
    def _description_expression(cls):
        return cls.stored_description

    def __repr__(self) -> str:
        return f"<Programme {self.slug}>"


class Sdg(db.Model):
    """One of the 17 goals; number 12 is every item's home goal."""

    __tablename__ = "sdgs"

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(80))  # the English title; pages show ``label``

    @property
    def label(self) -> str:
        return vocab.sdg_label(self.number)

    def __repr__(self) -> str:
        return f"<Sdg {self.number}>"
