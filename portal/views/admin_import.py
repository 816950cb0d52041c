"""/admin/import: upload a file, read the dry run's report, press "Import" (portal.catalogue.importing.jobs)."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from portal.catalogue.importing import CHUNK_ROWS, ImportReport, columns, jobs
from portal.forms.admin import ImportForm
from portal.views.access import guard_blueprint
from portal.views.transaction import flashed, shown_on

bp = Blueprint("admin_import", __name__, url_prefix="/admin/import")
guard_blueprint(bp, "admin")
SHOWN_ERRORS = 100


@bp.before_request
def _limit_upload_size():
    """Refuse a too large upload before reading it, with the import's own limit (the 413 page says it)."""
    limit = jobs.max_bytes() + 64 * 1024  # the form's other fields
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        abort(413)


@bp.route("/", methods=["GET", "POST"])
def index():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        with shown_on(form, "file") as outcome:
            job = jobs.start(current_user, form.kind.data, upload.filename or "upload", upload.read(),
                             create_organisations=form.create_organisations.data)
            jobs.step(job, current_user, job.position)  # a small file is checked at once
        if not outcome.failed:
            return redirect(url_for("admin_import.job", job_id=job.id), 303)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("admin/import.html", form=form, recent=jobs.recent(current_user),
                           item_columns=columns("items"), organisation_columns=columns("organisations")), status


@bp.get("/<int:job_id>")
def job(job_id: int):
    job = jobs.get(current_user, job_id)
    return render_template("admin/import_job.html", job=job, report=ImportReport.from_json(job.report),
                           errors=job.report.get("errors", [])[:SHOWN_ERRORS], chunk_rows=CHUNK_ROWS)


@bp.post("/<int:job_id>/step")
def step(job_id: int):
    job = jobs.get(current_user, job_id)
    with flashed():
        jobs.step(job, current_user, request.form.get("position", type=int, default=-1))
    return redirect(url_for("admin_import.job", job_id=job.id), 303)


@bp.post("/<int:job_id>/import")
def confirm(job_id: int):
    job = jobs.get(current_user, job_id)
    with flashed():
        jobs.confirm(job, current_user)
        jobs.step(job, current_user, job.position)
    return redirect(url_for("admin_import.job", job_id=job.id), 303)
