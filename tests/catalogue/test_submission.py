"""The submission services: every rule of an item's fields, the audit trail, and who may do what."""

import io
from dataclasses import replace
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest

from portal.catalogue import PermissionDenied, RuleViolation, audit, files, submission, workflow
from portal.catalogue.figures import FigureText, figures_of
from portal.catalogue.item_fields import ItemData, ItemInvalid
from portal.catalogue.submission import Upload
from portal.catalogue.visibility import is_public
from portal.extensions import db
from portal.markdown import render_markdown
from portal.models import AuditEvent, Comment, Item, utcnow
from tests import samples

INITIATIVE = ItemData(
    title="Green canteens for every school",
    summary="Public schools buy local, seasonal food.",
    description="## Goals\n\nLess **waste**.",
    programmes=["sfs", "spp"],
    sdgs=[2, 13],
    countries=["KE", "global"],
    themes=["food_loss_and_waste"],
    website_url="https://example.org/canteens",
    contact="canteens@example.org",
    language="fr",
    activity_category="implementation",
    initiative_status="ongoing",
    start_date=date(2025, 1, 1),
    end_date=date(2027, 12, 31),
)
RESOURCE = ItemData(
    title="Guide to green tenders",
    summary="How to write tender criteria.",
    programmes=["spp"],
    resource_type="publication",
    authors="A. Author",
    publication_year=2025,
    link_url="https://example.org/guide",
)


def upload(data: bytes = b"", name: str = "guide.pdf") -> Upload:
    return Upload(name, io.BytesIO(data or samples.pdf()))


def events(item: Item) -> list[str]:
    return [event.action for event in audit.history(item)]


def invalid(actor, kind: str, data: ItemData, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ItemInvalid) as error:
        submission.create_item(actor, kind, data, **kwargs)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Item.id))) == 0, "nothing is created"
    return error.value.errors


@pytest.fixture
def author(make_user):
    return make_user("partner", programmes=("spp", "sfs"))


# --- Creating ------------------------------------------------------------------------------------


def test_a_partner_creates_a_draft_initiative(author):
    item = submission.create_item(author, "initiative", INITIATIVE)
    db.session.commit()

    assert (item.kind, item.state, item.organisation, item.created_by) == ("initiative", "draft", author.organisation,
                                                                          author)
    assert [p.slug for p in item.programmes] == ["sfs", "spp"]
    assert item.lead_programme.slug == "sfs"
    assert item.sdg_numbers == [2, 12, 13]
    assert item.is_global and item.countries == ["KE"]
    assert (item.start_date, item.end_date, item.language) == (date(2025, 1, 1), date(2027, 12, 31), "fr")
    assert item.resource_type is None and item.link_url is None
    assert events(item) == ["item.created"]


def test_the_lead_programme_is_the_first_given(author):
    item = submission.create_item(author, "initiative", replace(INITIATIVE, programmes=["spp", "ci", "sfs"]))
    db.session.commit()
    db.session.expire_all()
    assert [p.slug for p in db.session.get(Item, item.id).programmes] == ["spp", "ci", "sfs"]


def test_create_and_submit_at_once(author):
    item = submission.create_item(author, "resource", RESOURCE, submit=True)
    db.session.commit()
    assert item.state == "submitted" and item.submitted_at is not None
    assert events(item) == ["item.created", "item.submitted"]


def test_sdg_12_is_always_part_of_an_item(author):
    item = submission.create_item(author, "resource", replace(RESOURCE, sdgs=[]))
    assert item.sdg_numbers == [12]


def test_five_other_sdgs_are_allowed_and_sdg_12_does_not_count(author):
    item = submission.create_item(author, "resource", replace(RESOURCE, sdgs=[1, 2, 3, 4, 5, 12]))
    assert item.sdg_numbers == [1, 2, 3, 4, 5, 12]


