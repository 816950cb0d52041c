"""The secretariat's admin area: users, organisations and their partnerships, the outbox and the audit log."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import mail
from portal.catalogue import accounts, audit
from portal.catalogue import organisations as organisation_service
from portal.catalogue import programmes as programme_service
from portal.forms import organisation_choices, programme_choices, programmes_by_slug
from portal.forms.admin import UserEditForm, UserFilterForm
from portal.forms.organisation import ContactsForm, EndPartnershipForm, MergeForm, OrganisationForm, PartnershipForm
from portal.models import Organisation
from portal.views.access import guard_blueprint
from portal.views.input import paginate
from portal.views.transaction import flashed, shown_on

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


def _organisation_page(organisation: Organisation, status: int = 200, **forms):
    """The organisation's page; forms given replace the blank ones (to show their errors)."""
    details = forms.get("details") or OrganisationForm(formdata=None, obj=organisation)
    others = [choice for choice in organisation_choices() if choice.value != str(organisation.id)]
    return render_template(
        "admin/organisation.html",
        organisation=organisation,
        details=details,
        contacts=forms.get("contacts") or ContactsForm.of(organisation),
        add_partnership=forms.get("add_partnership") or PartnershipForm(formdata=None, programmes=programme_choices()),
        end_form=EndPartnershipForm.for_programme,
        merge=forms.get("merge") or MergeForm(formdata=None, organisations=others),
        events=audit.organisation_history(organisation),
        describe=audit.describe,
    ), status


def _get_organisation(organisation_id: int) -> Organisation:
    return organisation_service.organisation_for(current_user, organisation_id)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
def organisation(organisation_id: int):
    organisation = _get_organisation(organisation_id)
    if request.method == "GET":
        return _organisation_page(organisation)
    form = OrganisationForm()
    if form.validate():
        with shown_on(form, "name") as outcome:
            organisation_service.update_details(current_user, organisation, form.details())
        if not outcome.failed:
            flash(_("%(name)s is saved.", name=organisation.name), "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return _organisation_page(organisation, 400, details=form)


@bp.post("/organisations/<int:organisation_id>/contacts")
def organisation_contacts(organisation_id: int):
    organisation = _get_organisation(organisation_id)
    form = ContactsForm.of(organisation)
    if form.validate():
        with shown_on(form, "focal_point") as outcome:
            organisation_service.update_contacts(current_user, organisation, *form.contacts())
        if not outcome.failed:
            flash(_("The reporting contacts of %(name)s are saved.", name=organisation.name), "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return _organisation_page(organisation, 400, contacts=form)


@bp.post("/organisations/<int:organisation_id>/partnerships")
def add_partnership(organisation_id: int):
    organisation = _get_organisation(organisation_id)
    form = PartnershipForm(programmes=programme_choices())
    if form.validate():
        programme = programme_service.get_programme(form.programme.data)
        with shown_on(form, "programme") as outcome:
            organisation_service.add_partnership_by(current_user, organisation, programme, form.joined_on.data)
        if not outcome.failed:
            flash(_("%(name)s is a partner of %(programme)s.", name=organisation.name, programme=programme.name),
                  "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return _organisation_page(organisation, 400, add_partnership=form)


@bp.post("/organisations/<int:organisation_id>/partnerships/<slug>/end")
def end_partnership(organisation_id: int, slug: str):
    organisation = _get_organisation(organisation_id)
    programme = programme_service.get_programme(slug)
    form = EndPartnershipForm.for_programme(programme, formdata=request.form)
    if not form.validate():
        flash(_("Give the date on which the partnership ends."), "error")
        return redirect(url_for("admin.organisation", organisation_id=organisation.id, _anchor="partnerships"))
    with flashed() as outcome:
        organisation_service.end_partnership(current_user, organisation, programme, form.ended_on.data)
    if not outcome.failed:
        flash(_("The partnership with %(programme)s ends on %(day)s.", programme=programme.name,
                day=form.ended_on.data.isoformat()), "success")
    return redirect(url_for("admin.organisation", organisation_id=organisation.id, _anchor="partnerships"))


@bp.post("/organisations/<int:organisation_id>/merge")
def merge_organisation(organisation_id: int):
    organisation = _get_organisation(organisation_id)
    others = [choice for choice in organisation_choices() if choice.value != str(organisation.id)]
    form = MergeForm(organisations=others)
    if form.validate():
        duplicate = _get_organisation(int(form.duplicate.data))
        name = duplicate.name
        with shown_on(form, "duplicate") as outcome:
            moved = organisation_service.merge(current_user, organisation, duplicate)
        if not outcome.failed:
            flash(_("%(duplicate)s is merged into %(name)s: %(items)d items, %(users)d accounts and "
                    "%(partnerships)d partnerships moved.", duplicate=name, name=organisation.name, **moved),
                  "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return _organisation_page(organisation, 400, merge=form)


@bp.get("/outbox")
def outbox():
    page = paginate(mail.outbox_query(), per_page=50)
    return render_template("admin/outbox.html", messages=page)


@bp.get("/audit")
def audit_log():
    action = request.args.get("action", "").strip()
    page = paginate(audit.log_query(action), per_page=100)
    return render_template("admin/audit.html", events=page, action=action, describe=audit.describe)
