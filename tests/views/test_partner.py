"""The partner's pages: /my/items, the submission forms, the item page and its actions, editing and files."""

import io
import re

import pytest

from portal.catalogue import audit, files, workflow
from portal.catalogue.visibility import is_public
from portal.extensions import db
from portal.models import Comment, Item, OutboxMessage
from tests import samples

INITIATIVE_FORM = {
    "title": "Green canteens",
    "summary": "Schools buy local food.",
    "description": "Less **waste**.",
    "lead_programme": "sfs",
    "other_programmes": ["spp"],
    "sdgs": ["2", "13"],
    "countries": ["KE", "global"],
    "themes": ["food_loss_and_waste"],
    "activity_category": "implementation",
    "initiative_status": "ongoing",
    "start_date": "2025-01-01",
    "end_date": "2026-12-31",
    "website_url": "https://example.org/canteens",
    "language": "en",
    "save_draft": "Save draft",
}
RESOURCE_FORM = {
    "title": "Guide to green tenders",
    "summary": "How to write tender criteria.",
    "lead_programme": "spp",
    "resource_type": "publication",
    "publication_year": "2025",
    "language": "en",
    "save_draft": "Save draft",
}


def post_form(client, url: str, changes: dict | None = None, *, base: dict | None = None, page: str | None = None):
    data = dict(base or (RESOURCE_FORM if "resource" in url else INITIATIVE_FORM))
    data.update(changes or {})
    # Any page carries the session's CSRF token; the home page is the cheapest to render.
    return client.submit(url, {k: v for k, v in data.items() if v is not None}, page=page or "/")


def a_file(data: bytes | None = None, name: str = "guide.pdf") -> tuple:
    return (io.BytesIO(samples.pdf() if data is None else data), name)


def only_item() -> Item:
    return db.session.scalars(db.select(Item)).one()


def error_at(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', html, re.S)
    assert match, f"no error shown at {field_id}"
    return match.group(1)


# --- The forms ----------------------------------------------------------------------------------


def test_the_initiative_form_uses_the_contract_labels(client, partner):
    html = client.get("/my/items/new/initiative").text
    for text in ("Title", "Summary", "Description", "Lead programme", "Countries", "Activity category"):
        assert re.search(rf"<label for=\"\w+\">{text}</label>", html), text
    assert "<legend>Programmes <span" in html and "<legend>SDGs" in html and "<legend>Other programmes" in html
    assert '<label for="sdgs-6">SDG 7 – Affordable and clean energy</label>' in html
    assert 'value="12"' not in html, "SDG 12 is fixed text, not a box to untick"
    assert "SDG 12 – Responsible consumption and production (every item has it)" in html
    assert 'value="Save draft"' in html and 'value="Submit for review"' in html
    assert '<option value="global">Global</option>' in html and '<option value="KE">Kenya</option>' in html


def test_the_resource_form_uses_the_contract_labels(client, partner):
    html = client.get("/my/items/new/resource").text
    for text in ("Resource type", "File", "Link"):
        assert re.search(rf"<label for=\"\w+\">{text}</label>", html), text
    assert 'enctype="multipart/form-data"' in html
    assert "Activity category" not in html


def test_every_input_has_a_label(client, partner):
    for kind in ("initiative", "resource"):
        html = client.get(f"/my/items/new/{kind}").text
        form = html[html.index('<form method="post" enctype'):]
        controls = re.findall(r'<(?:input|select|textarea)[^>]*>', form)
        ids = {re.search(r'\bid="([^"]+)"', control).group(1) for control in controls
               if not re.search(r'type="(submit|hidden)"', control)}
        labelled = set(re.findall(r'<label for="([^"]+)"', form))
        assert ids and ids <= labelled, ids - labelled


def test_an_unknown_kind_is_not_found(client, partner):
    assert client.get("/my/items/new/event").status_code == 404


def test_only_partners_reach_the_forms(client, auth):
    assert client.get("/my/items/new/initiative").status_code == 302  # to the login page
    auth.login("moderator")
    assert client.get("/my/items/new/initiative").status_code == 403
    assert client.get("/my/items").status_code == 403


# --- Creating -----------------------------------------------------------------------------------


def test_a_partner_submits_an_initiative(client, partner):
    response = post_form(client, "/my/items/new/initiative", {"save_draft": None,
                                                               "submit_review": "Submit for review"})
    item = only_item()
    assert response.status_code == 302 and response.location == f"/my/items/{item.id}"
    assert item.state == "submitted" and item.organisation_id == partner.organisation_id
    assert [p.slug for p in item.programmes] == ["sfs", "spp"]
    assert item.sdg_numbers == [2, 12, 13]
    assert "is submitted for review" in client.get(response.location).text


def test_the_lead_programme_is_not_repeated_among_the_others(client, partner):
    post_form(client, "/my/items/new/initiative", {"lead_programme": "spp", "other_programmes": ["ci", "spp"]})
    assert [p.slug for p in only_item().programmes] == ["spp", "ci"]


def test_a_partner_saves_a_resource_draft_with_a_file(client, partner):
    response = post_form(client, "/my/items/new/resource", {"file": a_file()})
    assert response.status_code == 302
    item = only_item()
    assert item.state == "draft" and item.file_original_name == "guide.pdf"

    download = client.get(f"/items/{item.id}/file")
    assert download.status_code == 200
    assert download.data == samples.pdf()
    assert download.headers["Content-Disposition"] == "attachment; filename=guide.pdf"
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]  # not public yet
    download.close()