def test_six_other_sdgs_are_an_error_naming_the_limit(author):
    errors = invalid(author, "resource", replace(RESOURCE, sdgs=[1, 2, 3, 4, 5, 6]))
    assert errors == {"sdgs": ["Choose at most 5 SDGs besides SDG 12: you chose 6."]}


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": ""}, "title", "title"),
        ({"title": "   "}, "title", "title"),
        ({"title": "x" * 201}, "title", "at most 200"),
        ({"summary": ""}, "summary", "summary"),
        ({"summary": "x" * 501}, "summary", "at most 500"),
        ({"description": "x" * 20_001}, "description", "at most 20,000"),
        ({"programmes": []}, "programmes", "lead programme"),
        ({"programmes": ["spp", "nope"]}, "programmes", "from the list"),
        ({"sdgs": [18]}, "sdgs", "from the list"),
        ({"countries": ["XX"]}, "countries", "XX"),
        ({"themes": ["astrology"]}, "themes", "from the list"),
        ({"language": "xx"}, "language", "language"),
        ({"website_url": "javascript:alert(1)"}, "website_url", "http:// or https://"),
        ({"website_url": "ftp://example.org/file"}, "website_url", "http:// or https://"),
        ({"website_url": "example.org"}, "website_url", "http:// or https://"),
        ({"website_url": "https://"}, "website_url", "http:// or https://"),
        ({"website_url": "https://exa mple.org"}, "website_url", "http:// or https://"),
        ({"website_url": "http://[::1"}, "website_url", "http:// or https://"),
        ({"contact": "x" * 301}, "contact", "at most 300"),
        ({"activity_category": ""}, "activity_category", "category"),
        ({"activity_category": "gardening"}, "activity_category", "category"),
        ({"initiative_status": "paused"}, "initiative_status", "planned, ongoing or completed"),
        ({"start_date": date(2026, 5, 2), "end_date": date(2026, 5, 1)}, "end_date", "before the start date"),
    ],
)
def test_initiative_rules(author, changes, field, words):
    errors = invalid(author, "initiative", replace(INITIATIVE, **changes))
    assert list(errors) == [field]
    assert words in errors[field][0]


def test_an_initiative_may_end_the_day_it_starts(author):
    item = submission.create_item(author, "initiative", replace(INITIATIVE, end_date=INITIATIVE.start_date))
    assert item.end_date == item.start_date


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"resource_type": ""}, "resource_type", "resource type"),
        ({"link_url": ""}, "file", "a file or a link"),
        ({"link_url": "javascript:alert(1)"}, "link_url", "http:// or https://"),
        ({"link_url": "data:text/html,<script>alert(1)</script>"}, "link_url", "http:// or https://"),
        ({"publication_year": 1899}, "publication_year", "between 1900"),
        ({"publication_year": utcnow().year + 2}, "publication_year", "between 1900"),
        ({"authors": "x" * 501}, "authors", "at most 500"),
    ],
)
def test_resource_rules(author, changes, field, words):
    errors = invalid(author, "resource", replace(RESOURCE, **changes))
    assert list(errors) == [field]
    assert words in errors[field][0]


def test_every_broken_rule_is_reported_at_once(author):
    data = replace(INITIATIVE, title="", summary="", programmes=[], sdgs=[1, 2, 3, 4, 5, 6], website_url="ftp://x",
                   end_date=date(2020, 1, 1))
    errors = invalid(author, "initiative", data)
    assert set(errors) == {"title", "summary", "programmes", "sdgs", "website_url", "end_date"}


def test_text_is_trimmed_and_control_characters_dropped(author):
    item = submission.create_item(author, "resource", replace(RESOURCE, title="  Guide\x00 to tenders \x07 ",
                                                               countries=["ke", "KE", "Global"]))
    assert item.title == "Guide to tenders"
    assert item.countries == ["KE"] and item.is_global


def test_a_resource_with_a_file(author):
    item = submission.create_item(author, "resource", replace(RESOURCE, link_url=""), upload=upload())
    db.session.commit()
    assert (item.file_original_name, item.file_mime, item.file_size) == ("guide.pdf", "application/pdf",
                                                                        len(samples.pdf()))
    assert files.path_of(item.file_name).read_bytes() == samples.pdf()


