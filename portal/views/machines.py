"""For machines: /robots.txt (crawlers), /datapackage.json (the CSV export as a Frictionless tabular data
package) and the schema.org JSON-LD of item pages (search engines, dataset search)."""

from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from portal import vocab
from portal.links import absolute_url
from portal.models import Item
from portal.views.dcat import SDG
from portal.views.languages import in_english
from portal.views.search import CSV_HEADER

bp = Blueprint("machines", __name__)

# Areas with nothing for the public; everything else may be crawled (it applies the visibility rule).
PRIVATE_AREAS = ("/my/", "/desk/", "/admin/")

# /search.csv's columns as Table Schema fields (lists are space-separated, as the export writes them).
CSV_FIELDS = {
    "id": {"type": "integer", "description": "The item's number; its page is /items/<id>"},
    "kind": {"type": "string", "description": "initiative or resource"},
    "title": {"type": "string", "description": "Title"},
    "summary": {"type": "string", "description": "Plain-text summary"},
    "organisation": {"type": "string", "description": "The lead organisation"},
    "programmes": {"type": "string", "description": "Programme slugs, the lead first, separated by spaces"},
    "portfolio": {"type": "string", "description": "slug:status per programme (core, affiliated, none)"},
    "sdgs": {"type": "string", "description": "SDG numbers separated by spaces (12 is every item's)"},
    "countries": {"type": "string", "description": "ISO 3166 alpha-2 codes or global, separated by spaces"},
    "themes": {"type": "string", "description": "Theme values separated by spaces"},
    "updated_at": {"type": "datetime", "format": "%Y-%m-%dT%H:%M:%S",
                   "description": "Last update by the organisation (UTC)"},
    "url": {"type": "string", "format": "uri", "description": "The item's page"},
}


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", *(f"Disallow: {area}" for area in PRIVATE_AREAS), "Allow: /", "",
             f"Sitemap: {absolute_url('search.sitemap')}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.get("/datapackage.json")
@in_english
def datapackage():
    name, path = current_app.config["DATA_LICENSE"]
    fields = [{"name": column, **CSV_FIELDS[column]} for column in CSV_HEADER]
    return jsonify({
        "profile": "tabular-data-package",
        "name": "one-planet-catalogue",
        "title": current_app.config["SITE_NAME"],
        "homepage": absolute_url("public.home"),
        "licenses": [{"name": name, "path": path, "title": name}],
        "resources": [{
            "name": "catalogue-search",
            "title": "Public items matching a search (the same parameters as /search; at most 10 000 rows)",
            "path": absolute_url("search.export_csv"),
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {"fields": fields, "primaryKey": "id"},
        }],
    })


def _iso(moment) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


def item_json_ld(item: Item) -> dict[str, Any]:
    """schema.org metadata of a public item (rendered with ``tojson``, safe inside <script>).

    A dataset resource is a ``Dataset`` (Google's dataset search reads it), other resources a
    ``CreativeWork``, initiatives a ``Project``; SDGs are ``about`` the UN's SDG IRIs.
    """
    url = absolute_url("public.item", item_id=item.id)
    types = {"initiative": "Project", "resource": "Dataset" if item.resource_type == "dataset" else "CreativeWork"}
    organisation = {"@type": "Organization", "name": item.organisation.name}
    places = [{"@type": "Country", "name": vocab.country_name(code), "identifier": code}
              for code in sorted(item.countries)]
    data = {
        "@context": "https://schema.org",
        "@type": types[item.kind],
        "@id": url,
        "url": url,
        "name": item.title,
        "description": item.summary,
        "dateModified": _iso(item.updated_at),
        "inLanguage": item.language,
        "keywords": [programme.name for programme in item.programmes] + [sdg.label for sdg in item.sdgs]
        + [vocab.label(vocab.THEMES, theme) for theme in item.themes],
        "about": [{"@type": "Thing", "@id": f"{SDG}{sdg.number}", "name": sdg.label} for sdg in item.sdgs],
        "spatialCoverage": ([{"@type": "Place", "name": "Global"}] if item.is_global else []) + places,
        "publisher" if item.kind == "resource" else "member": organisation,
    }
    if item.published_at:
        data["datePublished"] = _iso(item.published_at)
    if item.kind == "resource":
        if item.authors:
            data["author"] = item.authors
        if item.link_url:
            data["sameAs"] = item.link_url
        if item.resource_type == "dataset":
            data["creator"] = organisation
            if item.link_url:
                data["distribution"] = [{"@type": "DataDownload", "contentUrl": item.link_url}]
    return data
