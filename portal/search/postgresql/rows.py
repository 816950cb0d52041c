"""Keeping the search rows in step with the items, in the same transaction as each change.

A flush that changes an item (``portal.search.tracked``) rewrites that item's search row through the
flush's own connection, and the transaction counts ``search_state.version`` up just before it
commits: the change, its search row and the new version commit or roll back together, so a committed
change is searchable at once on every host and nothing can drift or wait in a queue. The words of
titles and summaries are added to ``search_words`` right after the commit, in a short transaction of
their own (two requests adding the same new words cannot wait on each other there); they only feed
spelling suggestions, which are checked against the public items' own words anyway.

``rebuild`` rewrites every row (``search reindex``: needed once after the migration, or after bulk
statements that bypassed the ORM without ``record_changes``); ``drift`` compares rows with items.
(No table lists the items absent from search: the rows' foreign key deletes a row with its item.)
"""

import json
from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import Connection, delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from portal import vocab
from portal.extensions import db
from portal.models import Item
from portal.search import cards, tracked
from portal.search.postgresql import codes
from portal.search.postgresql.schema import config_for, documents, state, words
from portal.search.segmenting import segmented

PENDING = "postgresql_search_pending"
NEW_WORDS = "postgresql_search_words"
CHANGED = "postgresql_search_changed"

# The search rows of items given as JSON (see ``_values``), the text analysed and weighted here, its
# positions without the gaps of stop words (phrases as Whoosh reads them: the migration's functions).
_EXPECTED = """
    SELECT r.item_id, r.config, r.state, r.hidden, r.updated_at, r.title_key, r.facet_codes, r.pair_codes,
           t.ranked,
           t.ranked || setweight(portal_gapless(to_tsvector(r.config::regconfig, r.description)), 'C')
           || setweight(portal_gapless(to_tsvector(r.config::regconfig, r.other)), 'D') AS document,
           r.words, r.card, r.facet_bits, r.theme_bits, r.pair_bits, r.countries, r.language
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
        item_id integer, config text, state text, hidden boolean, updated_at timestamp, title_key text,
        facet_codes integer[], pair_codes integer[], words text[], card jsonb, title text, summary text,
        description text, other text, facet_bits bigint, theme_bits bigint, pair_bits bigint,
        countries smallint[], language smallint)
    CROSS JOIN LATERAL (
        SELECT setweight(portal_gapless(to_tsvector(r.config::regconfig, r.title)), 'A')
               || setweight(portal_gapless(to_tsvector(r.config::regconfig, r.summary)), 'B') AS ranked
    ) t
"""
COLUMNS = ("item_id", "config", "state", "hidden", "updated_at", "title_key", "facet_codes", "pair_codes", "ranked",
           "document", "words", "card", "facet_bits", "theme_bits", "pair_bits", "countries", "language")
_CHANGED = (f"({', '.join(f'search_documents.{c}' for c in COLUMNS)}) "
            f"IS DISTINCT FROM ({', '.join(f'EXCLUDED.{c}' for c in COLUMNS)})")
# An unchanged row is left as it is: a reindex of an unchanged catalogue writes nothing.
_UPSERT = text(
    f"INSERT INTO search_documents ({', '.join(COLUMNS)}) {_EXPECTED} ON CONFLICT (item_id) DO UPDATE SET "
    + ", ".join(f"{column} = EXCLUDED.{column}" for column in COLUMNS[1:]) + f" WHERE {_CHANGED}"
)
_STALE = text(
    f"SELECT e.item_id FROM ({_EXPECTED}) e JOIN search_documents d ON d.item_id = e.item_id "  # noqa: S608
    f"WHERE ({', '.join(f'd.{c}' for c in COLUMNS)}) IS DISTINCT FROM ({', '.join(f'e.{c}' for c in COLUMNS)})"
)
# One more version of the search rows (schema.state), committed with them.
_NEXT_VERSION = text(
    "INSERT INTO search_state (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = search_state.version + 1"
)
_UNUSED_WORDS = text(
    "DELETE FROM search_words w WHERE NOT EXISTS "
    "(SELECT 1 FROM search_documents d WHERE d.words @> ARRAY[w.word])"
)

def install() -> None:
    """Bring search up to date from every session of ``db`` (once per process)."""
    tracked.listen_to_sessions(before_flush=_before_flush, after_flush=_after_flush, before_commit=_before_commit,
                               after_commit=_after_commit, after_rollback=_after_rollback)


def _backend():
    """The app's backend when it is this one (several apps may share a process: tests)."""
    if not has_app_context():
        return None
    backend = current_app.extensions.get("search")
    return backend if getattr(backend, "name", None) == "postgresql" else None


def _before_flush(session: Session, _context, _instances) -> None:
    if _backend() is not None:
        session.info.setdefault(PENDING, []).extend(tracked.changed_objects(session))


def _after_flush(session: Session, _context) -> None:
    pending = session.info.pop(PENDING, None)
    backend = _backend()
    if pending and backend is not None:
        connection = session.connection()
        refresh(connection, tracked.item_ids(pending, connection), backend.configs(connection), session)


def _before_commit(session: Session) -> None:
    """Count the version up last, just before COMMIT: its row is locked for no longer than that, so
    writers never wait on one another's versions while they hold their items' rows."""
    if _backend() is None:
        return
    session.flush()  # what commit would flush (and its search rows) comes first
    if session.info.pop(CHANGED, False):
        session.connection().execute(_NEXT_VERSION)


