"""OAI-PMH at /oai: every verb, oai_dc, sets, from/until, resumption tokens, deleted records, every error."""

from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from portal.catalogue import workflow
from portal.catalogue.visibility import inactive_from
from portal.extensions import db
from portal.models import Item, utcnow

pytestmark = pytest.mark.search_backends()

NS = {"oai": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/",
      "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/"}


def oai(client, query: str = "", method: str = "get") -> ElementTree.Element:
    response = client.post("/oai", data=query, content_type="application/x-www-form-urlencoded") \
        if method == "post" else client.get(f"/oai?{query}")
    assert response.status_code == 200 and response.mimetype == "text/xml"
    return ElementTree.fromstring(response.data)


def error(root) -> str | None:
    found = root.find("oai:error", NS)
    return found.get("code") if found is not None else None


def identifier(item) -> str:
    return f"oai:portal.test:item/{item.id}"


def headers(root) -> dict[str, ElementTree.Element]:
    return {header.findtext("oai:identifier", namespaces=NS): header for header in root.iter(f"{{{NS['oai']}}}header")}


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_identify_describes_the_repository(client, make_item):
    make_item()
    root = oai(client, "verb=Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == "http://portal.test/oai"
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "transient"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS).endswith("Z")
    assert root.find("oai:request", NS).get("verb") == "Identify"


def test_metadata_formats_and_sets(client, make_item):
    item = make_item()
    formats = oai(client, "verb=ListMetadataFormats")
    assert [e.text for e in formats.iter(f"{{{NS['oai']}}}metadataPrefix")] == ["oai_dc"]
    assert error(oai(client, f"verb=ListMetadataFormats&identifier={identifier(item)}")) is None
    assert error(oai(client, "verb=ListMetadataFormats&identifier=oai:portal.test:item/999")) == "idDoesNotExist"
    specs = [e.text for e in oai(client, "verb=ListSets").iter(f"{{{NS['oai']}}}setSpec")]
    assert specs == ["programme:spp", "programme:ci", "programme:st", "programme:sle", "programme:sbc",
                     "programme:sfs", "kind:initiative", "kind:resource"]


def test_a_public_item_in_oai_dc(client, make_item):
    item = make_item("resource", title="Guide <to> green & fair tenders", programmes=("spp", "ci"), sdgs=(8,),
                     countries=("KE", "FR"), resource_type="dataset", publication_year=2024, language="fr",
                     summary="How to write tender criteria.")
    item.themes = ["circular_economy"]
    db.session.commit()
    record = oai(client, f"verb=GetRecord&metadataPrefix=oai_dc&identifier={identifier(item)}").find(
        "oai:GetRecord/oai:record", NS)
    header = record.find("oai:header", NS)
    assert header.get("status") is None
    assert [e.text for e in header.findall("oai:setSpec", NS)] == ["programme:spp", "programme:ci", "kind:resource"]
    dc = record.find("oai:metadata/oai_dc:dc", NS)

    def values(tag):
        return [e.text for e in dc.findall(f"dc:{tag}", NS)]

    assert values("title") == ["Guide <to> green & fair tenders"]
    assert values("creator") == [item.organisation.name]
    assert values("subject") == ["SDG 8 – Decent work and economic growth",
                                 "SDG 12 – Responsible consumption and production", "Circular economy"]
    assert values("description")[0] == "How to write tender criteria."
    assert values("type") == ["Dataset"] and values("date") == ["2024"] and values("language") == ["fr"]
    assert values("identifier") == [f"http://portal.test/items/{item.id}"]
    assert values("coverage") == ["France", "Kenya"]


