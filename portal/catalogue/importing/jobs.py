"""Imports from the admin page, done in chunks across requests so that no request runs for minutes.

The admin uploads a file: ``start`` reads it whole (a file that cannot be imported is refused at once,
nothing stored) and keeps it in the database as an ``ImportJob``. Each ``step`` then handles the next
``CHUNK_ROWS`` rows of the current phase, about a second of work, and the job page asks for the next
step until the phase is done (by itself with JavaScript, with a "Continue" button without): first a dry
run, whose report the admin reads, then, after "Import", the import itself.

Why chunks rather than a background process: nothing to start, watch or restart; any worker or host can
take the next step (the file and the progress are in the database); and a step is one short transaction
like any other request. Two steps of one job never overlap: a step claims its rows by moving
``position`` forward only where it still has the value the step read (the database serialises them).
"""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update

from portal.catalogue import NotFound, PermissionDenied, RuleViolation, importing
from portal.catalogue.importing.report import ImportReport
from portal.catalogue.permissions import is_admin
from portal.extensions import db
from portal.models import ImportJob, User, utcnow
from portal.models.importing import IMPORT_KINDS

RECENT_JOBS = 20


def max_bytes() -> int:
    return int(current_app.config["IMPORT_MAX_MB"]) * 1024 * 1024


def _require_admin(actor: User) -> None:
    if not is_admin(actor):
        raise PermissionDenied(_("Only admins import records."))


def start(actor: User, kind: str, filename: str, content: bytes, *, create_organisations: bool = True) -> ImportJob:
    """Check that the file can be read and keep it for its dry run; ``FileRefused`` otherwise."""
    _require_admin(actor)
    if kind not in IMPORT_KINDS:
        raise RuleViolation(_("Choose what the file holds."), field="kind")
    if len(content) > max_bytes():
        raise RuleViolation(_("The file may be at most %(mb)d MB: split it into smaller files.",
                              mb=current_app.config["IMPORT_MAX_MB"]), field="file")
    parsed = importing.read(kind, content, filename)
    job = ImportJob(kind=kind, filename=filename[:255], content=content, row_count=len(parsed.rows),
                    create_organisations=create_organisations, report=ImportReport(unit=parsed.unit).to_json(),
                    created_by_id=actor.id)
    db.session.add(job)
    db.session.flush()
    return job


def get(actor: User, job_id: int) -> ImportJob:
    _require_admin(actor)
    job = db.session.get(ImportJob, job_id)
    if job is None:
        raise NotFound(job_id)
    return job


def recent(actor: User) -> list[ImportJob]:
    _require_admin(actor)
    return list(db.session.scalars(db.select(ImportJob).order_by(ImportJob.id.desc()).limit(RECENT_JOBS)))


def step(job: ImportJob, actor: User, position: int) -> None:
    """Check (dry run) or import the job's next rows; ``position`` is where the page saw the job."""
    _require_admin(actor)
    if job.phase_done or job.finished_at is not None:
        return
    start_at = job.position
    stop_at = min(start_at + importing.CHUNK_ROWS, job.row_count)
    claimed = db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.phase == job.phase, ImportJob.position == position,
               ImportJob.position == start_at)
        .values(position=stop_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise RuleViolation(_("These rows are being handled by another request: reload the page."))
    parsed = importing.read(job.kind, job.content, job.filename)
    report = ImportReport.from_json(job.report)
    writer = importing.importer(job.kind, parsed, actor, job.filename, create_organisations=job.create_organisations,
                                origin="admin page", report=report)
    importing.run_rows(writer, parsed.rows[start_at:stop_at], dry_run=job.phase == "dry_run")
    job.position = stop_at
    job.report = report.to_json()
    if job.phase == "import" and job.phase_done:
        writer.finish()
        job.finished_at = utcnow()
        job.content = b""  # done: the rows are in the catalogue, the report stays
    db.session.flush()


def confirm(job: ImportJob, actor: User) -> None:
    """After the dry run: import the file for real, from its first row."""
    _require_admin(actor)
    if job.phase != "dry_run" or not job.phase_done:
        raise RuleViolation(_("Wait for the check of every row before importing."))
    job.phase, job.position = "import", 0
    job.report = ImportReport(unit=job.report.get("unit", "line")).to_json()
    db.session.flush()
