"""Where the index lives and how it is opened, written and rebuilt.

``SEARCH_INDEX_DIR`` holds one or more index folders and a ``CURRENT`` file naming the one in use.
A rebuild writes a new folder and then replaces ``CURRENT`` atomically (``os.replace``), so readers
see either the old index or the new one, never half of one. Opening never builds: an index that is
missing or cannot be opened is ``SearchUnavailable`` until ``search reindex`` (or a drain outside any
request) rebuilds it. Each folder records in ``APPLIED`` the queue position its index holds, and in
``FORMAT`` how its words were analysed: a folder of another format (built before an upgrade) is
unavailable in the same way until it is rebuilt.
Locks (``portal.search.locks``): ``rebuild.lock`` while a rebuild builds and swaps, ``drain.lock``
while a process of this host applies the queue.

Writers follow SEARCH-NOTES.md: ``ix.writer(timeout=..., delay=...)`` so that several gunicorn
workers wait for the lock instead of crashing on it, and one writer per process at a time.
"""

import contextlib
import gc
import logging
import os
import shutil
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import IndexWriter

from portal.extensions import db
from portal.search import building, cards, documents, internals, locks
from portal.search.results import SearchUnavailable

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
REBUILD_LOCK = "rebuild.lock"
DRAIN_LOCK = "drain.lock"
APPLIED = "APPLIED"  # in an index folder: the queue position its index holds
FORMAT = "FORMAT"  # in an index folder: how its terms were analysed (documents.INDEX_FORMAT)
WRITER_TIMEOUT = 60.0
WRITER_DELAY = 0.02
OPEN_ATTEMPTS = 20
# Separate files per segment: a reader of a compound segment copies the whole file into memory
# (Whoosh's CompoundStorage), which would put the entire index in every worker's resident memory.
COMPOUND = False

_process_lock = threading.RLock()


