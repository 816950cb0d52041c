"""Where the index lives and how it is opened, written and rebuilt.

``SEARCH_INDEX_DIR`` holds one or more index folders and a ``CURRENT`` file naming the one in use.
A rebuild writes a new folder and then replaces ``CURRENT`` atomically (``os.replace``), so readers
see either the old index or the new one, never half of one. Opening never builds: an index that is
missing or cannot be opened is ``SearchUnavailable`` until ``search reindex`` (or the drain after the
next write, outside any visitor's request) rebuilds it.

Writers follow SEARCH-NOTES.md: ``ix.writer(timeout=..., delay=...)`` so that several gunicorn
workers wait for the lock instead of crashing on it, and one writer per process at a time.
"""

import contextlib
import fcntl
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
from whoosh.writing import CLEAR, IndexWriter

from portal.extensions import db
from portal.search import documents
from portal.search.results import SearchUnavailable

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
REBUILDING = "REBUILDING"
WRITER_TIMEOUT = 60.0
WRITER_DELAY = 0.02
KEEP_OLD_FOLDERS = 1
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

    def open(self, name: str | None = None) -> whoosh_index.Index:
        """The index folder ``name`` (default: the current one); ``SearchUnavailable`` when there is none.

        A folder Whoosh cannot open is unavailable too (logged).
        """
        name = name or self.current_name()
        if name is None or not (self.root / name).is_dir():
            raise SearchUnavailable("There is no search index yet.")
        with quiet_leaks():
            try:
                return whoosh_index.open_dir(str(self.root / name))
            except Exception as error:
                # Only the message: a logged traceback would keep the files Whoosh leaked open.
                log.error("The search index in %s cannot be opened (%s)", name, repr(error))
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

    def rebuilding(self) -> bool:
        """True while a rebuild that is still alive writes a new folder."""
        try:
            pid = int((self.root / REBUILDING).read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def rebuild(
        self,
        *,
        expected: str | None = "",
        progress: Callable[[int], object] | None = None,
        procs: int | None = None,
        after_swap: Callable[[], object] | None = None,
    ) -> whoosh_index.Index:
        """Build a fresh index from the database in a new folder and make it current.

        ``expected`` is the CURRENT name the caller saw as broken or missing: when another process
        has replaced it meanwhile, that index is used instead of building again. Pass ``""`` (the
        default) to always build. ``after_swap`` runs once the new folder is current (the queue
        drain, so that changes committed during the build reach the new index).
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with self._rebuild_lock():
            if expected != "" and self.current_name() != expected:
                path = self.current_path()
                if path is not None:
                    with contextlib.suppress(Exception):
                        return whoosh_index.open_dir(str(path))
            marker = self.root / REBUILDING
            marker.write_text(str(os.getpid()))
            try:
                name = f"index-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
                path = self.root / name
                path.mkdir()
                ix = whoosh_index.create_in(str(path), documents.make_schema())
                self._fill(ix, progress, procs)
                self._swap(name)
            finally:
                # A drain that wrote to the old folder sees that it is no longer current and keeps
                # its queue entries, so the marker can go as soon as the new folder is current.
                marker.unlink(missing_ok=True)
            if after_swap is not None:
                after_swap()
            self._remove_old_folders(keep=name)
            return whoosh_index.open_dir(str(path))

    def _fill(self, ix: whoosh_index.Index, progress, procs: int | None) -> None:
        # Its own connection: what is committed, even when called after a commit (the session is done).
        with db.engine.connect() as connection:
            self._write_all(ix, connection, progress, procs)

    def _write_all(self, ix: whoosh_index.Index, connection, progress, procs: int | None) -> None:
        total = documents.item_count(connection)
        procs = procs or (2 if total >= 5000 and (os.cpu_count() or 1) > 1 else 1)
        if procs > 1:
            writer = ix.writer(procs=procs, limitmb=128, multisegment=True, batchsize=250, compound=COMPOUND)
        else:
            writer = ix.writer(limitmb=128, compound=COMPOUND)
        try:
            for count, doc in enumerate(documents.all_documents(connection), start=1):
                writer.add_document(**doc)
                if progress is not None and count % 500 == 0:
                    progress(500)
            if progress is not None:
                progress(total % 500)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=CLEAR)

    def _swap(self, name: str) -> None:
        temporary = self.root / f".{CURRENT}.{os.getpid()}"
        temporary.write_text(name)
        os.replace(temporary, self.root / CURRENT)

    def _remove_old_folders(self, keep: str) -> None:
        """Remove superseded folders, keeping the newest few (a reader may still read one)."""
        folders = sorted(
            (path for path in self.root.glob("index-*") if path.is_dir() and path.name != keep),
            key=lambda path: path.stat().st_mtime,
            reverse=True,
        )
        for path in folders[KEEP_OLD_FOLDERS:]:
            shutil.rmtree(path, ignore_errors=True)

    @contextlib.contextmanager
    def _rebuild_lock(self) -> Iterator[None]:
        with _process_lock, open(self.root / "rebuild.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
