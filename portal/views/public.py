"""Pages for everyone: home, programmes, SDGs, portfolios explained, item pages."""

from flask import Blueprint, current_app, render_template, send_from_directory, url_for
from flask_login import current_user

from portal import search
from portal.catalogue import highlights, links
from portal.catalogue import programmes as programme_service
from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.permissions import can_view_item, item_for
from portal.catalogue.reporting.cache import data_version
from portal.catalogue.visibility import is_public
from portal.models import Item
from portal.views.caching import by_index
from portal.views.machines import item_json_ld
from portal.views.shared import listing

bp = Blueprint("public", __name__)

LATEST_ON_HOME = 6


@bp.get("/")
@by_index
def home():
    result = search.search(CatalogueFilters(sort="newest", per_page=LATEST_ON_HOME), suggest=False, highlights=False)
    return render_template(
        "public/home.html",
        programmes=programme_service.all_programmes(),
        programme_counts=result.facets.get("programme", {}),
        total=result.total,
        latest=result.hits,
    )


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon")


@bp.get("/programmes")
def programmes():
    return render_template(
        "public/programmes.html",
        programmes=programme_service.all_programmes(),
        item_counts=programme_service.public_item_counts(),
        partner_counts=programme_service.partner_counts(),
    )


def _programme_page(slug: str, template: str):
    """A programme's overview: its story (messages, highlights, links), achievements and portfolio counts."""
    programme = programme_service.get_programme(slug)
    story = highlights.programme_story(programme)
    counted = search.search(CatalogueFilters(programme=(programme.slug,), per_page=1), suggest=False,
                            highlights=False)
    return render_template(
        template,
        programme=programme,
        story=story,
        achievements=story.achievements,
        item_count=counted.total,
        portfolio_counts=counted.facets.get("status", {}),
    )


@bp.get("/programmes/<slug>")
@by_index(also=data_version)
def programme(slug: str):
    return _programme_page(slug, "public/programme.html")


@bp.get("/programmes/<slug>/pitch")
@by_index(also=data_version)
def pitch(slug: str):
    """The programme on one printable A4 page: key facts, messages, highlights, partners."""
    return _programme_page(slug, "public/pitch.html")


@bp.get("/sdgs/<int:number>")
@by_index
def sdg(number: int):
    sdg = programme_service.get_sdg(number)
    result = search.search(listing(sdg=(sdg.number,)), suggest=False, highlights=False)
    return render_template("public/sdg.html", sdg=sdg, result=result)


@bp.get("/about/portfolios")
def about_portfolios():
    return render_template("public/about_portfolios.html", programmes=programme_service.all_programmes())


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    item = item_for(current_user, item_id, can_view_item)  # a hidden item looks like a missing one
    return render_template(
        "public/item.html",
        item=item,
        related=links.related_items(item, current_user),
        similar=_similar(item),
        file_url=url_for("items.download", item_id=item.id) if item.file_name else None,
        json_ld=item_json_ld(item) if is_public(item) else None,
    )


def _similar(item: Item) -> list[dict]:
    """The page stands without its similar items while the index is unavailable (search pages say 503)."""
    try:
        return search.similar(item.id)
    except search.SearchUnavailable:
        return []

