"""A newcomer's whole path, live: import a CSV from the admin page (dry run, then "Import", in chunks),
find the items in search with their own dates, re-import without duplicates, harvest everything with a
real OAI-PMH client (Sickle, walking the resumption tokens) and read the DCAT back with rdflib."""

import csv
import urllib.request
from datetime import timedelta

from playwright.sync_api import expect
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from sickle import Sickle

from portal.catalogue import importing
from portal.catalogue.importing.items import COLUMNS
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import Item, utcnow
from tests.e2e.conftest import log_in

NOW = utcnow().replace(microsecond=0)
RECORDS = 150
BASE = "http://portal.test"  # BASE_URL: the links in OAI-PMH and DCAT come from it, whatever the host asked


def _rows() -> list[dict]:
    rows = []
    for n in range(RECORDS):
        rows.append({
            "source_id": f"e2e-harvest-{n}", "kind": "initiative" if n % 2 else "resource",
            "title": f"Harvestable record {n}", "summary": f"Record {n} of the old platform.",
            "organisation": f"Old platform partner {n % 7}", "organisation_country": "KE",
            "programmes": "sfs;spp" if n % 3 else "st", "sdgs": "2;13", "countries": "KE;UG",
            "themes": "food_loss_and_waste", "category": "research", "status": "ongoing",
            "resource_type": "dataset", "link": f"https://example.org/data/{n}.csv", "language": "en",
            "state": "published", "created_at": (NOW - timedelta(days=400)).isoformat() + "Z",
            "updated_at": (NOW - timedelta(days=20 + n)).isoformat() + "Z",
        })
    rows.append({**rows[0], "source_id": "e2e-harvest-bad", "sdgs": "1;2;3;4;5;6;7"})
    rows.append({**rows[0], "source_id": "e2e-harvest-old", "title": "Old, inactive record",
                 "created_at": (NOW - timedelta(days=1500)).isoformat(),
                 "updated_at": (NOW - timedelta(days=1400)).isoformat()})
    return rows


def test_import_search_reimport_harvest_and_dcat(page, live_app, live_server, live_user, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 40)  # several steps, each its own request
    path = tmp_path / "old-platform.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, COLUMNS)
        writer.writeheader()
        writer.writerows(_rows())

    log_in(page, live_server, *live_user("admin"))
    page.goto(f"{live_server}/admin/import/")
    page.get_by_label("Initiatives and resources").check()
    page.get_by_label("File", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Checked, waiting for “Import”")).to_be_visible(timeout=60_000)  # steps by itself
    expect(page.get_by_text("Nothing has been written yet")).to_be_visible()
    expect(page.get_by_role("row", name="152 sdgs Choose at most 5 SDGs besides SDG 12: you chose 7.")).to_be_visible()
    expect(page.locator(".stats")).to_contain_text("151 new")
    expect(page.locator(".stats")).to_contain_text("1 refused")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported", exact=True)).to_be_visible(timeout=60_000)
    expect(page.locator(".stats")).to_contain_text("151 new")

    page.goto(f"{live_server}/search?q=Harvestable")
    expect(page.get_by_text(f"{RECORDS} results for “Harvestable”")).to_be_visible()
    page.goto(f"{live_server}/search?q=%22Old%2C%20inactive%20record%22")
    expect(page.get_by_role("heading", name="Nothing found")).to_be_visible()  # imported, but inactive

    again = live_app.test_cli_runner().invoke(args=["import", "items", str(path)])
    assert "0 created, 0 updated, 151 unchanged, 1 failed" in again.output
    with live_app.app_context():
        imported = {item.source_id: item.id for item in db.session.scalars(
            db.select(Item).where(Item.source_id.like("e2e-harvest-%")))}
        public = set(db.session.scalars(db.select(Item.id).where(public_clause())))
        first = db.session.get(Item, imported["e2e-harvest-0"])
        assert first.updated_at == NOW - timedelta(days=20) and first.created_at == NOW - timedelta(days=400)
    assert len(imported) == RECORDS + 1  # never duplicated; the bad row never written
    page.goto(f"{live_server}/items/{imported['e2e-harvest-0']}")
    expect(page.locator("dl.facts")).to_contain_text((NOW - timedelta(days=20)).strftime("%d %b %Y"))

    harvester = Sickle(f"{live_server}/oai")
    assert harvester.Identify().repositoryName == "One Planet Catalogue"
    records = list(harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    identifiers = [record.header.identifier for record in records]
    assert len(identifiers) == len(set(identifiers)) and len(records) > 100  # more than one page, none twice
    live = {int(record.header.identifier.rsplit("/", 1)[1]) for record in records if not record.header.deleted}
    assert live == public
    titles = {record.metadata["title"][0] for record in records if not record.header.deleted}
    assert {f"Harvestable record {n}" for n in range(RECORDS)} <= titles
    assert imported["e2e-harvest-old"] not in live
    one = harvester.GetRecord(identifier=f"oai:portal.test:item/{imported['e2e-harvest-1']}", metadataPrefix="oai_dc")
    assert one.metadata["creator"] == ["Old platform partner 1"]
    assert "SDG 13 – Climate action" in one.metadata["subject"]
    spp = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", set="programme:spp"))
    assert {f"oai:portal.test:item/{imported['e2e-harvest-1']}"} <= {header.identifier for header in spp}

    with urllib.request.urlopen(f"{live_server}/catalog.ttl") as response:
        graph = Graph().parse(data=response.read(), format="turtle")
    node = URIRef(f"{BASE}/items/{imported['e2e-harvest-0']}")
    assert (node, DCTERMS.title, Literal("Harvestable record 0", lang="en")) in graph
    assert (node, DCTERMS.subject, URIRef("http://metadata.un.org/sdg/12")) in graph
    assert (URIRef(f"{BASE}/items/{imported['e2e-harvest-old']}"), None, None) not in graph
