"""The secretariat's admin area: users, organisations, the outbox and the audit log."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import mail
from portal.catalogue import accounts, audit
from portal.forms import organisation_choices, programme_choices, programmes_by_slug
from portal.forms.admin import UserEditForm, UserFilterForm
from portal.views.access import guard_blueprint
from portal.views.input import paginate
from portal.views.transaction import shown_on

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard_blueprint(bp, "admin")


@bp.get("/")
def index():
    form = UserFilterForm(request.args)
    form.validate()
    filters = accounts.UserFilter(q=form.q.data or "", role=form.role.data or "", active=form.active.data or "")
    users = paginate(accounts.users_query(current_user, filters), per_page=50)
    return render_template("admin/users.html", form=form, users=users)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    user = accounts.get_user(user_id)
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
        organisation = accounts.get_organisation(int(form.organisation.data)) if form.organisation.data else None
        with shown_on(form, "role") as outcome:
            accounts.update_user(
                current_user,
                user,
                role=form.role.data,
                organisation=organisation,
                moderated_programmes=programmes_by_slug(form.programmes.data or []),
            )
        if not outcome.failed:
            flash(_("%(email)s is saved.", email=user.email), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template(
        "admin/user.html", user=user, form=form, events=audit.about_user(user), describe=audit.describe
    )


@bp.get("/organisations")
def organisations():
    q = request.args.get("q", "").strip()
    page = paginate(accounts.organisations_query(q), per_page=50)
    return render_template("admin/organisations.html", organisations=page, q=q)


@bp.get("/outbox")
def outbox():
    page = paginate(mail.outbox_query(), per_page=50)
    return render_template("admin/outbox.html", messages=page)


@bp.get("/audit")
def audit_log():
    action = request.args.get("action", "").strip()
    page = paginate(audit.log_query(action), per_page=100)
    return render_template("admin/audit.html", events=page, action=action, describe=audit.describe)