@contextlib.contextmanager
def quiet_leaks() -> Iterator[None]:
    """Whoosh leaves files open when it fails on a broken index: close them without a warning.

    Use it around code that may fail on a broken index, and call ``gc.collect()`` inside it after
    a failure.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield


class Store:
    """The index folders under one root directory."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    # -- reading ---------------------------------------------------------------------------------

    def current_name(self) -> str | None:
        try:
            name = (self.root / CURRENT).read_text().strip()
        except FileNotFoundError:
            return None
        return name or None

    def current_path(self) -> Path | None:
        name = self.current_name()
        return self.root / name if name else None

    def generation(self, name: str | None) -> int:
        """The latest generation of folder ``name`` (-1: none); ``OSError`` when the folder is gone."""
        if name is None:
            raise FileNotFoundError("no current index")
        return internals.latest_generation(str(self.root / name))

    def open(self, name: str | None = None) -> whoosh_index.Index:
        """The index folder ``name`` (default: the current one); ``SearchUnavailable`` when there is none.

        Opening reads the latest table of contents, which a commit in another process may remove at
        that moment: then it opens the newer one. A folder Whoosh cannot open is unavailable (logged).
        """
        name = name or self.current_name()
        if name is None or not (self.root / name).is_dir():
            raise SearchUnavailable("There is no search index yet.")
        if self.format(name) != documents.INDEX_FORMAT:
            log.error("The search index in %s was built by an older version: run `search reindex`", name)
            raise SearchUnavailable("The search index was built by an older version.")
        path = str(self.root / name)
        with quiet_leaks():
            for _ in range(OPEN_ATTEMPTS):
                generation = None
                try:
                    generation = self.generation(name)
                    return whoosh_index.open_dir(path)
                except Exception as error:
                    with contextlib.suppress(OSError):
                        if self.generation(name) != generation:
                            continue  # a commit replaced the generation being read
                    # Only the message: a logged traceback would keep the files Whoosh leaked open.
                    log.error("The search index in %s cannot be opened (%s)", name, repr(error))
                    break
            gc.collect()
        raise SearchUnavailable("The search index cannot be opened.")

    # -- writing ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def writer(self, ix: whoosh_index.Index) -> Iterator[IndexWriter]:
        """A writer holding the index lock; committed on success, cancelled on error."""
        with _process_lock:
            writer = ix.writer(timeout=WRITER_TIMEOUT, delay=WRITER_DELAY, compound=COMPOUND)
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    @contextlib.contextmanager
    def draining(self, *, wait: bool = True) -> Iterator[bool]:
        """Hold this host's drain lock (one drainer per host at a time); False when ``wait`` is False
        and another process drains."""
        self.root.mkdir(parents=True, exist_ok=True)
        with locks.file_lock(self.root / DRAIN_LOCK, blocking=wait) as held:
            yield held

    def applied(self, name: str | None) -> int | None:
        """The queue position folder ``name`` has applied (None: not recorded there)."""
        try:
            return int((self.root / str(name) / APPLIED).read_text())
        except (FileNotFoundError, NotADirectoryError, ValueError):
            return None

    def format(self, name: str) -> str | None:
        """How the words of folder ``name`` were analysed (None: not recorded, an index from before)."""
        try:
            return (self.root / name / FORMAT).read_text().strip()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def set_applied(self, name: str, position: int) -> None:
        """Record in folder ``name`` that its index holds every queued change up to ``position``."""
        folder = self.root / name
        temporary = folder / f".{APPLIED}.{os.getpid()}.{threading.get_ident()}"
        temporary.write_text(str(position))
        os.replace(temporary, folder / APPLIED)

    def rebuilding(self) -> bool:
        """True while a rebuild holds the rebuild lock (a process that died holds nothing)."""
        return locks.is_locked(self.root / REBUILD_LOCK)

    def rebuild(
        self,
        *,
        expected: str | None = "",
        progress: Callable[[int], object] | None = None,
        procs: int = 0,
        start: Callable[[], int] = lambda: 0,
        on_swap: Callable[[int], object] = lambda position: None,
    ) -> bool:
        """Build a fresh index from the database in a new folder and make it current; True if built.

        ``expected`` is the CURRENT name the caller saw as broken or missing: when another process
        has replaced it meanwhile, that index is kept and nothing is built. Pass ``""`` (the default)
        to always build. ``start()`` runs under the lock before the database is read and returns the
        queue position the new index will hold (recorded in the folder); ``on_swap(position)`` runs
        once the folder is current, still under the lock (``rebuilding()`` is true until then).
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with locks.file_lock(self.root / REBUILD_LOCK):
            previous = self.current_name()
            if expected != "" and previous != expected and previous is not None:
                return False
            position = start()
            name = f"index-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
            path = self.root / name
            path.mkdir()
            ix = whoosh_index.create_in(str(path), documents.make_schema())
            (path / FORMAT).write_text(documents.INDEX_FORMAT)
            self._fill(ix, progress, procs)
            self.set_applied(name, position)
            self._swap(name)
            on_swap(position)
            self._remove_old_folders(keep={name, previous})
        return True

    def _fill(self, ix: whoosh_index.Index, progress, procs: int) -> None:
        # Its own connections: what is committed, even when called after a commit (the session is done).
        with db.engine.connect() as connection:
            total = cards.item_count(connection)
            procs = procs or (2 if total >= 5000 and (os.cpu_count() or 1) > 1 else 1)
            # Ranges small enough for every writer process to get some (ids are not always dense).
            ranges = cards.id_ranges(connection, min(cards.BATCH, max(100, total // (4 * procs))))
        building.write_index(ix, ranges, procs=procs, progress=progress, compound=COMPOUND)

    def _swap(self, name: str) -> None:
        temporary = self.root / f".{CURRENT}.{os.getpid()}"
        temporary.write_text(name)
        os.replace(temporary, self.root / CURRENT)

    def _remove_old_folders(self, keep: set[str | None]) -> None:
        """Remove every folder but the new one and the one it replaced (a reader may still read that
        one); half-built folders of rebuilds that were killed go too."""
        for path in self.root.glob("index-*"):
            if path.is_dir() and path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)