def test_a_disguised_file_is_refused_with_a_message(author):
    errors = invalid(author, "resource", RESOURCE, upload=upload(samples.html(), "report.pdf"))
    assert list(errors) == ["file"]
    assert "not an allowed type" in errors["file"][0]
    assert not files.upload_dir().exists() or not any(files.upload_dir().iterdir())


def test_an_arbitrary_zip_named_docx_is_refused(author):
    errors = invalid(author, "resource", RESOURCE, upload=upload(samples.zip_of([("a.txt", "x")]), "report.docx"))
    assert "not an allowed type" in errors["file"][0]


def test_an_oversized_file_is_refused(app, author):
    app.config["MAX_UPLOAD_MB"] = 1
    errors = invalid(author, "resource", RESOURCE, upload=upload(samples.pdf() + b"0" * 1024 * 1024))
    assert errors == {"file": ["The file is larger than 1 MB. Choose a smaller file, or give a link."]}


def test_a_file_of_a_rolled_back_creation_is_not_kept(author):
    item = submission.create_item(author, "resource", RESOURCE, upload=upload())
    path = files.path_of(item.file_name)
    assert path.exists()
    db.session.rollback()
    assert not path.exists()


def test_an_initiative_ignores_resource_fields_and_files(author):
    data = replace(INITIATIVE, resource_type="publication", link_url="https://example.org/x", publication_year=2020)
    item = submission.create_item(author, "initiative", data, upload=upload())
    assert (item.resource_type, item.link_url, item.publication_year, item.file_name) == (None, None, None, None)


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_only_partners_create_items(make_user, role):
    with pytest.raises(PermissionDenied):
        submission.create_item(make_user(role), "initiative", INITIATIVE)


def test_an_unknown_kind_is_refused(author):
    with pytest.raises(RuleViolation):
        submission.create_item(author, "event", INITIATIVE)


# --- Updating ------------------------------------------------------------------------------------


def test_editing_a_published_item_keeps_it_published_and_renews_it(author, make_item):
    item = make_item("initiative", organisation=author.organisation, state="published", updated_days_ago=800)
    assert not is_public(item)  # inactive
    changed = submission.update_item(item, author, replace(INITIATIVE, title="A new title"))
    db.session.commit()

    assert item.state == "published" and is_public(item)
    assert utcnow() - item.updated_at < timedelta(minutes=1)
    assert "title" in changed and "start_date" in changed
    event = audit.history(item)[-1]
    assert (event.action, event.actor_id, event.details["fields"]) == ("item.edited", author.id, changed)


def test_an_edit_lists_exactly_the_changed_fields(author):
    item = submission.create_item(author, "initiative", INITIATIVE)
    changed = submission.update_item(item, author, replace(INITIATIVE, summary="Shorter.", sdgs=[2], countries=["KE"],
                                                          programmes=["spp", "sfs"]))
    assert changed == ["summary", "countries", "programmes", "sdgs"]
    assert [p.slug for p in item.programmes] == ["spp", "sfs"]


def test_saving_without_changes_records_nothing(author, make_item):
    item = make_item("initiative", organisation=author.organisation, updated_days_ago=30)
    before = item.updated_at
    data = ItemData.from_item(item)
    assert submission.update_item(item, author, data) == []
    assert item.updated_at == before
    assert events(item) == []


def test_edit_and_submit_again_after_changes_were_requested(author, make_item):
    item = make_item("initiative", organisation=author.organisation, state="changes_requested")
    submission.update_item(item, author, replace(INITIATIVE, title="Better"), submit=True)
    assert item.state == "submitted"
    assert events(item) == ["item.edited", "item.submitted"]


def test_a_published_item_cannot_be_submitted_again(author, make_item):
    item = make_item("initiative", organisation=author.organisation, state="published")
    with pytest.raises(RuleViolation):
        submission.update_item(item, author, INITIATIVE, submit=True)


