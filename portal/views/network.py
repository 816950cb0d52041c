"""The network across programmes and countries, for everyone: country needs with the offers that fit
them (``/needs``), country pages (``/countries/<alpha2>``) and themes (``/themes/<theme>``). Partners
express interest in a need here too."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import vocab
from portal.catalogue import matching, needs, overviews
from portal.catalogue.permissions import can_edit_need, can_express_interest
from portal.forms.matchmaking import InterestForm
from portal.views.access import role_required
from portal.views.transaction import shown_on

bp = Blueprint("network", __name__)

FACET_LEGENDS = {"country": _l("Country"), "sdg": _l("SDG"), "theme": _l("Theme"), "programme": _l("Programme")}


def need_facet_label(facet: str, value) -> str:
    if facet == "country":
        return vocab.country_name(value)
    if facet == "sdg":
        return vocab.sdg_label(value)
    if facet == "theme":
        return vocab.label(vocab.THEMES, value)
    return matching.PROGRAMME_NAMES.get(value, value)


@bp.get("/needs")
def need_list():
    filters = needs.parse_need_filters(request.args)
    listed = needs.list_needs(filters)
    return render_template("network/needs.html", listed=listed, filters=filters, legends=FACET_LEGENDS,
                           facet_label=need_facet_label)


def _need_page(need_id: int, form: InterestForm | None = None, status: int = 200):
    need = needs.get_need(need_id)
    desk = can_edit_need(current_user, need)
    return render_template(
        "network/need.html",
        need=need,
        matches=matching.matches_for(need) if need.is_open else None,
        desk=desk,
        interests=needs.interests(need) if desk else [],
        can_express=can_express_interest(current_user) and need.is_open,
        expressed=needs.has_expressed_interest(need, current_user),
        form=form or InterestForm(formdata=None),
    ), status


@bp.get("/needs/<int:need_id>")
def need(need_id: int):
    return _need_page(need_id)


@bp.post("/needs/<int:need_id>/interest")
@role_required("partner")
def express_interest(need_id: int):
    need = needs.get_need(need_id)
    form = InterestForm()
    if not form.validate():
        return _need_page(need_id, form, 400)
    with shown_on(form, "message") as outcome:
        needs.express_interest(need, current_user, form.message.data)
    if outcome.failed:
        return _need_page(need_id, form, 400)
    flash(_("Your interest is sent to the desks of this need."), "success")
    return redirect(url_for("network.need", need_id=need_id))


@bp.get("/countries/<code>")
def country(code: str):
    if code != code.upper():
        return redirect(url_for("network.country", code=code.upper()), 301)
    return render_template("network/country.html", overview=overviews.country_overview(code))


@bp.get("/themes/<theme>")
def theme(theme: str):
    return render_template("network/theme.html", overview=overviews.theme_overview(theme))