def test_a_validation_error_keeps_what_was_typed(client, partner):
    response = post_form(client, "/my/items/new/initiative", {"title": "", "sdgs": ["1", "2", "3", "4", "5", "6"]})
    html = response.text
    assert response.status_code == 400
    assert error_at(html, "title") == "Give the item a title."
    assert error_at(html, "sdgs") == "Choose at most 5 SDGs besides SDG 12: you chose 6."
    assert "Schools buy local food.</textarea>" in html
    assert re.search(r'<input checked id="sdgs-5" name="sdgs" type="checkbox" value="6">', html)
    assert re.search(r'<option selected value="sfs">', html)
    assert re.search(r'<option selected value="KE">Kenya</option>', html)
    assert 'value="2025-01-01"' in html and 'value="https://example.org/canteens"' in html
    assert db.session.scalar(db.select(db.func.count(Item.id))) == 0


def test_a_file_must_be_chosen_again_after_an_error(client, partner):
    html = post_form(client, "/my/items/new/resource", {"title": "", "file": a_file()}).text
    assert "choose it again" in html
    assert not files.upload_dir().exists() or not any(files.upload_dir().iterdir())


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"lead_programme": "", "other_programmes": ["spp"]}, "lead_programme", "Choose the lead programme"),
        ({"start_date": "2026-05-02", "end_date": "2026-05-01"}, "end_date", "cannot be before the start date"),
        ({"start_date": "2026-02-30"}, "start_date", "Not a valid date"),
        ({"website_url": "javascript:alert(1)"}, "website_url", "http:// or https://"),
        ({"summary": "x" * 501}, "summary", "at most 500 characters"),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
        ({"activity_category": ""}, "activity_category", "Choose the activity category"),
    ],
)
def test_initiative_errors_show_at_their_field(client, partner, changes, field, message):
    response = post_form(client, "/my/items/new/initiative", changes)
    assert response.status_code == 400
    assert message in error_at(response.text, field)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "A resource needs a file or a link"),
        ({"file": a_file(samples.html(), "report.pdf")}, "not an allowed type"),
        ({"file": a_file(samples.zip_of([("notes.txt", "hi")]), "report.docx")}, "not an allowed type"),
        ({"file": a_file(b"", "empty.pdf")}, "The file is empty"),
    ],
    ids=["nothing", "html-named-pdf", "zip-named-docx", "empty"],
)
def test_bad_files_are_refused_with_a_message(client, partner, changes, message):
    response = post_form(client, "/my/items/new/resource", changes)
    assert response.status_code == 400
    assert message in error_at(response.text, "file")


def test_a_link_is_enough_for_a_resource(client, partner):
    post_form(client, "/my/items/new/resource", {"link_url": "https://example.org/guide"})
    assert only_item().link_url == "https://example.org/guide"


def test_a_javascript_link_is_refused(client, partner):
    response = post_form(client, "/my/items/new/resource", {"link_url": "javascript:alert(1)"})
    assert "http:// or https://" in error_at(response.text, "link_url")


def test_an_oversized_upload_gets_the_413_page(app, client, partner):
    page = "/my/items/new/resource"
    token = client.csrf_token(page)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = client.post(page, data={**RESOURCE_FORM, "csrf_token": token,
                                       "file": a_file(samples.pdf() + b"0" * 100 * 1024)})
    assert response.status_code == 413
    assert "The upload is too large" in response.text and "at most" in response.text


