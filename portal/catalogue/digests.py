"""Digests of saved searches: ``flask --app portal mail digests`` (for a daily job).

A saved search is *due* once a day ("daily") or once every seven days ("weekly"), counted in calendar
days, so a job that runs at the same hour every day never misses one by a few seconds. Its digest lists
the items published after the period its last digest covered (the first one: after the search was saved)
that are public *now* and that the search finds, newest first; nothing is mailed when there are none.

Each due search is claimed with one conditional UPDATE before its mail is written, in the transaction
that writes the mail and the ``SavedSearchDigest`` record: a second run, even a concurrent one, finds
nothing due and sends nothing twice.

Speed: the candidates (items published since the oldest period start, public now) are read once; the
search index tells, per distinct set of filters, which of them match (``search.among``), so 10 000
saved searches cost a few thousand index look-ups, not 10 000 searches (``benchmarks/digests.py``).
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import takewhile

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update

from portal import mail, search, vocab
from portal.catalogue import RuleViolation
from portal.catalogue.saved_searches import filters_of, unsubscribe_token
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.i18n import format_datetime
from portal.links import absolute_url
from portal.models import Item, Organisation, SavedSearch, SavedSearchDigest, User, utcnow

log = logging.getLogger(__name__)

SHOWN = 20  # items listed in a mail; a link leads to the rest
_CLAIM_BATCH = 500


@dataclass(frozen=True)
class NewItem:
    id: int
    title: str
    kind: str
    organisation: str
    published_at: datetime


@dataclass
class DigestRun:
    """What ``send_digests`` did (or, in a dry run, would do)."""

    due: int = 0
    sent: int = 0
    items: int = 0  # new items listed, counted once per digest
    broken: list[int] = field(default_factory=list)  # ids of saved searches whose filters no longer parse

    @property
    def empty(self) -> int:
        return self.due - self.sent - len(self.broken)


def _day_start(now: datetime) -> datetime:
    return datetime.combine(now.date(), time.min)


def due_clause(now: datetime) -> ColumnElement[bool]:
    """Due: the last digest (or the saving) was before today (daily) or before six days ago (weekly)."""
    since = func.coalesce(SavedSearch.last_digest_at, SavedSearch.created_at)
    today = _day_start(now)
    return or_(
        and_(SavedSearch.frequency == "daily", since < today),
        and_(SavedSearch.frequency == "weekly", since < today - timedelta(days=6)),
    )


def send_digests(
    now: datetime | None = None, *, dry_run: bool = False, progress: Callable[[int], object] | None = None
) -> DigestRun:
    """Mail every due digest (see the module). ``progress(n)`` is told of every ``n`` saved searches matched."""
    now = now or utcnow()
    if not dry_run:
        search.drain()  # the index holds every committed publication before it is asked
    due = db.session.execute(
        _due(now, SavedSearch, User.email, User.name, User.language).order_by(SavedSearch.id)
    ).all()
    run = DigestRun(due=len(due))
    if not due:
        return run
    candidates = _candidates(min(saved.covered_until for saved, _email, _name, _language in due), now)
    matches = _matches([saved for saved, *_owner in due], candidates, run, progress)
    claimed = set() if dry_run else _claim([saved.id for saved, *_owner in due], now)
    links = _Links()
    for saved, email, name, language in due:
        found = _published_after(matches.get(saved.query, []), saved.covered_until)
        if not found or not (dry_run or saved.id in claimed):
            continue
        run.sent += 1
        run.items += len(found)
        if not dry_run:
            with force_locale(language):  # the owner's language
                message = mail.queue(email, *_digest(saved, name, found, links), topic="digest")
            db.session.add(
                SavedSearchDigest(saved_search_id=saved.id, message=message, covered_from=saved.covered_until,
                                  covered_until=now, item_ids=[item.id for item in found], created_at=now)
            )
    db.session.flush()
    return run


def _due(now: datetime, *columns) -> Select:
    """The saved searches due at ``now`` whose owner's account is active."""
    return select(*columns).join(User, User.id == SavedSearch.user_id).where(due_clause(now), User.active.is_(True))


def due_count(now: datetime | None = None) -> int:
    return db.session.scalar(_due(now or utcnow(), func.count(SavedSearch.id)))


def _published_after(items: list[NewItem], since: datetime) -> list[NewItem]:
    """Those of ``items`` (newest first) published after ``since``: a prefix of the list."""
    return list(takewhile(lambda item: item.published_at > since, items))


