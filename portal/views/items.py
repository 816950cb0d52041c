"""Item URLs outside the partner area: editing (``/items/<id>/edit``, the organisation and admins)
and the file download (``/items/<id>/file``, whoever may see the item)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.catalogue import files, submission, workflow
from portal.catalogue.permissions import can_edit_item, can_view_item, item_for
from portal.catalogue.visibility import is_public
from portal.extensions import talisman
from portal.forms.item import FORMS
from portal.security import DOWNLOAD_POLICY
from portal.views.access import role_required
from portal.views.transaction import shown_on

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