def test_lists_hold_public_items_and_report_those_that_left_as_deleted(client, make_item, make_user):
    public = make_item(title="Public")
    make_item(state="draft", title="Draft")
    make_item(updated_days_ago=1000, title="Never public: inactive from the start")
    hidden = make_item(title="Hidden later")
    withdrawn = make_item(title="Withdrawn later")
    moderator = make_user("moderator", programmes=("spp",))
    workflow.hide(hidden, moderator, "Broken link")
    withdrawn.state = "withdrawn"
    db.session.commit()
    root = oai(client, "verb=ListRecords&metadataPrefix=oai_dc")
    found = headers(root)
    assert set(found) == {identifier(public), identifier(hidden), identifier(withdrawn)}
    assert found[identifier(public)].get("status") is None
    for gone in (hidden, withdrawn):
        assert found[identifier(gone)].get("status") == "deleted"
    records = {r.findtext("oai:header/oai:identifier", namespaces=NS): r for r in root.iter(f"{{{NS['oai']}}}record")}
    assert records[identifier(hidden)].find("oai:metadata", NS) is None  # never its content
    assert "Hidden later" not in ElementTree.tostring(root, encoding="unicode")
    get = oai(client, f"verb=GetRecord&metadataPrefix=oai_dc&identifier={identifier(hidden)}")
    assert get.find("oai:GetRecord/oai:record/oai:header", NS).get("status") == "deleted"
    draft_id = db.session.scalar(db.select(Item.id).where(Item.title == "Draft"))
    assert error(oai(client, f"verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:portal.test:item/{draft_id}")) \
        == "idDoesNotExist"


def test_an_item_that_ages_out_is_deleted_on_the_day_the_rule_gives(app, client, make_item):
    item = make_item(updated_days_ago=5)
    assert item.ever_public
    long_ago = utcnow() - timedelta(days=app.config["INACTIVE_AFTER_DAYS"] + 10)
    db.session.execute(update(Item).where(Item.id == item.id).values(updated_at=long_ago, changed_at=long_ago))
    db.session.commit()
    left = inactive_from(db.session.get(Item, item.id))
    header = headers(oai(client, "verb=ListIdentifiers&metadataPrefix=oai_dc"))[identifier(item)]
    assert header.get("status") == "deleted" and header.findtext("oai:datestamp", namespaces=NS) == stamp(left)
    day = left.date().isoformat()
    assert identifier(item) in headers(oai(client, f"verb=ListIdentifiers&metadataPrefix=oai_dc&from={day}"))
    assert identifier(item) in headers(oai(client, f"verb=ListIdentifiers&metadataPrefix=oai_dc&until={day}"))
    before = (left - timedelta(seconds=1))
    assert error(oai(client, f"verb=ListIdentifiers&metadataPrefix=oai_dc&until={stamp(before)}")) == "noRecordsMatch"
    after = (left + timedelta(days=1)).date().isoformat()
    assert error(oai(client, f"verb=ListIdentifiers&metadataPrefix=oai_dc&from={after}")) == "noRecordsMatch"


def test_from_and_until_select_on_the_datestamp_in_both_granularities(client, make_item):
    old, new = make_item(title="Old"), make_item(title="New")
    moments = {old.id: datetime(2025, 3, 1, 10, 0, 0), new.id: datetime(2025, 3, 2, 23, 59, 59)}
    for item_id, moment in moments.items():
        db.session.execute(update(Item).where(Item.id == item_id).values(changed_at=moment))
    db.session.commit()

    def listed(arguments):
        root = oai(client, f"verb=ListIdentifiers&metadataPrefix=oai_dc&{arguments}")
        return {header.findtext("oai:datestamp", namespaces=NS) for header in headers(root).values()}

    assert listed("from=2025-03-02") == {"2025-03-02T23:59:59Z"}
    assert listed("until=2025-03-01") == {"2025-03-01T10:00:00Z"}
    assert listed("from=2025-03-01&until=2025-03-02") == {"2025-03-01T10:00:00Z", "2025-03-02T23:59:59Z"}
    assert listed("until=2025-03-02T23:59:59Z") == {"2025-03-01T10:00:00Z", "2025-03-02T23:59:59Z"}
    assert listed("from=2025-03-01T10:00:01Z") == {"2025-03-02T23:59:59Z"}


def test_sets_select_by_programme_and_kind(client, make_item):
    spp = make_item(programmes=("spp",))
    both = make_item("resource", programmes=("st", "spp"))
    tourism = make_item(programmes=("st",))
    assert set(headers(oai(client, "verb=ListIdentifiers&metadataPrefix=oai_dc&set=programme:spp"))) == {
        identifier(spp), identifier(both)}
    assert set(headers(oai(client, "verb=ListIdentifiers&metadataPrefix=oai_dc&set=kind:initiative"))) == {
        identifier(spp), identifier(tourism)}
    assert error(oai(client, "verb=ListIdentifiers&metadataPrefix=oai_dc&set=programme:nope")) == "noRecordsMatch"