def _candidates(since: datetime, now: datetime) -> list[NewItem]:
    """Items published after ``since`` and public now, newest first."""
    rows = db.session.execute(
        select(Item.id, Item.title, Item.kind, Organisation.name, Item.published_at)
        .join(Organisation, Organisation.id == Item.organisation_id)
        .where(public_clause(now), Item.published_at > since, Item.published_at <= now)
        .order_by(Item.published_at.desc(), Item.id.desc())
    )
    return [NewItem(*row) for row in rows]


def _matches(
    due: list[SavedSearch], candidates: list[NewItem], run: DigestRun, progress
) -> dict[str, list[NewItem]]:
    """Query string → the candidates its filters find (newest first), asking the index once per query.

    Queries with the same words are asked one after the other, so the index's cache of matched words
    (per index generation) serves all but the first."""
    queries = defaultdict(list)
    for saved in due:
        queries[saved.query].append(saved.id)
    parsed = []
    for query, saved_ids in queries.items():
        try:
            parsed.append((filters_of(query), query, saved_ids))
        except RuleViolation as error:
            log.warning("Saved searches %s have filters that no longer parse: %s", saved_ids, error.message)
            run.broken.extend(saved_ids)
            if progress:
                progress(len(saved_ids))
    by_id = {item.id: item for item in candidates}
    found: dict[str, list[NewItem]] = {}
    for filters, query, saved_ids in sorted(parsed, key=lambda entry: (entry[0].q, entry[1])):
        found[query] = [by_id[item_id] for item_id in search.among(by_id, filters, search.PUBLIC)] if by_id else []
        if progress:
            progress(len(saved_ids))
    return found


def _claim(ids: list[int], now: datetime) -> set[int]:
    """Mark those of ``ids`` that are still due as covered until ``now``; the ids this run claimed."""
    claimed: set[int] = set()
    for start in range(0, len(ids), _CLAIM_BATCH):
        statement = (
            update(SavedSearch)
            .where(SavedSearch.id.in_(ids[start : start + _CLAIM_BATCH]), due_clause(now))
            .values(last_digest_at=now)
            .returning(SavedSearch.id)
            .execution_options(synchronize_session=False)
        )
        claimed.update(db.session.scalars(statement))
    return claimed


class _Links:
    """Absolute links of the digests (under BASE_URL), each item's built once per run."""

    def __init__(self):
        self._items: dict[int, str] = {}

    def item(self, item_id: int) -> str:
        if item_id not in self._items:
            self._items[item_id] = absolute_url("public.item", item_id=item_id)
        return self._items[item_id]

    @staticmethod
    def search(saved: SavedSearch) -> str:
        return f"{absolute_url('search.results')}?" + "&".join(filter(None, [saved.query, "sort=newest"]))

    @staticmethod
    def manage() -> str:
        return absolute_url("searches.index")

    @staticmethod
    def unsubscribe(saved: SavedSearch) -> str:
        return absolute_url("searches.unsubscribe", token=unsubscribe_token(saved))


def _digest(saved: SavedSearch, user_name: str, found: list[NewItem], links: _Links) -> tuple[str, str]:
    """(subject, body) of one digest."""
    count = len(found)
    subject = ngettext("%(num)d new item: %(name)s", "%(num)d new items: %(name)s", count, name=saved.name)
    lines = "\n".join(
        f"- {item.title} ({vocab.label(vocab.KINDS, item.kind)}, {item.organisation})\n  {links.item(item.id)}"
        for item in found[:SHOWN]
    )
    if count > SHOWN:
        lines += "\n" + _("and %(number)d more", number=count - SHOWN)
    body = _(
        "Hello %(user)s,\n\n%(count)s in the catalogue match your saved search “%(name)s” since %(since)s:\n\n"
        "%(lines)s\n\nSee them all, newest first: %(search)s\n\n"
        "You get this digest %(frequency)s because you saved this search. Rename, change or delete your saved "
        "searches: %(manage)s\nUnsubscribe from this digest (no need to log in): %(unsubscribe)s\n\n— %(site)s\n",
        user=user_name,
        count=ngettext("%(num)d new item", "%(num)d new items", count),
        name=saved.name,
        since=format_datetime(saved.covered_until),
        lines=lines,
        search=links.search(saved),
        frequency=_("every day") if saved.frequency == "daily" else _("every week"),
        manage=links.manage(),
        unsubscribe=links.unsubscribe(saved),
        site=current_app.config["SITE_NAME"],
    )
    return subject, body
