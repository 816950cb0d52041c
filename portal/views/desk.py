"""The coordination desk under /desk/: review, monitoring, reporting, partner accounts."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.catalogue import NotFound, RuleViolation, accounts
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