def test_a_file_over_the_setting_is_refused_at_the_field(app, client, partner):
    app.config["MAX_UPLOAD_MB"] = 1  # the request limit stays above it
    response = post_form(client, "/my/items/new/resource", {"file": a_file(samples.pdf() + b"0" * 1024 * 1024)})
    response.request.input_stream.close()  # the test client spooled the request body to a temporary file
    assert response.status_code == 400
    assert "larger than 1 MB" in error_at(response.text, "file")


def test_fields_the_form_does_not_offer_are_ignored(client, partner, make_organisation):
    other = make_organisation()
    post_form(client, "/my/items/new/initiative", {
        "state": "published", "hidden": "y", "organisation_id": str(other.id), "organisation": str(other.id),
        "created_at": "2001-01-01 00:00:00", "updated_at": "2001-01-01 00:00:00", "published_at": "2001-01-01",
        "portfolio": "core", "status": "core", "portfolio_status": "core", "kind": "resource", "id": "999",
        "created_by_id": "1", "file_name": "../../secret_key",
    })
    item = only_item()
    assert (item.state, item.hidden, item.kind, item.organisation_id) == ("draft", False, "initiative",
                                                                          partner.organisation_id)
    assert item.created_at.year > 2001 and item.published_at is None and item.portfolio_entries == []
    assert item.id != 999 and item.file_name is None


def test_script_in_the_description_never_reaches_the_page(client, partner):
    post_form(client, "/my/items/new/initiative", {
        "description": "<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>"
                       " [ok](https://example.org)",
    })
    html = client.get(f"/my/items/{only_item().id}").text
    assert "<script>alert" not in html and "<img src=x" not in html and 'href="javascript:' not in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow ugc">ok</a>' in html


# --- /my/items ----------------------------------------------------------------------------------


def test_my_items_lists_the_organisation_items_only(client, partner, make_item):
    own = make_item("initiative", organisation=partner.organisation, programmes=("spp", "ci"),
                    portfolio={"spp": "core"}, title="Our canteens")
    make_item("resource", title="Somebody else's guide")
    html = client.get("/my/items").text
    assert "Our canteens" in html and "Somebody else" not in html
    assert f'href="/my/items/{own.id}"' in html
    assert "Sustainable Public Procurement (lead): Core" in html and "Consumer Information: Not in portfolio" in html
    assert ">Published</span>" in html and ">Initiative</td>" in html


def test_my_items_marks_inactive_items_and_warns_before(client, partner, make_item, app):
    days = app.config["INACTIVE_AFTER_DAYS"]
    make_item(organisation=partner.organisation, title="Old one", updated_days_ago=days + 5)
    make_item(organisation=partner.organisation, title="Ageing one", updated_days_ago=days - 30)
    make_item(organisation=partner.organisation, title="Fresh one", updated_days_ago=3)
    html = client.get("/my/items").text
    rows = {title: row for row in html.split("<tr>")[2:] for title in ("Old one", "Ageing one", "Fresh one")
            if title in row}
    assert 'badge-inactive">inactive' in rows["Old one"]
    assert "Becomes inactive on" in rows["Ageing one"] and "inactive</span>" not in rows["Ageing one"]
    assert "Confirm still active" in rows["Ageing one"]
    assert "inactive" not in rows["Fresh one"].lower()


def test_my_items_shows_the_desk_message(client, partner, make_item, make_user):
    item = make_item(organisation=partner.organisation, state="submitted")
    workflow.request_changes(item, make_user("moderator"), "Please add the countries.")
    db.session.commit()
    assert "Desk: “Please add the countries.”" in client.get("/my/items").text


# --- The item page and its actions --------------------------------------------------------------


def test_the_item_page_shows_state_messages_thread_and_history(client, partner, make_item, make_user):
    item = make_item(organisation=partner.organisation, state="submitted")
    desk = make_user("moderator")
    workflow.request_changes(item, desk, "Say more about results.")
    db.session.add(Comment(item_id=item.id, author_id=desk.id, body="Happy to help."))
    db.session.commit()

    html = client.get(f"/my/items/{item.id}").text
    assert "Changes requested" in html and "Say more about results." in html
    assert "Happy to help." in html and "Messages between the partner and the desk" in html
    assert "asked for changes" in html  # the history
    assert f'href="/items/{item.id}/edit"' in html


