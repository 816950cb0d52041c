"""The desk's match-making and programme story under /desk/: country needs (``/desk/needs/new``, their
edit pages), every open need with its matches (``/desk/matchmaking``), highlights and key messages
(``/desk/highlights/<slug>``)."""

from dataclasses import asdict

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.catalogue import PermissionDenied, highlights, matching, needs
from portal.catalogue import programmes as programme_service
from portal.catalogue.permissions import moderates
from portal.forms import ItemReferenceField
from portal.forms.matchmaking import EditNeedForm, HighlightForm, KeyMessagesForm, NeedForm
from portal.views.access import guard_blueprint
from portal.views.input import paginate
from portal.views.transaction import flashed, shown_on

bp = Blueprint("desk_network", __name__, url_prefix="/desk")
guard_blueprint(bp, "moderator", "admin")

MATCHES_PER_NEED = 3
NEEDS_PER_PAGE = 20  # each need is matched (one search): a page's cost stays bounded


@bp.route("/needs/new", methods=["GET", "POST"])
def new_need():
    form = NeedForm()
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            need = needs.create_need(current_user, form.need_data())
        if not outcome.failed:
            flash(_("The need “%(title)s” is recorded.", title=need.title), "success")
            return redirect(url_for("network.need", need_id=need.id))
    return render_template("desk/need_form.html", form=form, need=None), 400 if form.errors else 200


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
def edit_need(need_id: int):
    need = needs.editable_need(need_id, current_user)
    form = EditNeedForm(data=asdict(needs.NeedData.from_need(need)))
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            changed = needs.update_need(need, current_user, form.need_data())
        if not outcome.failed:
            flash(_("The need is saved.") if changed else _("Nothing had changed."), "success")
            return redirect(url_for("network.need", need_id=need.id))
    return render_template("desk/need_form.html", form=form, need=need), 400 if form.errors else 200


@bp.get("/matchmaking")
def matchmaking():
    page = paginate(needs.desk_needs(current_user), per_page=NEEDS_PER_PAGE)
    board = [matching.matches_for(need, limit=MATCHES_PER_NEED) for need in page.items]
    return render_template(
        "desk/matchmaking.html",
        page=page,
        matched=[matches for matches in board if matches.total],
        gaps=[matches.need for matches in board if not matches.total],
    )


def _desk_programme(slug: str):
    programme = programme_service.get_programme(slug)
    if not moderates(current_user, programme):
        raise PermissionDenied(_("Only the programme's desk chooses its highlights."))
    return programme


@bp.get("/highlights")
def highlights_start():
    programmes = programme_service.desk_programmes(current_user)
    if not programmes:
        raise PermissionDenied(_("You sit on no programme's desk."))
    return redirect(url_for("desk_network.programme_highlights", slug=programmes[0].slug))


def _highlights_page(programme, status: int = 200, *, form=None, messages_form=None):
    item_id = ItemReferenceField.parse(request.args.get("item"))
    suggested = highlights.suggested_figure(item_id)
    blank = {"item": item_id, "figure_value": suggested.value, "figure_unit": suggested.unit,
             "figure_measure": suggested.measure}
    saved = highlights.key_messages(programme)
    return render_template(
        "desk/highlights.html",
        programme=programme,
        programmes=programme_service.desk_programmes(current_user),
        chosen=highlights.highlights(programme, public=False),
        figure_of=highlights.figure_of,
        form=form or HighlightForm(formdata=None, data=blank),
        messages_form=messages_form or KeyMessagesForm(
            formdata=None, data={f"message{n}": text for n, text in enumerate(saved, start=1)}
        ),
        limit=highlights.MAX_HIGHLIGHTS,
    ), status


@bp.get("/highlights/<slug>")
def programme_highlights(slug: str):
    return _highlights_page(_desk_programme(slug))


@bp.post("/highlights/<slug>")
def add_highlight(slug: str):
    programme = _desk_programme(slug)
    form = HighlightForm()
    form.validate()
    with shown_on(form, "item") as outcome:
        highlight = highlights.add_highlight(programme, current_user, form.item.data, form.figure())
    if outcome.failed:
        return _highlights_page(programme, 400, form=form)
    flash(_("“%(title)s” is a highlight of %(programme)s.", title=highlight.item.title, programme=programme.name),
          "success")
    return redirect(url_for("desk_network.programme_highlights", slug=slug))


@bp.post("/highlights/<slug>/<int:highlight_id>/remove")
def remove_highlight(slug: str, highlight_id: int):
    programme = _desk_programme(slug)
    with flashed() as outcome:
        item = highlights.remove_highlight(programme, current_user, highlight_id)
    if not outcome.failed and item is not None:
        flash(_("“%(title)s” is no longer a highlight.", title=item.title), "success")
    return redirect(url_for("desk_network.programme_highlights", slug=slug))


@bp.post("/highlights/<slug>/messages")
def key_messages(slug: str):
    programme = _desk_programme(slug)
    form = KeyMessagesForm()
    form.validate()
    with shown_on(form, "message1") as outcome:
        highlights.set_key_messages(programme, current_user, form.texts())
    if outcome.failed:
        return _highlights_page(programme, 400, messages_form=form)
    flash(_("The key messages of %(programme)s are saved.", programme=programme.name), "success")
    return redirect(url_for("desk_network.programme_highlights", slug=slug))
