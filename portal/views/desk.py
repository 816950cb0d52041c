"""The coordination desk under /desk/: review, monitoring, reporting, partner accounts."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.catalogue import NotFound, RuleViolation, accounts, reporting
from portal.extensions import db
from portal.models import User
from portal.views.access import guard_blueprint
from portal.views.auth import safe_next

bp = Blueprint("desk", __name__, url_prefix="/desk")
guard_blueprint(bp, "moderator", "admin")


@bp.get("/")
def index():
    waiting = db.session.scalars(accounts.users_query(current_user, accounts.UserFilter(active="no"))).all()
    return render_template("desk/index.html", waiting=waiting)


@bp.get("/accounts", endpoint="accounts")
def account_list():
    filters = accounts.UserFilter(q=request.args.get("q", ""), active=request.args.get("active", "no"))
    users = db.paginate(accounts.users_query(current_user, filters), per_page=50, error_out=False)
    return render_template("desk/accounts.html", users=users, filters=filters)


@bp.post("/accounts/<int:user_id>/active")
def set_account_active(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(user_id)
    active = request.form.get("active") == "1"
    try:
        accounts.set_active(current_user, user, active)
    except RuleViolation as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"{user.email} is {'active' if active else 'deactivated'}.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("desk.accounts"))


@bp.get("/reporting")
def reporting_dashboard():
    scope = reporting.open_scope(current_user, request.args.get("programme"), request.args.get("year"))
    return render_template(
        "desk/reporting.html",
        board=reporting.dashboard(scope),
        programmes=reporting.reportable_programmes(current_user),
        years=reporting.year_choices(),
    )


@bp.get("/reporting.csv")
def reporting_csv():
    return _reporting_table("partners")


@bp.get("/reporting/<name>.csv")
def reporting_table_csv(name: str):
    return _reporting_table(name)


def _reporting_table(name: str) -> Response:
    scope = reporting.open_scope(current_user, request.args.get("programme"), request.args.get("year"))
    table = reporting.table(scope, name)
    filename = f"reporting-{scope.slug}-{scope.period.year}-{table.name}.csv"
    return Response(
        reporting.to_csv(table),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.post("/reporting/reminders")
def send_reporting_reminders():
    scope = reporting.open_scope(current_user, request.form.get("programme"), request.form.get("year"))
    if scope.programme is None:
        raise RuleViolation("Choose one programme to send reminders for.", field="programme")
    target = request.form.get("organisation", "")
    if target != "all" and not target.isdigit():
        raise RuleViolation("Choose a partner to remind, or all of them.", field="organisation")
    outcomes = reporting.send_reminders(
        current_user, scope.programme, scope.period.year, None if target == "all" else [int(target)]
    )
    db.session.commit()
    for category, message in reporting.describe_outcomes(outcomes):
        flash(message, category)
    return redirect(
        url_for("desk.reporting_dashboard", programme=scope.slug, year=scope.period.year, _anchor="not-reported")
    )