def test_a_partner_replies_in_the_thread(client, partner, make_item):
    item = make_item(organisation=partner.organisation, state="changes_requested")
    response = client.submit(f"/my/items/{item.id}/comments", {"body": "Done, thanks."}, page=f"/my/items/{item.id}")
    assert response.status_code == 302
    assert db.session.scalars(db.select(Comment.body)).all() == ["Done, thanks."]
    client.submit(f"/my/items/{item.id}/comments", {"body": "  "}, page=f"/my/items/{item.id}")
    assert "Write a message." in client.get(f"/my/items/{item.id}").text


def test_a_partners_reply_is_mailed_to_the_desks_of_the_items_programmes(client, partner, make_item, make_user):
    item = make_item(organisation=partner.organisation, programmes=("spp", "sfs"), state="changes_requested")
    lead = make_user("moderator", programmes=("spp",))
    other = make_user("moderator", programmes=("sfs",))
    make_user("moderator", programmes=("ci",))  # not a desk of this item
    make_user("moderator", programmes=("spp",), active=False)
    colleague = make_user("partner", organisation=partner.organisation)

    client.submit(f"/my/items/{item.id}/comments", {"body": "Dates added."}, page=f"/my/items/{item.id}")

    mails = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.recipient)).all()
    assert sorted(mail.recipient for mail in mails) == sorted([lead.email, other.email])
    assert colleague.email not in [mail.recipient for mail in mails]
    assert mails[0].subject == f"Message from {partner.organisation.name}: {item.title}"
    assert "Dates added." in mails[0].body and f"/desk/items/{item.id}" in mails[0].body

    draft = make_item(organisation=partner.organisation, programmes=("spp",), state="draft")
    client.submit(f"/my/items/{draft.id}/comments", {"body": "Note to self."}, page=f"/my/items/{draft.id}")
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 2  # a draft is not before the desk


def test_submit_from_the_item_page(client, partner, make_item):
    item = make_item(organisation=partner.organisation, state="draft")
    page = f"/my/items/{item.id}"
    assert "Submit for review" in client.get(page).text
    client.submit(f"/my/items/{item.id}/submit", page=page)
    assert db.session.get(Item, item.id).state == "submitted"


def test_confirm_still_active(client, partner, make_item, app):
    item = make_item(organisation=partner.organisation, updated_days_ago=app.config["INACTIVE_AFTER_DAYS"] + 1)
    page = f"/my/items/{item.id}"
    assert "Not in public view" in client.get(page).text
    response = client.submit(f"/my/items/{item.id}/confirm", page=page)
    assert response.location == page
    item = db.session.get(Item, item.id)
    assert is_public(item) and [e.action for e in audit.history(item)] == ["item.confirmed"]
    assert client.get(f"/items/{item.id}").status_code == 200


def test_confirm_from_the_list_goes_back_to_the_list(client, partner, make_item):
    item = make_item(organisation=partner.organisation, updated_days_ago=700)
    response = client.submit(f"/my/items/{item.id}/confirm", {"back": "items"}, page="/my/items")
    assert response.location == "/my/items"


def test_a_draft_cannot_be_confirmed(client, partner, make_item):
    item = make_item(organisation=partner.organisation, state="draft")
    client.submit(f"/my/items/{item.id}/confirm", page=f"/my/items/{item.id}")
    assert "Only a published item" in client.get(f"/my/items/{item.id}").text


def test_withdraw(client, partner, make_item):
    item = make_item(organisation=partner.organisation)
    page = f"/my/items/{item.id}"
    client.submit(f"/my/items/{item.id}/withdraw", {"reason": "Ended"}, page=page)
    assert db.session.get(Item, item.id).state == "withdrawn"
    assert client.get(f"/items/{item.id}").status_code == 200  # its organisation still sees it
    client.get("/")
    assert "withdrew it: “Ended”" in client.get(page).text


def test_delete_a_draft(client, partner, make_item):
    item_id = make_item(organisation=partner.organisation, state="draft", title="Scrap").id
    page = f"/my/items/{item_id}"
    assert "Delete draft" in client.get(page).text
    response = client.submit(f"/my/items/{item_id}/delete", page=page)
    assert response.location == "/my/items"
    assert db.session.get(Item, item_id) is None
    assert "“Scrap” is deleted." in client.get("/my/items").text