def test_replacing_a_file_removes_the_old_one_after_commit(author):
    item = submission.create_item(author, "resource", replace(RESOURCE, link_url=""), upload=upload())
    db.session.commit()
    old = files.path_of(item.file_name)
    changed = submission.update_item(item, author, replace(RESOURCE, link_url=""),
                                     upload=upload(samples.png(), "chart.png"))
    assert old.exists(), "kept until the change commits"
    db.session.commit()
    assert not old.exists()
    assert changed == ["file"]
    assert (item.file_original_name, item.file_mime) == ("chart.png", "image/png")


def test_removing_the_file_needs_a_link(author):
    item = submission.create_item(author, "resource", replace(RESOURCE, link_url=""), upload=upload())
    db.session.commit()
    with pytest.raises(ItemInvalid) as error:
        submission.update_item(item, author, replace(RESOURCE, link_url=""), remove_file=True)
    assert list(error.value.errors) == ["file"]
    db.session.rollback()

    path = files.path_of(item.file_name)
    submission.update_item(item, author, RESOURCE, remove_file=True)
    db.session.commit()
    assert item.file_name is None and not path.exists()


def test_another_organisation_cannot_edit(make_user, make_item):
    item = make_item("initiative")
    with pytest.raises(PermissionDenied):
        submission.update_item(item, make_user("partner"), INITIATIVE)
    with pytest.raises(PermissionDenied):
        submission.update_item(item, make_user("moderator"), INITIATIVE)


def test_an_admin_may_edit(make_user, make_item):
    item = make_item("initiative")
    admin = make_user("admin")
    submission.update_item(item, admin, INITIATIVE)
    assert audit.history(item)[-1].actor_id == admin.id


def test_an_invalid_edit_changes_nothing(author, make_item):
    item = make_item("initiative", organisation=author.organisation, title="Kept")
    with pytest.raises(ItemInvalid):
        submission.update_item(item, author, replace(INITIATIVE, sdgs=[1, 2, 3, 4, 5, 6]))
    db.session.rollback()
    assert db.session.get(Item, item.id).title == "Kept"


# --- Confirming, withdrawing, deleting ----------------------------------------------------------


def test_confirm_still_active_renews_an_inactive_item(author, make_item):
    item = make_item("resource", organisation=author.organisation, state="published", updated_days_ago=731)
    assert not is_public(item)
    submission.confirm_active(item, author)
    db.session.commit()
    assert is_public(item)
    assert events(item) == ["item.confirmed"]


@pytest.mark.parametrize("state", ["draft", "submitted", "rejected", "withdrawn", "changes_requested"])
def test_only_published_items_are_confirmed(author, make_item, state):
    item = make_item("resource", organisation=author.organisation, state=state)
    with pytest.raises(RuleViolation):
        submission.confirm_active(item, author)


def test_another_organisation_cannot_confirm(make_user, make_item):
    with pytest.raises(PermissionDenied):
        submission.confirm_active(make_item("resource"), make_user("partner"))


def test_deleting_a_draft(author):
    item = submission.create_item(author, "resource", replace(RESOURCE, link_url=""), upload=upload())
    db.session.add(Comment(item_id=item.id, author_id=author.id, body="Note to self"))
    db.session.commit()
    item_id, path = item.id, files.path_of(item.file_name)

    submission.delete_draft(item, author)
    db.session.commit()

    assert db.session.get(Item, item_id) is None
    assert not path.exists()
    deleted = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "item.deleted"))
    assert deleted.details == {"deleted_item_id": item_id, "title": RESOURCE.title, "kind": "resource"}
    assert deleted.organisation_id == author.organisation_id and deleted.actor_id == author.id


@pytest.mark.parametrize("state", ["submitted", "published", "rejected", "withdrawn", "changes_requested"])
def test_only_drafts_are_deleted(author, make_item, state):
    item = make_item("initiative", organisation=author.organisation, state=state)
    with pytest.raises(RuleViolation):
        submission.delete_draft(item, author)


def test_another_organisation_cannot_delete(make_user, make_item):
    with pytest.raises(PermissionDenied):
        submission.delete_draft(make_item("initiative", state="draft"), make_user("partner"))


# --- Reading -------------------------------------------------------------------------------------


