"""The visibility rule: ``is_public`` (Python), ``public_clause`` (SQL) and the search index's bit set give
the same answer for every state, hidden flag and age, whatever the configured window, and the window moves
by itself (no reindex)."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal import search, vocab
from portal.catalogue.visibility import (
    becomes_inactive_soon,
    has_aged_out,
    inactive_from,
    is_public,
    public_clause,
    public_rule,
)
from portal.extensions import db
from portal.models import Item, utcnow
from portal.search.columns import unpack

WINDOWS = (730, 365, 30)


def ages(window: int) -> list[timedelta]:
    """How long ago items were updated: now, a second each side of the cutoff of ``window`` days (the
    cutoff is that many days before today's midnight, UTC), and long ago."""
    now = utcnow()
    cutoff_age = now - datetime.combine(now.date() - timedelta(days=window), time.min)
    second = timedelta(seconds=1)
    return [timedelta(0), cutoff_age - second, cutoff_age, cutoff_age + second, timedelta(days=window * 2)]


@pytest.fixture
def items(app, make_organisation) -> list[Item]:
    """Every state, hidden or not, at ages on each side of each window's cutoff, written in one transaction."""
    organisation = make_organisation()
    now = utcnow()
    made = []
    for state in vocab.values(vocab.STATES):
        for hidden in (False, True):
            for window in WINDOWS:
                for age in ages(window):
                    item = Item(kind="resource", title=f"{state} {hidden} {age}", summary="s", state=state,
                                hidden=hidden, organisation=organisation, updated_at=now - age, created_at=now - age)
                    db.session.add(item)
                    made.append(item)
    db.session.commit()
    return made


def indexed_public_ids() -> set[int]:
    columns = search.service().snapshot().columns
    mask = unpack(columns.public(public_rule()), columns.n)
    return {int(item_id) for item_id in columns.ids[mask]}


@pytest.mark.parametrize("window", WINDOWS)
def test_python_sql_and_the_index_agree(app, items, window):
    app.config["INACTIVE_AFTER_DAYS"] = window  # no reindex: the rule is read at query time
    in_python = {item.id for item in items if is_public(item)}
    in_sql = set(db.session.scalars(select(Item.id).where(public_clause())))
    assert in_python == in_sql == indexed_public_ids()
    rule = public_rule()
    expected = {item.id for item in items if item.state == "published" and not item.hidden
                and item.updated_at >= rule.updated_since}
    assert in_python == expected and 0 < len(expected) < len(items)


def test_an_item_ages_out_by_itself_and_an_update_brings_it_back(app, make_item):
    item = make_item(updated_days_ago=729)
    in_two_days = utcnow() + timedelta(days=2)
    assert is_public(item) and not is_public(item, in_two_days) and has_aged_out(item, in_two_days)
    assert inactive_from(item).date() == item.updated_at.date() + timedelta(days=731)
    item.updated_at = utcnow()
    db.session.commit()
    assert is_public(item, in_two_days) and not has_aged_out(item, in_two_days)


def test_the_warning_comes_within_its_days_before_an_item_ages_out(app, make_item):
    warning = app.config["INACTIVE_WARNING_DAYS"]
    soon = make_item(updated_days_ago=730 - warning + 1)
    later = make_item(updated_days_ago=10)
    hidden_state = make_item(updated_days_ago=730 - warning + 1, state="draft")
    assert becomes_inactive_soon(soon)
    assert not becomes_inactive_soon(later) and not becomes_inactive_soon(hidden_state)