def test_a_published_item_is_not_deleted(client, partner, make_item):
    item = make_item(organisation=partner.organisation)
    assert "Delete draft" not in client.get(f"/my/items/{item.id}").text
    client.submit(f"/my/items/{item.id}/delete", page=f"/my/items/{item.id}")
    assert db.session.get(Item, item.id) is not None


# --- Editing ------------------------------------------------------------------------------------


def test_the_edit_form_comes_filled_in(client, partner, make_item):
    item = make_item(organisation=partner.organisation, programmes=("sfs", "spp"), sdgs=(7,), title="Canteens")
    html = client.get(f"/items/{item.id}/edit").text
    assert 'value="Canteens"' in html
    assert re.search(r'<option selected value="sfs">', html)
    assert re.search(r'<input checked id="other_programmes-\d" name="other_programmes" type="checkbox" value="spp">',
                     html)
    assert re.search(r'<input checked id="sdgs-6" name="sdgs" type="checkbox" value="7">', html)
    assert 'value="Save changes"' in html and 'value="Submit for review"' not in html  # published


def test_editing_a_published_item_keeps_it_published(client, partner, make_item):
    item = make_item(organisation=partner.organisation, updated_days_ago=800)
    response = post_form(client, f"/items/{item.id}/edit", {"save_draft": None, "save_changes": "Save changes"},
                         base=INITIATIVE_FORM)
    assert response.location == f"/my/items/{item.id}"
    item = db.session.get(Item, item.id)
    assert item.state == "published" and item.title == "Green canteens" and is_public(item)
    assert audit.history(item)[-1].action == "item.edited"


def test_saving_the_edit_form_unchanged_changes_nothing(client, partner, make_item):
    item = make_item(organisation=partner.organisation, programmes=("sfs", "spp", "ci"), description="a\n\nb",
                     title="Same", summary="Same summary.", updated_days_ago=10)
    response = client.submit(f"/items/{item.id}/edit", {
        "title": "Same", "summary": "Same summary.", "description": "a\r\n\r\nb", "lead_programme": "sfs",
        "other_programmes": ["spp", "ci"], "countries": ["KE"], "activity_category": "implementation",
        "initiative_status": "ongoing", "language": "en", "save_changes": "Save changes",
    }, page="/")
    assert response.status_code == 302
    assert "Nothing had changed." in client.get(response.location).text
    assert audit.history(item) == []


def test_editing_with_a_validation_error(client, partner, make_item):
    item = make_item(organisation=partner.organisation, title="Kept")
    response = post_form(client, f"/items/{item.id}/edit", {"title": "x" * 201}, base=INITIATIVE_FORM)
    assert response.status_code == 400
    assert f'value="{"x" * 201}"' in response.text
    assert db.session.get(Item, item.id).title == "Kept"


def test_replace_and_remove_a_file(client, partner):
    post_form(client, "/my/items/new/resource", {"file": a_file()})
    item = only_item()
    old = files.path_of(item.file_name)
    url = f"/items/{item.id}/edit"
    assert "Current file:" in client.get(url).text

    post_form(client, url, {"file": a_file(samples.docx(), "guide.docx")})
    db.session.expire_all()
    item = only_item()
    assert item.file_original_name == "guide.docx" and not old.exists()

    response = post_form(client, url, {"remove_file": "y"})
    assert "A resource needs a file or a link" in error_at(response.text, "file")
    post_form(client, url, {"remove_file": "y", "link_url": "https://example.org/guide"})
    db.session.expire_all()
    assert only_item().file_name is None


def test_an_admin_edits_any_item(client, admin, make_item):
    item = make_item()
    response = post_form(client, f"/items/{item.id}/edit", {"save_draft": None, "save_changes": "Save changes"},
                         base=INITIATIVE_FORM)
    assert response.location == f"/items/{item.id}"
    assert db.session.get(Item, item.id).title == "Green canteens"


def test_a_moderator_does_not_edit(client, moderator, make_item):
    assert client.get(f"/items/{make_item().id}/edit").status_code == 403


