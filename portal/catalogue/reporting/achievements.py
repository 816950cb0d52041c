"""A programme's achievements for everyone, from public items only (the visibility rule)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal import vocab
from portal.catalogue.organisations import partner_on
from portal.catalogue.reporting.breakdowns import Count, breakdowns
from portal.catalogue.reporting.refresh import Refresher, refresher
from portal.catalogue.reporting.sql import programme_items
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import Item, Organisation, Partnership, Programme, utcnow

PUBLIC_CHAMPIONS = 5


@dataclass(frozen=True)
class PublicChampion:
    name: str
    items: int


@dataclass(frozen=True)
class Achievements:
    initiatives: int
    resources: int
    partners: int
    countries: int
    worldwide: int  # public items marked global
    sdgs: list[int]  # goals touched, in order
    categories: list[Count]
    champions: list[PublicChampion]

    @property
    def items(self) -> int:
        return self.initiatives + self.resources


def public_achievements(programme: Programme, now: datetime | None = None) -> Achievements:
    """A programme's achievements for everyone, computed from public items only (the visibility rule).

    Stored like the dashboards (``refresh``): after a change the programme page shows the stored figures
    (counts and organisations, never an item) while one process recomputes them once that page is
    answered; recomputed inside the request it took 0.18 s at 100 000 items. Another day than today
    (scripts, tests) is computed as asked.
    """
    if now is not None and now.date() != utcnow().date():
        return compute_achievements(programme, now)
    return achievements_keeper().get((programme.id,)).value


def achievements_keeper() -> Refresher:
    """The stored achievements, by programme id (``dashboard.warm`` prepares them)."""
    return refresher("achievements", _recompute, Achievements)


def _recompute(key: tuple) -> Achievements:
    """The achievements of a kept key (the programme's id), computed now."""
    return compute_achievements(db.session.get(Programme, key[0]), utcnow())


def compute_achievements(programme: Programme, now: datetime) -> Achievements:
    """``public_achievements`` computed afresh, without the cache."""
    public = select(Item.id.label("item_id")).where(Item.id.in_(programme_items(programme.id)), public_clause(now))
    counts = breakdowns(public, programme.id, frozenset({"item", "sdg", "country", "organisation"}))
    kinds = {count.key: count.count for count in counts.kinds}
    partners = set(
        db.session.scalars(
            select(Partnership.organisation_id).where(Partnership.programme_id == programme.id, partner_on(now.date()))
        )
    )  # ended partnerships left out
    return Achievements(
        initiatives=kinds.get("initiative", 0),
        resources=kinds.get("resource", 0),
        partners=len(partners),
        countries=sum(1 for count in counts.countries if count.key != vocab.GLOBAL),
        worldwide=sum(count.count for count in counts.countries if count.key == vocab.GLOBAL),
        sdgs=[int(count.key) for count in counts.sdgs if count.count],
        categories=counts.categories,
        champions=_public_champions(partners, counts.organisations),
    )


def _public_champions(partners: set[int], public_items: dict[int, int]) -> list[PublicChampion]:
    """The programme's ``partners`` with the most public items in it (``public_items``: organisation → items);
    ties go to the longest-standing organisation record (lowest id)."""
    top = sorted(
        (organisation_id for organisation_id in public_items if organisation_id in partners),
        key=lambda organisation_id: (-public_items[organisation_id], organisation_id),
    )[:PUBLIC_CHAMPIONS]
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(top))).all())
    return [PublicChampion(names[organisation_id], public_items[organisation_id]) for organisation_id in top]
