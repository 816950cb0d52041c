"""Public search: the results page, its CSV export, the Atom feed per search, and the sitemap."""

from dataclasses import replace
from datetime import datetime

from flask import Blueprint, Response, render_template, request, url_for

from portal import search, vocab
from portal.catalogue import programmes as programme_service
from portal.catalogue.filters import parse_filters
from portal.catalogue.sitemap import country_pages, need_pages, sitemap_page
from portal.links import absolute_url
from portal.models import utcnow
from portal.views.caching import by_index
from portal.views.shared import chips, csv_download, facet_groups

bp = Blueprint("search", __name__)

FEED_ENTRIES = 50
CSV_LIMIT = 10000
CSV_HEADER = ("id", "kind", "title", "summary", "organisation", "programmes", "portfolio", "sdgs", "countries",
              "themes", "updated_at", "url")


@bp.get("/search")
@by_index
def results():
    filters = parse_filters(request.args)
    result = search.search(filters)
    return render_template(
        "search/results.html",
        result=result,
        filters=filters,
        groups=facet_groups(result),
        chip_list=chips(filters, "search.results"),
        clear_url=url_for("search.results", **filters.cleared().to_args()),
        args=filters.to_args(),
        suggestion_args=filters.to_args(q=result.suggestion or "", page=1),
        feed_url=url_for("search.feed", **filters.to_args(page=1, sort="newest")),
        csv_url=url_for("search.export_csv", **filters.to_args(page=1)),
    )


def _csv_row(card: dict) -> tuple:
    return (
        card["id"],
        card["kind"],
        card["title"],
        card["summary"],
        card["organisation"],
        " ".join(card["programmes"]),
        " ".join(f"{slug}:{status}" for slug, status in card["portfolio"].items()),
        " ".join(str(number) for number in card["sdgs"]),
        " ".join((["global"] if card["global"] else []) + card["countries"]),
        " ".join(card["themes"]),
        card["updated_at"],
        absolute_url("public.item", item_id=card["id"]),
    )


@bp.get("/search.csv")
def export_csv():
    cards = search.export(parse_filters(request.args), limit=CSV_LIMIT)
    return csv_download("catalogue-search.csv", CSV_HEADER, map(_csv_row, cards))


@bp.get("/feeds/latest.atom")
@by_index
def feed():
    filters = replace(parse_filters(request.args), sort="newest", page=1, per_page=FEED_ENTRIES)
    result = search.search(filters, with_facets=False, suggest=False)
    updated = max((_parse(hit.updated_at) for hit in result.hits), default=None) or utcnow()
    body = render_template(
        "search/feed.xml",
        result=result,
        updated=updated,
        self_url=absolute_url("search.feed", **filters.to_args(sort="newest", per_page=20)),
        search_url=absolute_url("search.results", **filters.to_args(sort="newest", per_page=20)),
        parse=_parse,
    )
    return Response(body, mimetype="application/atom+xml")


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _site_pages() -> list[str]:
    """The portal's own public pages, listed on the sitemap's first page (the needs' own pages follow)."""
    pages = [absolute_url(endpoint) for endpoint in ("public.home", "search.results", "public.programmes",
                                                      "public.about_portfolios", "network.need_list")]
    pages += [absolute_url("public.programme", slug=p.slug) for p in programme_service.all_programmes()]
    pages += [absolute_url("public.sdg", number=sdg.number) for sdg in programme_service.all_sdgs()]
    pages += [absolute_url("network.theme", theme=theme) for theme, _label in vocab.THEMES]
    pages += [absolute_url("network.country", code=code) for code in country_pages()]
    return pages


@bp.get("/sitemap.xml")
def sitemap():
    """Public pages, needs and public items only (a sitemap index past 45 000 items)."""
    found = sitemap_page(request.args.get("page", ""))
    if found.number is None:
        body = render_template("search/sitemap_index.xml", pages=range(1, found.pages + 1))
    else:
        first = found.number == 1
        body = render_template("search/sitemap.xml", pages=_site_pages() if first else [],
                               needs=need_pages() if first else [], items=found.items)
    return Response(body, mimetype="application/xml")
