"""Public search: the results page, its CSV export, the Atom feed per search, and the sitemap."""

import csv
import io
from dataclasses import replace
from datetime import datetime

from flask import Blueprint, Response, render_template, request, url_for
from sqlalchemy import select

from portal import search, vocab
from portal.catalogue.filters import MAX_PAGE, CatalogueFilters, page_number, parse_filters
from portal.catalogue.parsing import positive_int
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.links import absolute_url
from portal.models import Item, Programme, Sdg, utcnow

bp = Blueprint("search", __name__)

FEED_ENTRIES = 50
CSV_LIMIT = 10000
SITEMAP_URLS = 45000
FACET_LABELS = {
    "kind": "Kind",
    "programme": "Programme",
    "sdg": "SDG",
    "status": "Portfolio status",
    "country": "Country",
    "region": "Region",
    "category": "Activity category",
    "resource_type": "Resource type",
    "theme": "Theme",
}


def facet_label(facet: str, value) -> str:
    """How a facet value reads on the page: "SDG 7 - Affordable and clean energy" (en dash), "Kenya"..."""
    if facet == "sdg":
        return vocab.sdg_label(value)
    if facet == "programme":
        return PROGRAMME_NAMES.get(value, value)
    if facet == "country":
        return vocab.country_name(value)
    vocabularies = {
        "kind": vocab.KINDS,
        "status": vocab.PORTFOLIO_STATUSES,
        "region": vocab.REGIONS,
        "category": vocab.ACTIVITY_CATEGORIES,
        "resource_type": vocab.RESOURCE_TYPES,
        "theme": vocab.THEMES,
    }
    return vocab.label(vocabularies[facet], value)


# Facets with many values show the most frequent ones (and every ticked one).
FACET_LIMITS = {"country": 25}


@bp.app_template_filter("isodate")
def isodate(value: str | None) -> str:
    """An ISO timestamp from the index as "9 May 2025"."""
    return datetime.fromisoformat(value).strftime("%d %b %Y").lstrip("0") if value else ""


@bp.app_template_global("vocab_programme_name")
def programme_name(slug: str) -> str:
    return PROGRAMME_NAMES.get(slug, slug)


PROGRAMME_NAMES = {slug: name for slug, name, _ in vocab.PROGRAMMES}


def facet_groups(result: search.SearchResult) -> list[dict]:
    """The facets as the form shows them: options with label, count and ticked state."""
    groups = []
    for facet in search.FACETS:
        counts = result.facets.get(facet, {})
        selected = set(result.filters.selected(facet))
        options = [
            {"value": value, "label": facet_label(facet, value), "count": number, "checked": value in selected}
            for value, number in counts.items()
        ]
        more = 0
        limit = FACET_LIMITS.get(facet)
        if limit and len(options) > limit:
            ranked = sorted(options, key=lambda option: (not option["checked"], -option["count"], option["label"]))
            kept = ranked[:limit] + [option for option in ranked[limit:] if option["checked"]]
            more = len(options) - len(kept)
            options = sorted(kept, key=lambda option: option["label"])
        groups.append({"name": facet, "legend": FACET_LABELS[facet], "options": options, "more": more})
    return groups


def _chip_label(facet: str, value) -> str:
    label = facet_label(facet, value)
    return label if facet == "sdg" else f"{FACET_LABELS[facet]}: {label}"


def chips(filters: CatalogueFilters) -> list[dict]:
    """One removable chip per selected filter value."""
    return [
        {
            "label": _chip_label(facet, value),
            "url": url_for("search.results", **filters.without(facet, value).to_args()),
        }
        for facet, values in filters.refinements().items()
        for value in values
    ]


@bp.get("/search")
def results():
    filters = parse_filters(request.args)
    result = search.search(filters)
    cleared = CatalogueFilters(q=filters.q, sort=filters.sort, per_page=filters.per_page)
    return render_template(
        "search/results.html",
        result=result,
        filters=filters,
        groups=facet_groups(result),
        chip_list=chips(filters),
        clear_url=url_for("search.results", **cleared.to_args()),
        args=filters.to_args(),
        suggestion_args=filters.to_args(q=result.suggestion or "", page=1),
        feed_url=url_for("search.feed", **filters.to_args(page=1, sort="newest")),
        csv_url=url_for("search.export_csv", **filters.to_args(page=1)),
    )


@bp.get("/search.csv")
def export_csv():
    filters = parse_filters(request.args)
    cards = search.service().export(filters, limit=CSV_LIMIT)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["id", "kind", "title", "summary", "organisation", "programmes", "portfolio", "sdgs", "countries",
         "themes", "updated_at", "url"]
    )
    for card in cards:
        writer.writerow(
            [
                _cell(value)
                for value in (
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
            ]
        )
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="catalogue-search.csv"'},
    )


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/feeds/latest.atom")
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


@bp.get("/sitemap.xml")
def sitemap():
    """Public pages and public items only (a sitemap index past 45 000 addresses)."""
    page = request.args.get("page", "")
    statement = select(Item.id, Item.updated_at).where(public_clause()).order_by(Item.id)
    if not page:
        total = db.session.scalar(select(db.func.count()).select_from(statement.subquery()))
        if total > SITEMAP_URLS:
            pages = -(-total // SITEMAP_URLS)
            body = render_template("search/sitemap_index.xml", pages=range(1, pages + 1))
            return Response(body, mimetype="application/xml")
        number = 1
    elif (number := positive_int(page, MAX_PAGE)) is None:
        return Response("Unknown sitemap page.", status=404, mimetype="text/plain")
    items = db.session.execute(statement.offset((number - 1) * SITEMAP_URLS).limit(SITEMAP_URLS)).all()
    pages = []
    if number == 1:
        pages = [absolute_url(endpoint)
                 for endpoint in ("public.home", "search.results", "public.programmes", "public.about_portfolios")]
        pages += [absolute_url("public.programme", slug=slug)
                  for slug in db.session.scalars(select(Programme.slug).order_by(Programme.position))]
        pages += [absolute_url("public.sdg", number=n)
                  for n in db.session.scalars(select(Sdg.number).order_by(Sdg.number))]
    body = render_template("search/sitemap.xml", pages=pages, items=items)
    return Response(body, mimetype="application/xml")


def listing(**values) -> CatalogueFilters:
    """Filters for a page that lists public items of one programme or SDG, newest first."""
    return CatalogueFilters(sort="newest", page=page_number(request.args), per_page=10, **values)
