"""Importing the network's existing records: items and organisations, from CSV or JSON.

DESIGN.md ("Open catalogue") names the columns. The same code serves the command line
(``flask --app portal import items FILE``) and the admin page (``/admin/import``, in chunks: see
``jobs``):

1. ``read(kind, content, filename)`` reads the whole file first (``reading``): a file that cannot be
   imported at all is refused before anything is written.
2. ``importer(...)`` gives the writer of that kind (``items.ItemImporter``, ``organisations.OrganisationImporter``).
3. ``run_rows(importer, rows, dry_run=...)`` takes rows one by one: a row that breaks a rule is reported
   (its line, column and why) and skipped; a writer checks everything about a row before it changes
   anything, so no row is ever half written. A dry run does the same inside a savepoint that it rolls
   back: it reports exactly what the import would do and leaves nothing behind.

Writes go through the ORM, so the search index follows them like any edit (``portal.search.sync``):
the queue is filled in the transaction and drained when the caller commits.
"""

from collections.abc import Callable
from dataclasses import dataclass

from portal.catalogue.importing import items, organisations
from portal.catalogue.importing.reading import FileRefused, ImportFile, Row, first_rows, read_file
from portal.catalogue.importing.report import ImportReport, RowError, RowFailed
from portal.extensions import db
from portal.models import User

__all__ = ["CHUNK_ROWS", "FileRefused", "ImportFile", "ImportReport", "RowError", "columns", "importer", "read",
           "run_rows"]

# Rows written between two commits (the command line) or in one request (the admin page).
CHUNK_ROWS = 500


@dataclass(frozen=True)
class _Kind:
    columns: tuple[str, ...]
    required: tuple[str, ...]
    writer: type
    key: str  # the column that names a record: repeated in a file, it is refused
    fold_case: bool  # whether "Acme" and "ACME" are the same record


_KINDS = {
    "items": _Kind(items.COLUMNS, items.REQUIRED_COLUMNS, items.ItemImporter, "source_id", False),
    "organisations": _Kind(organisations.COLUMNS, organisations.REQUIRED_COLUMNS,
                           organisations.OrganisationImporter, "name", True),
}


def read(kind: str, content: bytes, filename: str) -> ImportFile:
    """The rows of an import file of ``kind`` ("items" or "organisations"), or ``FileRefused``."""
    return read_file(content, filename, _KINDS[kind].columns, _KINDS[kind].required)


def columns(kind: str) -> tuple[str, ...]:
    return _KINDS[kind].columns


def importer(kind: str, parsed: ImportFile, actor: User | None, filename: str, *, create_organisations: bool = True,
             origin: str = "command line", report: ImportReport | None = None):
    """The writer for ``parsed``'s rows, reporting into ``report`` (a new one by default)."""
    spec = _KINDS[kind]
    return spec.writer(actor, filename, report or ImportReport(unit=parsed.unit),
                       first_rows=first_rows(parsed.rows, spec.key, fold_case=spec.fold_case),
                       create_organisations=create_organisations, origin=origin)


def run_rows(writer, rows: list[Row], *, dry_run: bool = False,
             progress: Callable[[int], object] = lambda n: None) -> None:
    """Check and write ``rows`` (nothing is kept of a dry run); the outcome goes into ``writer.report``."""
    outer = db.session.begin_nested() if dry_run else None
    writer.start_chunk(rows)
    with db.session.no_autoflush:  # one flush for the chunk, at its end
        for row in rows:
            try:
                outcome = writer.write(writer.parse(row))
            except RowFailed as failure:
                writer.report.fail(failure.errors)
            else:
                writer.report.count(outcome)
            progress(1)
    writer.end_chunk()
    if outer is not None:
        outer.rollback()
        writer.forget()
