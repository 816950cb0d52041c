"""The secretariat's admin area: users, organisations, the outbox and the audit log."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.catalogue import NotFound, accounts, audit
from portal.extensions import db
from portal.forms import organisation_choices, programme_choices, programmes_by_slug
from portal.forms.admin import UserEditForm, UserFilterForm
from portal.models import AuditEvent, Organisation, OutboxMessage, User
from portal.views.access import guard_blueprint
from portal.views.input import paginate
from portal.views.transaction import shown_on

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard_blueprint(bp, "admin")


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(user_id)
    return user


@bp.get("/")
def index():
    form = UserFilterForm(request.args)
    form.validate()
    filters = accounts.UserFilter(q=form.q.data or "", role=form.role.data or "", active=form.active.data or "")
    users = paginate(accounts.users_query(current_user, filters), per_page=50)
    return render_template("admin/users.html", form=form, users=users)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    user = _get_user(user_id)
    form = UserEditForm(
        organisations=organisation_choices(),
        programmes=programme_choices(),
        data={
            "role": user.role,
            "organisation": str(user.organisation_id or ""),
            "programmes": [programme.slug for programme in user.moderated_programmes],
        },
    )
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, int(form.organisation.data)) if form.organisation.data else None
        with shown_on(form, "role") as outcome:
            accounts.update_user(
                current_user,
                user,
                role=form.role.data,
                organisation=organisation,
                moderated_programmes=programmes_by_slug(form.programmes.data or []),
            )
        if not outcome.failed:
            flash(f"{user.email} is saved.", "success")
            return redirect(url_for("admin.user", user_id=user.id))
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.user_id == user.id).order_by(AuditEvent.created_at.desc()).limit(50)
    ).all()
    return render_template("admin/user.html", user=user, form=form, events=events, describe=audit.describe)


@bp.get("/organisations")
def organisations():
    query = select(Organisation).order_by(Organisation.name)
    if q := request.args.get("q", "").strip():
        query = query.where(Organisation.name.ilike(f"%{q}%"))
    page = paginate(query, per_page=50)
    return render_template("admin/organisations.html", organisations=page, q=q)


@bp.get("/outbox")
def outbox():
    page = paginate(select(OutboxMessage).order_by(OutboxMessage.id.desc()), per_page=50)
    return render_template("admin/outbox.html", messages=page)


@bp.get("/audit")
def audit_log():
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if action := request.args.get("action", "").strip():
        query = query.where(AuditEvent.action.startswith(action))
    page = paginate(query, per_page=100)
    return render_template("admin/audit.html", events=page, action=action, describe=audit.describe)