def _after_commit(session: Session) -> None:
    new_words = session.info.pop(NEW_WORDS, None)
    if new_words and _backend() is not None:
        with db.engine.begin() as connection:
            add_words(connection, new_words)


def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint (a search's): the transaction goes on
        return
    for key in (PENDING, NEW_WORDS, CHANGED):
        session.info.pop(key, None)


def _values(row: dict[str, Any], available: frozenset[str], regions: dict[str, str]) -> dict[str, Any]:
    card = cards.card(row)
    facets = cards.facet_values(card, regions)
    facet_codes = {codes.code(codes.value_token(facet, value)) for facet, values in facets.items() for value in values}
    return {
        "item_id": row["id"],
        "config": config_for(row["language"], available),
        "state": row["state"],
        "hidden": bool(row["hidden"]),
        "updated_at": row["updated_at"].isoformat(),
        "title_key": row["title"].casefold(),
        "facet_codes": sorted(facet_codes | {codes.TOTAL}),
        "pair_codes": sorted(codes.code(codes.pair_token(slug, status)) for slug, status in card["portfolio"].items()),
        "words": sorted(cards.words(row)),
        "card": card,
        **{name: segmented(value) for name, value in cards.text_fields(row).items()},  # CJK as pairs
        **codes.narrow_values(facets, card["portfolio"]),
    }


def _json(found: dict[int, dict], available: frozenset[str]) -> list[str]:
    """The rows of ``found`` (item rows read by ``portal.search.cards``) as JSON, 500 a parameter."""
    regions = vocab.country_regions()
    values = [_values(found[item_id], available, regions) for item_id in sorted(found)]
    return [json.dumps(values[start : start + 500], separators=(",", ":")) for start in range(0, len(values), 500)]


def write(connection: Connection, found: dict[int, dict], available: frozenset[str]) -> None:
    """Insert or replace the search rows of ``found``."""
    for chunk in _json(found, available):
        connection.execute(_UPSERT, {"rows": chunk})


def refresh(connection: Connection, ids: Iterable[int], available: frozenset[str],
            session: Session | None = None) -> None:
    """Bring the search rows of ``ids`` to the items' current state in ``connection``'s transaction;
    their words join ``search_words`` after ``session`` commits (at once without a session)."""
    ids = set(ids)
    if not ids:
        return
    found = cards.rows_of(ids, connection)
    gone = ids - found.keys()
    if gone:
        connection.execute(delete(documents).where(documents.c.item_id.in_(sorted(gone))))
    write(connection, found, available)
    new_words = set().union(*(cards.words(row) for row in found.values()))
    if session is None:
        add_words(connection, new_words)
        connection.execute(_NEXT_VERSION)
    else:
        session.info.setdefault(NEW_WORDS, set()).update(new_words)
        session.info[CHANGED] = True


def add_words(connection: Connection, new_words: Iterable[str]) -> None:
    """Add words to ``search_words`` (sorted: concurrent writers take their locks in one order)."""
    ordered = sorted(set(new_words))
    for start in range(0, len(ordered), 5000):
        statement = insert(words).values([{"word": word} for word in ordered[start : start + 5000]])
        connection.execute(statement.on_conflict_do_nothing())


def rebuild(available: frozenset[str], progress: Callable[[int], object] | None) -> None:
    """Rewrite every search row from the items, a range of ids per transaction (readers see each row
    either before or after), then forget the words no item holds any more and vacuum the table.

    Each range's items are locked for share while it is read and written: a change committing
    meanwhile waits, then writes its own row, so the rebuild never overwrites a newer row.
    """
    with db.engine.connect() as connection:
        ranges = cards.id_ranges(connection)
    for lo, hi in ranges:
        with db.engine.begin() as connection:
            connection.execute(select(Item.id).where(Item.id.between(lo, hi)).with_for_update(read=True))
            found = cards.rows(connection, None, lo, hi)
            write(connection, found, available)
            add_words(connection, set().union(*(cards.words(row) for row in found.values())))
            connection.execute(_NEXT_VERSION)
        if progress is not None:
            progress(len(found))
    with db.engine.begin() as connection:
        connection.execute(_UNUSED_WORDS)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # Reclaim the replaced rows and refresh the planner's statistics (outside any transaction).
        connection.execute(text("VACUUM (ANALYZE) search_documents"))


def drift(connection: Connection, available: frozenset[str]) -> dict[str, list[int]]:
    """Ids whose search row is missing, stale (differs from what the item gives now) or extra."""
    stored = set(connection.scalars(select(documents.c.item_id)))
    database = set(connection.scalars(select(Item.id)))
    common = sorted(database & stored)
    stale: list[int] = []
    for start in range(0, len(common), 2000):
        for chunk in _json(cards.rows(connection, common[start : start + 2000]), available):
            stale.extend(connection.scalars(_STALE, {"rows": chunk}))
    return {"missing": sorted(database - stored), "stale": sorted(stale), "extra": sorted(stored - database)}


def current_version(connection: Connection) -> int | None:
    """The version of the search rows this connection sees (None before the first change)."""
    return connection.scalar(select(state.c.version).where(state.c.id == 1))
