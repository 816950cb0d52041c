"""Importing items from CSV and JSON with ``flask import items``: the form's rules, re-runs, dates, reports."""

import csv
import io
import json
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from portal.catalogue import matching
from portal.catalogue.importing.items import COLUMNS
from portal.catalogue.reporting import data_version
from portal.extensions import db
from portal.models import AuditEvent, Item, Organisation, utcnow

pytestmark = pytest.mark.search_backends()

NOW = utcnow().replace(microsecond=0)


def record(**values) -> dict:
    """A valid row: an initiative updated a month ago; ``values`` change or add columns."""
    row = {
        "source_id": "old-1",
        "kind": "initiative",
        "title": "Green canteens",
        "summary": "Schools buy local food.",
        "description": "Less **waste**.",
        "organisation": "Kenya Food Systems Network",
        "organisation_country": "KE",
        "programmes": "sfs;spp",
        "sdgs": "2;13",
        "countries": "KE;UG",
        "themes": "food_loss_and_waste",
        "category": "implementation",
        "status": "ongoing",
        "start_date": "2023-01-15",
        "website": "https://example.org/canteens",
        "language": "fr",
        "state": "published",
        "portfolio": "sfs:core",
        "created_at": (NOW - timedelta(days=400)).isoformat() + "Z",
        "updated_at": (NOW - timedelta(days=30)).isoformat() + "Z",
    }
    row.update(values)
    return row


def resource(**values) -> dict:
    return record(**{"source_id": "old-2", "kind": "resource", "title": "Guide to green tenders", "category": "",
                     "status": "", "resource_type": "publication", "publication_year": "2024",
                     "authors": "A. Author", "link": "https://example.org/guide.pdf", "portfolio": "",
                     **values})


def write_csv(path, rows: list[dict], columns=COLUMNS) -> str:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


@pytest.fixture
def run(runner, tmp_path):
    """Run ``flask import items`` on rows (written as CSV) or on a file path; returns the click result."""

    def run(rows_or_path, *options):
        path = rows_or_path if isinstance(rows_or_path, str) else write_csv(tmp_path / "records.csv", rows_or_path)
        result = runner.invoke(args=["import", "items", path, *options])
        db.session.rollback()
        return result

    return run


