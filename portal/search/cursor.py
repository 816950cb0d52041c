"""The queue as several hosts read it: positions in commit order, one cursor per host, pruning.

Every host keeps its own Whoosh index and applies every queued change to it. Queue ids cannot serve
as a cursor: a sequence hands them out at insert time and a transaction holding id 10 may commit after
one holding id 11, which a host would already have passed. So a committed entry gets a ``position``
from ``sequence()``: one transaction at a time (they lock the ``search_sequence`` row), each numbering
what is committed and not numbered yet. A host that has applied position p has therefore seen every
entry that will ever get a position ≤ p.

Each host records the position its index has applied in ``search_hosts``. ``advance`` moves it and
prunes: an entry goes once every known host has applied it, or once it is older than the retention
period (``SEARCH_QUEUE_RETENTION_HOURS``). ``pruned_through`` remembers the highest position removed;
a host whose cursor is below it missed changes and must rebuild its index (``Behind``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.models import SearchHost, SearchQueueEntry, SearchSequence, utcnow

QUEUE = SearchQueueEntry.__table__
HOSTS = SearchHost.__table__
SEQUENCE = SearchSequence.__table__
ROW = 1  # the id of the sequence's only row


@dataclass(frozen=True)
class HostState:
    host_id: str
    applied_through: int
    seen_at: datetime
    behind: int  # queued entries this host has not applied


def _lock_sequence(connection: Connection) -> tuple[int, int]:
    """Lock the sequence row for the rest of the transaction (creating it when missing):
    (last position, pruned through)."""
    touch = update(SEQUENCE).where(SEQUENCE.c.id == ROW).values(last_position=SEQUENCE.c.last_position)
    if connection.execute(touch).rowcount == 0:
        try:
            with connection.begin_nested():
                connection.execute(insert(SEQUENCE).values(id=ROW, last_position=0, pruned_through=0))
        except IntegrityError:  # another process created it meanwhile
            connection.execute(touch)
    row = connection.execute(select(SEQUENCE.c.last_position, SEQUENCE.c.pruned_through)).one()
    return row.last_position, row.pruned_through


def unsequenced(connection: Connection) -> bool:
    return connection.execute(select(QUEUE.c.id).where(QUEUE.c.position.is_(None)).limit(1)).first() is not None


def sequence(engine: Engine) -> int:
    """Number the committed entries that have no position yet; returns the last position given."""
    with engine.begin() as connection:
        last, _ = _lock_sequence(connection)
        ids = connection.scalars(select(QUEUE.c.id).where(QUEUE.c.position.is_(None)).order_by(QUEUE.c.id)).all()
        if ids:
            connection.execute(
                update(QUEUE).where(QUEUE.c.id == bindparam("entry_id")).values(position=bindparam("new_position")),
                [{"entry_id": entry_id, "new_position": last + n} for n, entry_id in enumerate(ids, start=1)],
            )
            last += len(ids)
            connection.execute(update(SEQUENCE).where(SEQUENCE.c.id == ROW).values(last_position=last))
        return last


def last_position(connection: Connection) -> int:
    """The highest position given (0: none)."""
    return connection.scalar(select(SEQUENCE.c.last_position).where(SEQUENCE.c.id == ROW)) or 0


def pruned_through(connection: Connection) -> int:
    return connection.scalar(select(SEQUENCE.c.pruned_through).where(SEQUENCE.c.id == ROW)) or 0


def latest(connection: Connection) -> tuple[int, bool]:
    """What a host compares its cursor with, in two cheap reads: the last position given, and whether
    some committed entry still waits for one."""
    return last_position(connection), unsequenced(connection)


def entries_after(connection: Connection, position: int, limit: int) -> list[tuple[int, int]]:
    """(position, item id) of the entries after ``position``, in order."""
    statement = (
        select(QUEUE.c.position, QUEUE.c.item_id)
        .where(QUEUE.c.position > position)
        .order_by(QUEUE.c.position)
        .limit(limit)
    )
    return [(at, item_id) for at, item_id in connection.execute(statement)]


def applied(connection: Connection, host_id: str) -> int | None:
    """The position ``host_id`` recorded as applied; None for a host never seen."""
    return connection.scalar(select(HOSTS.c.applied_through).where(HOSTS.c.host_id == host_id))


def record(engine: Engine, host_id: str, position: int) -> None:
    """Set ``host_id``'s cursor to ``position``, even backwards (a rebuilt index starts there)."""
    with engine.begin() as connection:
        _lock_sequence(connection)
        _set(connection, host_id, position, only_forward=False)


def advance(engine: Engine, host_id: str, position: int, retention: timedelta) -> None:
    """Move ``host_id``'s cursor forward to ``position``, then remove what no known host still needs."""
    with engine.begin() as connection:
        _, pruned = _lock_sequence(connection)  # first: the same lock order as ``sequence``
        _set(connection, host_id, position, only_forward=True)
        floor = connection.scalar(select(func.min(HOSTS.c.applied_through)))
        stale = QUEUE.c.position.is_not(None) & (QUEUE.c.enqueued_at < utcnow() - retention)
        done = or_(QUEUE.c.position <= floor, stale)
        highest = connection.scalar(select(func.max(QUEUE.c.position)).where(done))
        if highest is None:
            return
        connection.execute(delete(QUEUE).where(done))
        if highest > pruned:
            connection.execute(update(SEQUENCE).where(SEQUENCE.c.id == ROW).values(pruned_through=highest))


def _set(connection: Connection, host_id: str, position: int, *, only_forward: bool) -> None:
    statement = update(HOSTS).where(HOSTS.c.host_id == host_id)
    if only_forward:
        statement = statement.where(HOSTS.c.applied_through < position)
    if connection.execute(statement.values(applied_through=position, seen_at=utcnow())).rowcount:
        return
    if applied(connection, host_id) is None:  # a host never seen (the sequence lock keeps this one at a time)
        connection.execute(insert(HOSTS).values(host_id=host_id, applied_through=position, seen_at=utcnow()))


def hosts(connection: Connection) -> list[HostState]:
    """Every known host with how far it has applied the queue, most behind first."""
    rows = connection.execute(select(HOSTS).order_by(HOSTS.c.applied_through, HOSTS.c.host_id)).all()
    states = []
    for row in rows:
        waiting = or_(QUEUE.c.position > row.applied_through, QUEUE.c.position.is_(None))
        behind = connection.scalar(select(func.count(QUEUE.c.id)).where(waiting))
        states.append(HostState(row.host_id, row.applied_through, row.seen_at, behind or 0))
    return states