# --- Another organisation's items ---------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "submitted", "published", "withdrawn"])
def test_another_organisations_item_is_not_found_everywhere(client, partner, make_item, state):
    item = make_item("resource", state=state, title="Not yours", file_name=None)
    mine = make_item(organisation=partner.organisation, state="draft")
    token_page = f"/my/items/{mine.id}"
    for url in (f"/my/items/{item.id}", f"/items/{item.id}/edit"):
        assert client.get(url).status_code == 404, url
    for action in ("submit", "confirm", "withdraw", "delete", "comments"):
        response = client.submit(f"/my/items/{item.id}/{action}", {"body": "hi", "reason": "x"}, page=token_page)
        assert response.status_code == 404, action
    response = post_form(client, f"/items/{item.id}/edit", page=token_page, base=RESOURCE_FORM)
    assert response.status_code == 404

    db.session.expire_all()
    item = db.session.get(Item, item.id)
    assert (item.state, item.title) == (state, "Not yours")
    assert audit.history(item) == [] and db.session.scalars(db.select(Comment)).all() == []


def test_another_organisations_file_is_not_found_unless_public(client, partner, make_item, app):
    stored = files.store(io.BytesIO(samples.pdf()), "secret.pdf")
    db.session.commit()
    fields = {"file_name": stored.name, "file_original_name": "secret.pdf", "file_mime": "application/pdf"}
    draft = make_item("resource", state="draft", **fields)
    assert client.get(f"/items/{draft.id}/file").status_code == 404

    public = make_item("resource", state="published", **fields)
    response = client.get(f"/items/{public.id}/file")
    assert response.status_code == 200 and "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_files_follow_the_visibility_rule_for_anonymous_visitors(client, make_item, app):
    stored = files.store(io.BytesIO(samples.png()), "chart.png")
    db.session.commit()
    fields = {"file_name": stored.name, "file_original_name": "chart.png", "file_mime": "image/png"}
    public = make_item("resource", **fields)
    response = client.get(f"/items/{public.id}/file")
    assert response.status_code == 200 and response.data == samples.png()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")
    response.close()

    for hidden in (make_item("resource", state="draft", **fields), make_item("resource", hidden=True, **fields),
                   make_item("resource", updated_days_ago=app.config["INACTIVE_AFTER_DAYS"] + 2, **fields)):
        assert client.get(f"/items/{hidden.id}/file").status_code == 404
    assert client.get(f"/items/{make_item('resource').id}/file").status_code == 404  # a link, no file
    assert client.get("/items/999999/file").status_code == 404


def test_the_desk_downloads_files_of_items_in_review(client, auth, make_item):
    stored = files.store(io.BytesIO(samples.pdf()), "draft.pdf")
    db.session.commit()
    item = make_item("resource", state="submitted", file_name=stored.name, file_original_name="draft.pdf",
                     file_mime="application/pdf")
    auth.login("moderator", programmes=("spp",))
    response = client.get(f"/items/{item.id}/file")
    assert response.status_code == 200
    response.close()


# --- Engagement on /my/: items about to lapse, how the items are used ----------------------------------


def test_the_dashboard_counts_the_items_about_to_lapse_and_links_to_them(client, partner, make_item):
    soon = make_item(organisation=partner.organisation, title="Lapses soon", updated_days_ago=700)
    make_item(organisation=partner.organisation, title="Fresh item", updated_days_ago=3)
    make_item(title="Another organisation's", updated_days_ago=700)

    page = client.get("/my/").text
    assert "1 item becomes inactive within 60 days." in page
    assert 'href="/my/items?lapsing=1"' in page
    listed = client.get("/my/items?lapsing=1").text
    assert "Lapses soon" in listed and "Fresh item" not in listed and "Another organisation" not in listed

    response = client.submit(f"/my/items/{soon.id}/confirm", {"back": "lapsing"}, page="/my/items?lapsing=1")
    assert response.headers["Location"] == "/my/items?lapsing=1"
    assert "No item becomes inactive soon." in client.get("/my/items?lapsing=1").text
    assert "becomes inactive within" not in client.get("/my/").text


def test_the_dashboard_shows_the_portfolio_decisions_on_the_organisations_items(client, partner, make_item):
    make_item(organisation=partner.organisation, title="Core one", portfolio={"spp": "core"})
    make_item(organisation=partner.organisation, title="Not admitted", portfolio={"spp": "none"})
    make_item(title="Someone else's", portfolio={"spp": "affiliated"})

    page = client.get("/my/").text

    assert "How your items are used" in page
    assert "In programme portfolios (1)" in page
    assert re.search(r"Core one</a>:\s*<a href=\"/programmes/spp\">Core in Sustainable Public Procurement</a>", page)
    assert "Not admitted" not in page and "Someone else" not in page