def test_resumption_tokens_page_by_100_and_end_with_an_empty_token(client, make_organisation, make_item):
    organisation = make_organisation()
    for _ in range(205):
        make_item(organisation=organisation)
    seen, token, pages = [], None, 0
    while True:
        query = f"verb=ListRecords&resumptionToken={token}" if token else "verb=ListRecords&metadataPrefix=oai_dc"
        listing = oai(client, query).find("oai:ListRecords", NS)
        records = listing.findall("oai:record", NS)
        assert len(records) <= 100
        seen += [r.findtext("oai:header/oai:identifier", namespaces=NS) for r in records]
        pages += 1
        element = listing.find("oai:resumptionToken", NS)
        assert element.get("completeListSize") == "205" and element.get("cursor") == str((pages - 1) * 100)
        token = element.text
        if not token:
            assert element.get("expirationDate") is None
            break
        assert element.get("expirationDate").endswith("Z")
    assert pages == 3 and len(seen) == len(set(seen)) == 205


def test_bad_resumption_tokens(app, client, make_item):
    for _ in range(101):
        make_item()
    token = oai(client, "verb=ListIdentifiers&metadataPrefix=oai_dc").find(
        "oai:ListIdentifiers/oai:resumptionToken", NS).text
    assert error(oai(client, f"verb=ListIdentifiers&resumptionToken={token}")) is None
    assert error(oai(client, f"verb=ListRecords&resumptionToken={token}")) == "badResumptionToken"
    assert error(oai(client, "verb=ListRecords&resumptionToken=forged")) == "badResumptionToken"
    assert error(oai(client, f"verb=ListRecords&resumptionToken={token[:-3]}abc")) == "badResumptionToken"
    assert error(oai(client, "verb=ListSets&resumptionToken=x")) == "badResumptionToken"
    app.config["OAI_TOKEN_HOURS"] = -1
    assert error(oai(client, f"verb=ListIdentifiers&resumptionToken={token}")) == "badResumptionToken"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "badVerb"),
        ("verb=Explode", "badVerb"),
        ("verb=Identify&verb=Identify", "badVerb"),
        ("verb=Identify&extra=1", "badArgument"),
        ("verb=ListRecords", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=x", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=yesterday", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2025-02-30", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2025-01-01&until=2025-01-01T00:00:00Z", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2025-02-01&until=2025-01-01", "badArgument"),
        ("verb=GetRecord&identifier=x", "badArgument"),
        ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
        ("verb=GetRecord&metadataPrefix=marc21&identifier=oai:portal.test:item/1", "cannotDisseminateFormat"),
        ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:elsewhere:item/1", "idDoesNotExist"),
        ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:portal.test:item/9" + "9" * 30, "idDoesNotExist"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2999-01-01", "noRecordsMatch"),
    ],
)
def test_protocol_errors(client, make_item, query, code):
    make_item()
    root = oai(client, query)
    assert error(root) == code
    if code in ("badVerb", "badArgument"):
        assert root.find("oai:request", NS).attrib == {}


def test_post_works_like_get_without_a_csrf_token(client, make_item):
    item = make_item()
    root = oai(client, "verb=ListIdentifiers&metadataPrefix=oai_dc", method="post")
    assert identifier(item) in headers(root)


def test_the_datestamp_of_an_imported_or_edited_item_is_when_it_changed_here(client, make_item):
    item = make_item(updated_days_ago=300)  # its own date says 300 days ago; it reached the catalogue now
    header = headers(oai(client, "verb=ListIdentifiers&metadataPrefix=oai_dc"))[identifier(item)]
    assert header.findtext("oai:datestamp", namespaces=NS) >= stamp(utcnow() - timedelta(minutes=1))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["verb", "metadataPrefix", "from", "until", "set", "identifier",
                                        "resumptionToken", "x"]),
                       st.one_of(st.sampled_from(["ListRecords", "GetRecord", "oai_dc", "2025-01-01"]),
                                 st.text(max_size=30)), max_size=5))
def test_garbage_arguments_get_protocol_answers_never_a_500(client, arguments):
    response = client.get("/oai", query_string=arguments)
    assert response.status_code == 200
    ElementTree.fromstring(response.data)
