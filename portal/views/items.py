"""Item URLs outside the partner area: editing (``/items/<id>/edit``, the organisation and admins),
the file download (``/items/<id>/file``, whoever may see the item), and links between items
(``/items/<id>/links``, the item's organisation and desks)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.catalogue import files, links, submission, workflow
from portal.catalogue.permissions import can_edit_item, can_link_item, can_view_item, item_for
from portal.catalogue.visibility import is_public
from portal.extensions import talisman
from portal.forms.item import FORMS
from portal.forms.matchmaking import LinkForm
from portal.security import DOWNLOAD_POLICY
from portal.views.access import role_required
from portal.views.shared import back_to
from portal.views.transaction import flashed, shown_on

bp = Blueprint("items", __name__)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@role_required("partner", "admin")
def edit(item_id: int):
    item = item_for(current_user, item_id, can_edit_item)
    form_class = FORMS[item.kind]
    form = form_class(data=form_class.values(submission.ItemData.from_item(item)))
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            changed = submission.update_item(
                item,
                current_user,
                form.item_data(),
                upload=form.upload(),
                remove_file=bool(getattr(form, "remove_file", None) and form.remove_file.data),
                submit=form.submit_review.data,
            )
        if not outcome.failed:
            if form.submit_review.data:
                flash(_("“%(title)s” is submitted for review.", title=item.title), "success")
            else:
                flash(_("“%(title)s” is saved.", title=item.title) if changed else _("Nothing had changed."), "success")
            if current_user.is_partner:
                return redirect(url_for("partner.item", item_id=item.id))
            return redirect(url_for("public.item", item_id=item.id))
    status = 400 if form.errors else 200
    return render_template(
        "partner/item_form.html", form=form, kind=item.kind, item=item, actions=workflow.allowed_actions(item)
    ), status


@bp.get("/items/<int:item_id>/file")
@talisman(content_security_policy=DOWNLOAD_POLICY)
def download(item_id: int):
    """The item's file as an attachment, to whoever may see the item (404 for anyone else)."""
    item = item_for(current_user, item_id, can_view_item)
    if not item.file_name:
        abort(404)
    try:
        path = files.path_of(item.file_name)
    except ValueError:
        abort(404)
    if not path.is_file():
        current_app.logger.warning("The file of item %s is missing: %s", item.id, path)
        abort(404)
    response = send_from_directory(
        path.parent,
        path.name,
        as_attachment=True,
        download_name=item.file_original_name or path.name,
        mimetype=item.file_mime or "application/octet-stream",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not is_public(item):
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _back(item_id: int):
    return redirect(back_to(url_for("public.item", item_id=item_id)))


@bp.post("/items/<int:item_id>/links")
@role_required("partner", "moderator", "admin")
def add_link(item_id: int):
    item = item_for(current_user, item_id, can_link_item)
    form = LinkForm()
    form.validate()
    with flashed() as outcome:
        link = links.add_link(item, current_user, form.target.data, form.relation.data)
    if not outcome.failed:
        flash(_("Linked to “%(title)s”.", title=link.target.title), "success")
    return _back(item_id)


@bp.post("/items/<int:item_id>/links/<int:link_id>/remove")
@role_required("partner", "moderator", "admin")
def remove_link(item_id: int, link_id: int):
    link = links.remove_link(link_id, current_user)
    flash(_("The link between “%(source)s” and “%(target)s” is removed.", source=link.source.title,
            target=link.target.title), "success")
    return _back(item_id)
