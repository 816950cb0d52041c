"""Saved searches for every signed-in role: saving from /search, managing at /my/searches (outside the
partner blueprint, which only partners reach), and unsubscribing from a digest's link without signing in."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.catalogue import saved_searches
from portal.forms.saved_search import SavedSearchForm, SaveSearchForm
from portal.views.access import role_required
from portal.views.transaction import flashed

bp = Blueprint("searches", __name__)
SAVE_PREFIX = "save"


@bp.app_template_global("save_search_form")
def save_search_form(name: str) -> SaveSearchForm:
    """The "Save this search" form for the search page being shown (its query string, a name for it)."""
    query = request.query_string.decode("utf-8", "replace")
    return SaveSearchForm(formdata=None, prefix=SAVE_PREFIX, data={"query": query, "name": name[:200]})


def _forms(searches, posted=None) -> dict:
    """A form per saved search (``posted``: the one sent back with its errors)."""
    forms = {saved.id: SavedSearchForm(formdata=None, prefix=f"s{saved.id}", obj=saved) for saved in searches}
    if posted is not None:
        forms[posted[0]] = posted[1]
    return forms


@bp.get("/my/searches")
@role_required()
def index():
    searches = saved_searches.user_searches(current_user)
    return render_template("saved_searches/index.html", searches=searches, forms=_forms(searches))


@bp.post("/my/searches")
@role_required()
def save():
    form = SaveSearchForm(prefix=SAVE_PREFIX)  # the service checks what was posted
    with flashed() as outcome:
        saved = saved_searches.save(current_user, form.query.data or "", form.name.data or "", form.frequency.data)
    if outcome.failed:
        return redirect(url_for("search.results") + "?" + (form.query.data or "").lstrip("?"))
    flash(_("“%(name)s” is saved: new matching items will be mailed to you %(when)s.", name=saved.name,
            when=_("every day") if saved.frequency == "daily" else _("every week")), "success")
    return redirect(url_for("searches.index"))


@bp.post("/my/searches/<int:saved_search_id>")
@role_required()
def update(saved_search_id: int):
    saved = saved_searches.saved_search_for(current_user, saved_search_id)
    form = SavedSearchForm(prefix=f"s{saved.id}")
    with flashed() as outcome:
        saved_searches.update(current_user, saved, form.name.data or "", form.frequency.data)
    if not outcome.failed:
        flash(_("“%(name)s” is saved.", name=saved.name), "success")
    return redirect(url_for("searches.index"))


@bp.post("/my/searches/<int:saved_search_id>/delete")
@role_required()
def delete(saved_search_id: int):
    saved = saved_searches.saved_search_for(current_user, saved_search_id)
    name = saved.name
    saved_searches.delete(current_user, saved)
    flash(_("“%(name)s” is deleted: no more digests for it.", name=name), "success")
    return redirect(url_for("searches.index"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """A digest's link: a page with one button; pressing it deletes the saved search the token names."""
    if request.method == "POST":
        name = saved_searches.unsubscribe(token)
        return render_template("saved_searches/unsubscribe.html", name=name, done=name is not None, token=token)
    saved = saved_searches.by_token(token)
    return render_template("saved_searches/unsubscribe.html", name=saved.name if saved else None, done=False,
                           token=token)