class Elements(HTMLParser):
    """Every element of a page with its attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def items() -> list[Item]:
    return list(db.session.scalars(db.select(Item).order_by(Item.id)))


def test_a_file_imports_with_the_forms_fields_and_its_own_dates(run, client):
    result = run([record(), resource()])
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 unchanged, 0 failed; 1 new organisation." in result.output
    initiative, guide = items()
    assert (initiative.source_id, initiative.state, initiative.language) == ("old-1", "published", "fr")
    assert [p.slug for p in initiative.programmes] == ["sfs", "spp"] and initiative.sdg_numbers == [2, 12, 13]
    assert sorted(initiative.countries) == ["KE", "UG"] and list(initiative.themes) == ["food_loss_and_waste"]
    assert initiative.created_at == NOW - timedelta(days=400) and initiative.updated_at == NOW - timedelta(days=30)
    assert initiative.portfolio_status(initiative.programmes[0]) == "core"
    assert initiative.organisation.name == "Kenya Food Systems Network" and initiative.organisation.country == "KE"
    assert (guide.kind, guide.resource_type, guide.link_url) == ("resource", "publication", "https://example.org/guide.pdf")
    # In search, the API and the item page at once, with the dates of the file.
    found = client.get("/api/v1/items?q=canteens").get_json()["items"]
    assert [item["id"] for item in found] == [initiative.id]
    assert found[0]["updated_at"] == (NOW - timedelta(days=30)).isoformat() + "Z"
    assert "Green canteens" in client.get(f"/items/{initiative.id}").text


def test_dry_run_reports_the_same_and_writes_nothing(run):
    result = run([record(), resource(), record(source_id="old-3", sdgs="1;2;3;4;5;6")], "--dry-run")
    assert result.exit_code == 1
    assert "Dry run, nothing written: 2 created, 0 updated, 0 unchanged, 1 failed" in result.output
    assert "line 4: sdgs: Choose at most 5 SDGs besides SDG 12: you chose 6." in result.output
    assert items() == [] and db.session.scalar(db.select(db.func.count(Organisation.id))) == 0
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == 0


def test_a_second_run_updates_by_source_id_and_never_duplicates(run):
    assert run([record(), resource()]).exit_code == 0
    first = items()
    stamps = [item.changed_at for item in first]
    again = run([record(), resource()])
    assert "0 created, 0 updated, 2 unchanged, 0 failed" in again.output
    assert [item.changed_at for item in items()] == stamps  # harvesters see nothing new
    changed = run([record(title="Green canteens for all", updated_at=NOW.isoformat()), resource()])
    assert "0 created, 1 updated, 1 unchanged, 0 failed" in changed.output
    assert [item.id for item in items()] == [item.id for item in first]
    assert items()[0].title == "Green canteens for all" and items()[0].updated_at == NOW
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "item.imported")
                               .order_by(AuditEvent.id.desc())).first()
    assert {"title", "updated_at"} <= set(event.details["fields"])


def test_an_old_record_arrives_inactive_and_reporting_counts_it_in_its_year(run, client):
    old = NOW - timedelta(days=1000)
    result = run([record(created_at=(old - timedelta(days=10)).isoformat(), updated_at=old.isoformat())])
    assert result.exit_code == 0, result.output
    item = items()[0]
    assert client.get("/api/v1/items").get_json()["total"] == 0
    assert client.get(f"/items/{item.id}").status_code == 404
    history = {event.action: event.created_at for event in
               db.session.scalars(db.select(AuditEvent).where(AuditEvent.item_id == item.id))}
    assert history["item.submitted"] == old - timedelta(days=10) and history["item.edited"] == old
    assert history["item.approved"] == old - timedelta(days=10) and history["item.imported"] >= NOW
    assert not item.ever_public  # harvesters never hear of it


def test_the_import_is_in_the_audit_log_with_its_file_and_counts(run, tmp_path):
    path = write_csv(tmp_path / "export-2025.csv", [record(), record(source_id="old-9", kind="poem")])
    assert run(path).exit_code == 1
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "import.items"))
    assert event.details["file"].endswith("export-2025.csv") and event.details["origin"] == "command line"
    assert (event.details["created"], event.details["failed"]) == (1, 1)


@pytest.mark.parametrize(
    ("values", "column", "words"),
    [
        ({"sdgs": "1;2;3;4;5;6;7"}, "sdgs", "at most 5 SDGs"),
        ({"sdgs": "18"}, "sdgs", "unknown: 18"),
        ({"sdgs": "two"}, "sdgs", "not a number"),
        ({"programmes": "spp;tourism"}, "programmes", "unknown: tourism"),
        ({"programmes": ""}, "programmes", "lead programme"),
        ({"countries": "KE;XX"}, "countries", "unknown: XX"),
        ({"themes": "astrology"}, "themes", "unknown: astrology"),
        ({"category": "fun"}, "category", "activity category"),
        ({"kind": "poem"}, "kind", "initiative or resource"),
        ({"state": "rejected"}, "state", "published, submitted or draft"),
        ({"title": ""}, "title", "title"),
        ({"summary": "x" * 501}, "summary", "at most 500"),
        ({"website": "=HYPERLINK(\"http://evil.example\")"}, "website", "web address"),
        ({"website": "javascript:alert(1)"}, "website", "web address"),
        ({"language": "xx"}, "language", "language"),
        ({"start_date": "15/01/2023"}, "start_date", "YYYY-MM-DD"),
        ({"start_date": "2024-01-01", "end_date": "2023-01-01"}, "end_date", "before the start date"),
        ({"created_at": "yesterday"}, "created_at", "ISO 8601"),
        ({"updated_at": (NOW + timedelta(days=3)).isoformat()}, "updated_at", "in the future"),
        ({"created_at": NOW.isoformat(), "updated_at": (NOW - timedelta(days=1)).isoformat()}, "updated_at",
         "before it was created"),
        ({"portfolio": "spp:gold"}, "portfolio", "core, affiliated, none"),
        ({"portfolio": "st:core"}, "portfolio", "not one of the item's programmes"),
        ({"portfolio": "sfs:core", "state": "draft"}, "portfolio", "Only a published item"),
        ({"source_id": ""}, "source_id", "record's id"),
        ({"organisation": ""}, "organisation", "organisation"),
        ({"organisation_country": "Kenya"}, "organisation_country", "alpha-2"),
    ],
)
def test_a_bad_row_is_reported_with_line_column_and_reason_and_skipped(run, values, column, words):
    result = run([resource(), record(**values)])
    assert result.exit_code == 1
    assert "1 created, 0 updated, 0 unchanged, 1 failed" in result.output
    line = next(text for text in result.output.splitlines() if ": line 3:" in text)
    assert f": line 3: {column}: " in line and words in line, result.output
    assert [item.source_id for item in items()] == ["old-2"]


def test_a_resource_needs_a_link_and_a_publication_year_in_range(run):
    result = run([resource(link=""), resource(source_id="old-3", publication_year="1492")])
    assert result.exit_code == 1 and "0 created" in result.output
    assert "line 2: link: A resource needs a file or a link" in result.output
    assert "line 3: publication_year: Give a year between 1900" in result.output


def test_html_and_formulas_are_kept_as_text_escaped_on_pages_and_defused_in_exports(run, client):
    html = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    row = record(title=f"=HYPERLINK(\"http://evil.example\",\"Click\") {html}", summary=f"+SUM(A1) {html}",
                 description=f"<b>bold</b> {html}\n\n[link](javascript:alert(1))", organisation=f"@Org {html}",
                 authors=html)
    assert run([row]).exit_code == 0
    item = items()[0]
    assert item.title.startswith("=HYPERLINK(") and "<script>" in item.title  # stored as given: text
    page = client.get(f"/items/{item.id}").text
    elements = Elements()
    elements.feed(page)
    assert [attrs.get("type") for tag, attrs in elements.found if tag == "script"] == ["application/ld+json"]
    assert not any(attrs.get("src") == "x" or "onerror" in attrs for tag, attrs in elements.found)
    assert not any((attrs.get("href") or "").startswith("javascript:") for tag, attrs in elements.found)
    assert "&lt;script&gt;" in page
    exported = list(csv.reader(io.StringIO(client.get("/search.csv").text)))
    assert exported[1][2].startswith("'=HYPERLINK(") and exported[1][3].startswith("'+SUM(")
    assert exported[1][4].startswith("'@Org")


def test_unknown_organisations_are_created_or_refused_on_request(run, make_organisation):
    make_organisation("Green Procurement Alliance")
    rows = [resource(organisation="green procurement   alliance"), record()]
    result = run(rows, "--no-create-organisations")
    assert result.exit_code == 1 and "1 created" in result.output
    assert "line 3: organisation: No organisation is called “Kenya Food Systems Network”" in result.output
    assert items()[0].organisation.name == "Green Procurement Alliance"
    assert run(rows).exit_code == 0 and len(items()) == 2


def test_a_repeated_source_id_and_a_changed_kind_are_refused(run):
    result = run([record(), record(title="Other")])
    assert "line 3: source_id: The same source_id is already on line 2." in result.output
    again = run([resource(source_id="old-1")])
    assert "line 2: kind: This record was imported as a initiative; its kind cannot change." in again.output
    assert [item.kind for item in items()] == ["initiative"]


def test_line_numbers_count_the_header_as_line_1_and_rows_from_where_they_start(run, tmp_path):
    rows = [record(description="## Goals\n\nLine one\nline two\nline three"), record(source_id="old-5", kind="")]
    result = run(rows)
    assert ": line 7: kind: " in result.output  # the first record takes lines 2 to 6


def test_json_lists_and_strings_both_work(run, tmp_path):
    data = [{**resource(), "sdgs": [2, 13], "countries": ["KE", "global"], "programmes": "spp;ci"},
            {**record(), "sdgs": "two"}]
    path = tmp_path / "records.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run(str(path))
    assert result.exit_code == 1 and "record 2: sdgs: “two” is not a number." in result.output
    guide = items()[0]
    assert guide.sdg_numbers == [2, 12, 13] and guide.is_global and list(guide.countries) == ["KE"]
    assert [p.slug for p in guide.programmes] == ["spp", "ci"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("source_id,kind\nold-1,initiative\n".encode("utf-16"), "not UTF-8"),
        ("source_id,title,kind,summary,organisation,programmes\n1,Caf\xe9,initiative,s,o,spp\n".encode("latin-1"),
         "not UTF-8 text (line 2"),
        (b"", "empty"),
        (b"old-1,initiative,Green canteens\n", "header"),
        (b"source_id,kind,title,summary,organisation,programmes,colour\n1,initiative,t,s,o,spp,blue\n",
         "Unknown columns: colour"),
        (b"source_id,kind,title,summary,organisation\n1,initiative,t,s,o\n", "needs the columns: programmes"),
        (b"source_id,kind,kind,title,summary,organisation,programmes\n", "twice: kind"),
        (b"source_id,kind,title,summary,organisation,programmes\n", "no rows"),
        (b'source_id,kind,title,summary,organisation,programmes\n1,"initiative\n', "cannot be read at line"),
        (b'{"source_id": "1"}', "list of records"),
        (b'[{"source_id": "1"}, 3]', "Record 2"),
        (b'[{"source_id": "1",', "JSON cannot be read"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(run, tmp_path, content, words):
    path = tmp_path / ("records.json" if content.startswith((b"[", b"{")) else "records.csv")
    path.write_bytes(content)
    result = run(str(path))
    assert result.exit_code == 1 and words in result.output and "Nothing was imported." in result.output
    assert items() == []


def test_the_shipped_sample_documents_every_column_and_imports(run):
    with open("docs/import-sample.csv", encoding="utf-8") as file:
        assert csv.DictReader(file).fieldnames == list(COLUMNS)
    result = run("docs/import-sample.csv", "--dry-run")
    assert result.exit_code == 0 and "0 failed" in result.output, result.output


def test_an_excel_csv_with_a_byte_order_mark_and_crlf_line_ends_imports(run, tmp_path):
    path = tmp_path / "excel.csv"
    write_csv(path, [record(), record(source_id="old-2", kind="")])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    result = run(str(path))
    assert "1 created" in result.output and ": line 3: kind: " in result.output
    assert items()[0].source_id == "old-1"


def test_a_re_import_keeps_what_only_the_form_sets_and_match_making_sees_the_change(run):
    assert run([record()]).exit_code == 0
    (item,) = items()
    # The organisation then ticks "Offer to other countries" and adds what the import has no column for.
    item.is_offer, item.contact = True, "canteens@example.org"
    item.results_on_ground = "120 schools serve local food."
    item.key_figures = [{"value": 120.0, "unit": "schools", "measure": "serving local food"}]
    db.session.commit()
    assert item.id in matching.public_offers()
    version, stamp = data_version(), item.changed_at

    assert "1 unchanged" in run([record()]).output
    assert item.changed_at == stamp  # harvesters see nothing new
    assert data_version() != version  # the import itself is in the audit log
    assert (item.is_offer, item.contact, item.results_on_ground, item.key_figures) == (
        True, "canteens@example.org", "120 schools serve local food.",
        [{"value": 120.0, "unit": "schools", "measure": "serving local food"}])

    version = data_version()
    assert "1 updated" in run([record(state="draft", portfolio="sfs:none", updated_at=NOW.isoformat())]).output
    assert data_version() != version
    assert item.state == "draft" and item.is_offer
    assert item.id not in matching.public_offers()  # the kept list of offers followed the import
