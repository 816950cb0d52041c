"""For machines: CORS on /api/, the fuller ITEM, the OpenAPI's 429 and licence, robots.txt,
datapackage.json and the item pages' JSON-LD."""

import csv
import io
import json

import pytest

from portal.extensions import db

pytestmark = pytest.mark.search_backends()

ORIGIN = {"Origin": "https://elsewhere.example"}


@pytest.mark.parametrize("path", ["/api/v1/items", "/api/v1/items?sdg=99", "/api/v1/items/999999",
                                  "/api/openapi.json", "/api/nowhere"])
def test_every_api_answer_may_be_read_by_any_origin(client, path):
    response = client.get(path, headers=ORIGIN)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]


def test_a_preflight_is_answered_for_reading_only(client):
    response = client.options("/api/v1/items", headers={**ORIGIN, "Access-Control-Request-Method": "GET",
                                                        "Access-Control-Request-Headers": "Accept-Language"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "Accept-Language"
    assert client.post("/api/v1/items", headers=ORIGIN).status_code == 405
    assert "Access-Control-Allow-Origin" not in client.get("/search", headers=ORIGIN).headers


def test_a_429_carries_cors_too(make_app):
    # Flask-Limiter keeps the first app's default limit for the whole process: ask until refused.
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="3 per minute").test_client()
    responses = [client.get("/api/v1/items", headers=ORIGIN) for _ in range(10)]
    refused = next(response for response in responses if response.status_code == 429)
    assert refused.headers["Access-Control-Allow-Origin"] == "*" and refused.get_json()["error"]["status"] == 429


def test_the_item_has_description_website_and_link(client, make_item, tmp_path):
    initiative = make_item(description="## Goals", website_url="https://example.org/x", language="es",
                           activity_category="research")
    initiative.themes = ["water"]
    linked = make_item("resource", link_url="https://example.org/report.pdf", resource_type="tool")
    with_file = make_item("resource", link_url=None, file_name="abc.pdf", file_original_name="report.pdf")
    db.session.commit()
    listed = {item["id"]: item for item in client.get("/api/v1/items").get_json()["items"]}
    one = client.get(f"/api/v1/items/{initiative.id}").get_json()
    for data in (listed[initiative.id], one):
        assert data["description"] == "## Goals" and data["website"] == "https://example.org/x"
        assert data["link"] is None and data["language"] == "es" and data["themes"] == ["water"]
        assert data["category"] == "research" and data["resource_type"] is None
    assert listed[linked.id]["link"] == "https://example.org/report.pdf"
    assert listed[linked.id]["resource_type"] == "tool" and listed[linked.id]["website"] is None
    assert listed[with_file.id]["link"] == f"http://portal.test/items/{with_file.id}/file"


def test_the_openapi_document_names_its_licence_the_429_and_the_new_fields(client):
    document = client.get("/api/openapi.json").get_json()
    assert document["info"]["license"] == {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
    for path in ("/api/v1/items", "/api/v1/items/{id}"):
        answer = document["paths"][path]["get"]["responses"]["429"]
        assert "Retry-After" in answer["headers"]
    item = document["components"]["schemas"]["Item"]
    assert {"description", "website", "link", "language", "themes", "category", "resource_type"} <= set(
        item["required"])


def test_robots_names_the_sitemap_and_keeps_crawlers_out_of_private_areas(client):
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    lines = response.text.splitlines()
    assert "Sitemap: http://portal.test/sitemap.xml" in lines and "Allow: /" in lines
    assert {"Disallow: /my/", "Disallow: /desk/", "Disallow: /admin/"} <= set(lines)
    assert "Disallow: /" not in lines


def test_the_datapackage_describes_the_csv_export_as_it_is(client, make_item):
    make_item()
    package = client.get("/datapackage.json").get_json()
    resource = package["resources"][0]
    assert package["profile"] == "tabular-data-package" and package["licenses"][0]["name"] == "CC BY 4.0"
    assert resource["path"] == "http://portal.test/search.csv" and resource["schema"]["primaryKey"] == "id"
    header = next(csv.reader(io.StringIO(client.get("/search.csv").data.decode("utf-8-sig"))))  # Excel's BOM
    assert [field["name"] for field in resource["schema"]["fields"]] == header


def json_ld(page: str) -> dict:
    return json.loads(page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])


def test_item_pages_carry_sdg_iris_spatial_coverage_and_dataset_type(client, make_item):
    dataset = make_item("resource", resource_type="dataset", sdgs=(6,), countries=("KE", "TZ"),
                        link_url="https://example.org/data.csv")
    data = json_ld(client.get(f"/items/{dataset.id}").text)
    assert data["@type"] == "Dataset" and data["creator"]["name"] == dataset.organisation.name
    assert [thing["@id"] for thing in data["about"]] == ["http://metadata.un.org/sdg/6",
                                                          "http://metadata.un.org/sdg/12"]
    assert [place["identifier"] for place in data["spatialCoverage"]] == ["KE", "TZ"]
    assert data["distribution"][0]["contentUrl"] == "https://example.org/data.csv"
    initiative = make_item(countries=(), is_global=True)
    data = json_ld(client.get(f"/items/{initiative.id}").text)
    assert data["@type"] == "Project" and data["spatialCoverage"] == [{"@type": "Place", "name": "Global"}]