def test_organisation_items_are_only_its_own(author, make_item):
    own = make_item("initiative", organisation=author.organisation, updated_days_ago=5)
    newer = make_item("resource", organisation=author.organisation, updated_days_ago=1)
    make_item("initiative")
    assert db.session.scalars(submission.organisation_items(author.organisation_id)).all() == [newer, own]


def test_desk_messages(author, make_item, make_user):
    item = make_item("initiative", organisation=author.organisation, state="submitted")
    desk = make_user("moderator", programmes=("spp",))
    workflow.request_changes(item, desk, "Add the countries, please.")
    db.session.commit()
    assert [event.message for event in submission.desk_messages(item)] == ["Add the countries, please."]
    assert submission.latest_desk_messages([item])[item.id].action == "item.changes_requested"


# --- The description is Markdown, rendered safely ------------------------------------------------


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "Hello <img src=x onerror=alert(1)>",
        '<a href="https://example.org" onclick="alert(1)">x</a>',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](javascript:alert(1))",
        "<iframe src='https://evil.example'></iframe>",
    ],
)
def test_markdown_never_lets_script_through(markdown):
    elements = Elements()
    elements.feed(str(render_markdown(markdown)))
    assert elements.tags, "something was rendered"
    assert not elements.tags & {"script", "iframe", "img", "object", "embed", "style"}
    for name, value in elements.attributes:
        assert not name.startswith("on"), name
        assert not (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:")), value


class Elements(HTMLParser):
    """The tags and attributes of an HTML fragment, as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.extend(attrs)


def test_markdown_links_open_safely():
    html = str(render_markdown("[guide](https://example.org/guide)"))
    assert 'href="https://example.org/guide"' in html
    assert 'rel="noopener noreferrer nofollow ugc"' in html


def test_browser_line_ends_and_the_order_of_other_programmes_are_not_changes(author):
    item = submission.create_item(author, "initiative", replace(INITIATIVE, description="a\n\nb",
                                                                programmes=["sfs", "spp", "ci"]))
    posted = replace(INITIATIVE, description="a\r\n\r\nb\r\n", programmes=["sfs", "ci", "spp"])
    assert submission.update_item(item, author, posted) == []
    assert [p.slug for p in item.programmes] == ["sfs", "spp", "ci"]
    assert submission.update_item(item, author, replace(posted, programmes=["spp", "sfs", "ci"])) == ["programmes"]
    assert item.lead_programme.slug == "spp"


# --- Offers, results on the ground and key figures ---------------------------------------------------------


def test_an_initiative_records_its_results_and_key_figures_and_may_be_an_offer(author):
    rows = [FigureText("1,200", "tonnes", "of food waste avoided"), FigureText(), FigureText("35", "%", "less waste")]
    data = replace(INITIATIVE, is_offer=True, results_on_ground="Canteens cut waste.", key_figures=rows)
    item = submission.create_item(author, "initiative", data)
    assert item.is_offer and item.results_on_ground == "Canteens cut waste."
    assert [(f.value, f.unit, f.measure) for f in figures_of(item.key_figures)] == [
        (1200.0, "tonnes", "of food waste avoided"), (35.0, "%", "less waste")]
    assert ItemData.from_item(item).key_figures == [FigureText("1200", "tonnes", "of food waste avoided"),
                                                    FigureText("35", "%", "less waste")]


def test_key_figures_are_numbers_with_units_and_what_they_measure(author):
    rows = [FigureText("lots", "tonnes", "of waste"), FigureText("12", "", "")]
    assert invalid(author, "initiative", replace(INITIATIVE, key_figures=rows)) == {
        "figure1_value": ["The value must be a number such as 1200 or 3.5, without its unit."],
        "figure2_unit": ["Give the unit, for example tonnes, people or %."],
        "figure2_measure": ["Say what it measures, for example “of food waste avoided”."],
    }


def test_resources_keep_no_key_figures(author):
    data = replace(RESOURCE, key_figures=[FigureText("5", "x", "y")], results_on_ground="Ignored.", is_offer=True)
    item = submission.create_item(author, "resource", data)
    assert (item.key_figures, item.results_on_ground, item.is_offer) == (None, None, True)
