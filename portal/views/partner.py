"""The partner area under /my/: the organisation's items, their submission and upkeep, reporting status."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.catalogue import audit, comments, lapses, links, organisations, reporting, submission, usage, workflow
from portal.catalogue.permissions import belongs_to_item_organisation, item_for
from portal.forms.item import FORMS
from portal.forms.matchmaking import LinkForm
from portal.forms.organisation import ContactsForm
from portal.models import Item
from portal.views.access import guard_blueprint
from portal.views.input import paginate
from portal.views.transaction import flashed, shown_on

bp = Blueprint("partner", __name__, url_prefix="/my")
guard_blueprint(bp, "partner")

ITEMS_PER_PAGE = 50


def own_item(item_id: int) -> Item:
    """The item, when it belongs to the current partner's organisation; 404 otherwise."""
    return item_for(current_user, item_id, belongs_to_item_organisation)


@bp.get("/")
def dashboard():
    organisation = current_user.organisation
    return render_template(
        "partner/dashboard.html",
        organisation=organisation,
        reporting_status=reporting.partner_status(organisation) if organisation else None,
        lapsing=lapses.lapsing_count(organisation.id) if organisation else 0,
        usage=usage.organisation_usage(organisation.id) if organisation else [],
    )


@bp.get("/items")
def items():
    """The organisation's items; ``?lapsing=1``: only those about to become inactive."""
    organisation_id = current_user.organisation_id or 0
    lapsing = request.args.get("lapsing") == "1"
    query = lapses.lapsing_items(organisation_id) if lapsing else submission.organisation_items(organisation_id)
    page = paginate(query, per_page=ITEMS_PER_PAGE)
    return render_template(
        "partner/items.html",
        page=page,
        lapsing=lapsing,
        messages=submission.latest_desk_messages(page.items),
        warning_days=current_app.config["INACTIVE_WARNING_DAYS"],
    )


@bp.route("/items/new/initiative", methods=["GET", "POST"], defaults={"kind": "initiative"})
@bp.route("/items/new/resource", methods=["GET", "POST"], defaults={"kind": "resource"})
def new_item(kind: str):
    form = FORMS[kind]()
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            item = submission.create_item(
                current_user, kind, form.item_data(), upload=form.upload(), submit=form.submit_review.data,
                submission_token=form.submission_token.data,
            )
        if not outcome.failed:
            if item.state == "submitted":
                flash(_("“%(title)s” is submitted for review.", title=item.title), "success")
            else:
                flash(_("“%(title)s” is saved as a draft.", title=item.title), "success")
            return redirect(url_for("partner.item", item_id=item.id))
    status = 400 if form.errors else 200
    return render_template("partner/item_form.html", form=form, kind=kind, item=None), status


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    item = own_item(item_id)
    return render_template(
        "partner/item.html",
        item=item,
        actions=workflow.allowed_actions(item),
        desk_messages=submission.desk_messages(item),
        comments=comments.thread(item),
        comment_url=url_for("partner.comment", item_id=item.id),
        events=audit.history(item),
        describe=audit.describe,
        related=links.related_items(item, current_user),
        link_form=LinkForm(formdata=None),
        back=url_for("partner.item", item_id=item.id),
    )


def _act(item_id: int, action, done: str, *, gone: bool = False):
    """Run ``action(item, current_user)``, say ``done`` (a message with the item's ``%(title)s``) and go back
    to the page the button was on (to the list when the item is ``gone``)."""
    item = own_item(item_id)
    title = item.title
    with flashed() as outcome:
        action(item, current_user)
    if not outcome.failed:
        flash(str(done) % {"title": title}, "success")
        if gone:
            return redirect(url_for("partner.items"))
    back = request.form.get("back")
    if back in ("items", "lapsing"):
        return redirect(url_for("partner.items", **({"lapsing": 1} if back == "lapsing" else {})))
    return redirect(url_for("partner.item", item_id=item_id))


@bp.post("/items/<int:item_id>/submit")
def submit(item_id: int):
    return _act(item_id, workflow.submit, _l("“%(title)s” is submitted for review."))


@bp.post("/items/<int:item_id>/confirm")
def confirm(item_id: int):
    return _act(item_id, submission.confirm_active, _l("“%(title)s” is confirmed as still active."))


@bp.post("/items/<int:item_id>/withdraw")
def withdraw(item_id: int):
    reason = request.form.get("reason", "").strip()
    return _act(item_id, lambda item, actor: workflow.withdraw(item, actor, reason),
                _l("“%(title)s” is withdrawn from public view."))


@bp.post("/items/<int:item_id>/delete")
def delete(item_id: int):
    return _act(item_id, submission.delete_draft, _l("“%(title)s” is deleted."), gone=True)


@bp.post("/items/<int:item_id>/comments")
def comment(item_id: int):
    item = own_item(item_id)
    with flashed() as outcome:
        comments.add_comment(item, current_user, request.form.get("body", ""))
    if not outcome.failed:
        flash(_("Your message is sent to the desk."), "success")
    return redirect(url_for("partner.item", item_id=item.id, _anchor="thread-title"))


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
def organisation_settings(organisation_id: int):
    """The organisation's settings: its reporting focal point and alternates (only its own organisation)."""
    organisation = organisations.organisation_for(current_user, organisation_id)
    form = ContactsForm.of(organisation)
    if form.validate_on_submit():
        with shown_on(form, "focal_point") as outcome:
            organisations.update_contacts(current_user, organisation, *form.contacts())
        if not outcome.failed:
            flash(_("The reporting contacts of %(name)s are saved.", name=organisation.name), "success")
            return redirect(url_for("partner.dashboard"))
    status = 400 if form.errors else 200
    return render_template("partner/organisation.html", organisation=organisation, form=form), status
