"""What OAI-PMH harvesters see (DESIGN.md, "Open catalogue"): records, their datestamps, sets, deletions.

- A **record** is an item that is public now (``visibility.public_clause``), or that was public once
  (``Item.ever_public``) and has left public view since: hidden by a desk, withdrawn, back in review,
  or inactive by age. Those are **deleted** records: a header with ``status="deleted"`` and nothing of
  their content. Items that were never public are never mentioned.
- Its **datestamp** is when it last changed in this catalogue (``Item.changed_at``: an import, an edit, a
  decision, hiding or withdrawal). An item that left public view by age alone did so on
  ``visibility.inactive_from(item)``, a moment no one recorded but the rule gives; its datestamp is the
  later of the two. ``from``/``until`` select on exactly that, in SQL.
- **Sets**: ``programme:<slug>`` (an item is in every programme it belongs to) and ``kind:<kind>``.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, not_, or_, select

from portal import vocab
from portal.catalogue.visibility import (
    aged_out_clause,
    inactive_from,
    inactive_from_at_least,
    is_public,
    public_clause,
)
from portal.extensions import db
from portal.models import Item, ItemProgramme, Programme, utcnow

KIND_SET_NAMES = {"initiative": "Initiatives", "resource": "Resources"}


@dataclass(frozen=True)
class Selection:
    """What a list request asks for: a set, and datestamps from ``start`` (inclusive) to ``before`` (exclusive)."""

    set_spec: str | None = None
    start: datetime | None = None
    before: datetime | None = None


@dataclass
class Record:
    item: Item
    deleted: bool
    datestamp: datetime
    sets: list[str]


def sets() -> list[tuple[str, str]]:
    """(setSpec, setName) of every set."""
    programmes = db.session.execute(select(Programme.slug, Programme.name).order_by(Programme.position))
    return [(f"programme:{slug}", name) for slug, name in programmes] + [
        (f"kind:{kind}", KIND_SET_NAMES[kind]) for kind in vocab.values(vocab.KINDS)
    ]


def is_set(spec: str) -> bool:
    return spec in dict(sets())


def _reported(now: datetime) -> ColumnElement[bool]:
    return or_(public_clause(now), Item.ever_public.is_(True))


def _in_set(spec: str) -> ColumnElement[bool]:
    group, _colon, value = spec.partition(":")
    if group == "kind":
        return Item.kind == value
    return Item.id.in_(
        select(ItemProgramme.item_id).join(Programme, Programme.id == ItemProgramme.programme_id)
        .where(Programme.slug == value)
    )


def _conditions(selection: Selection, now: datetime) -> list[ColumnElement[bool]]:
    conditions = [_reported(now)]
    if selection.set_spec:
        conditions.append(_in_set(selection.set_spec))
    aged = aged_out_clause(now)
    if selection.start is not None:
        conditions.append(or_(Item.changed_at >= selection.start,
                              and_(aged, inactive_from_at_least(selection.start))))
    if selection.before is not None:
        conditions.append(and_(Item.changed_at < selection.before,
                               or_(not_(aged), not_(inactive_from_at_least(selection.before)))))
    return conditions


def datestamp(item: Item, now: datetime | None = None) -> datetime:
    """When the record last changed here; for an item gone by age alone, when it went (if later)."""
    now = now or utcnow()
    if not is_public(item, now) and item.state == "published" and not item.hidden:
        return max(item.changed_at, inactive_from(item))
    return item.changed_at


def _record(item: Item, now: datetime) -> Record:
    spec = [f"programme:{programme.slug}" for programme in item.programmes] + [f"kind:{item.kind}"]
    return Record(item, not is_public(item, now), datestamp(item, now), spec)


def records(selection: Selection, after_id: int = 0, limit: int = 100, now: datetime | None = None) -> list[Record]:
    """Up to ``limit`` records of ``selection`` with ids above ``after_id``, in id order."""
    now = now or utcnow()
    ids = list(db.session.scalars(
        select(Item.id).where(*_conditions(selection, now), Item.id > after_id).order_by(Item.id).limit(limit)
    ))
    found = {item.id: item for item in db.session.scalars(select(Item).where(Item.id.in_(ids)))}
    return [_record(found[item_id], now) for item_id in ids]


def count(selection: Selection, now: datetime | None = None) -> int:
    return db.session.scalar(select(func.count(Item.id)).where(*_conditions(selection, now or utcnow()))) or 0


def record(item_id: int, now: datetime | None = None) -> Record | None:
    """The record of one item, or None when harvesters may not know it (never public, or no such item)."""
    now = now or utcnow()
    item = db.session.scalar(select(Item).where(Item.id == item_id, _reported(now)))
    return _record(item, now) if item is not None else None


def earliest_datestamp(now: datetime | None = None) -> datetime:
    """The oldest datestamp a harvester can ask for (records gone by age only get later ones)."""
    now = now or utcnow()
    return db.session.scalar(select(func.min(Item.changed_at)).where(_reported(now))) or now


def subjects(item: Item) -> list[str]:
    """SDGs and themes, as they read."""
    return [vocab.sdg_label(number) for number in item.sdg_numbers] + [
        vocab.label(vocab.THEMES, theme) for theme in item.themes
    ]
