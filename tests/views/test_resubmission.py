"""A submission form posted twice (a retry after a lost answer, a double click) creates one item:
the second post leads to the first one."""

import io
import re

from portal.catalogue import submission
from portal.extensions import db
from portal.models import AuditEvent, Item
from tests import samples
from tests.views.test_partner import INITIATIVE_FORM, RESOURCE_FORM


def form_token(client, url: str) -> str:
    return re.search(r'name="submission_token" type="hidden" value="([0-9a-f-]{36})"', client.get(url).text).group(1)


def item_count() -> int:
    return db.session.scalar(db.select(db.func.count(Item.id)))


def test_posting_the_same_form_twice_creates_one_item_and_leads_to_it(client, partner):
    url = "/my/items/new/initiative"
    data = {**INITIATIVE_FORM, "submission_token": form_token(client, url), "submit_review": "Submit for review"}
    first = client.submit(url, data)
    second = client.submit(url, data)  # the worker died after the commit: the browser sends it again
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert item_count() == 1
    item = db.session.scalars(db.select(Item)).one()
    assert first.headers["Location"] == f"/my/items/{item.id}" and item.state == "submitted"
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.item_id == item.id)).all()
    assert sorted(actions) == ["item.created", "item.submitted"]  # recorded once
    assert "is submitted for review" in client.get(second.headers["Location"]).text


def test_a_resubmitted_resource_stores_its_file_once(app, client, partner, tmp_path):
    url = "/my/items/new/resource"
    token = form_token(client, url)
    for _ in range(2):
        response = client.submit(url, {**RESOURCE_FORM, "submission_token": token,
                                       "file": (io.BytesIO(samples.pdf()), "guide.pdf")})
        assert response.status_code == 302
    assert item_count() == 1
    assert len(list((tmp_path / "uploads").glob("*.pdf"))) == 1


def test_each_new_form_has_its_own_token_and_a_refused_post_keeps_it(client, partner):
    url = "/my/items/new/initiative"
    token = form_token(client, url)
    assert form_token(client, url) != token
    refused = client.submit(url, {**INITIATIVE_FORM, "title": "", "submission_token": token})
    assert refused.status_code == 400 and f'value="{token}"' in refused.text
    assert client.submit(url, {**INITIATIVE_FORM, "submission_token": token}).status_code == 302
    assert item_count() == 1


def test_without_or_with_a_malformed_token_every_post_creates_an_item(client, partner):
    url = "/my/items/new/initiative"
    for token in ("", "not-a-uuid", "x" * 500):
        assert client.submit(url, {**INITIATIVE_FORM, "submission_token": token}).status_code == 302
    assert item_count() == 3


def test_two_posts_racing_past_the_check_still_make_one_item(app, partner, monkeypatch):
    """The second post did not see the first item yet (both checked before either committed): the
    unique token refuses its insert, and it answers with the first item."""
    token = "0b8f1a3e-3c55-4a55-9a4e-2f4c8f0d1b77"
    data = submission.ItemData(title="Green canteens", summary="Local food.", programmes=["sfs"],
                               activity_category="implementation", initiative_status="ongoing")
    first = submission.create_item(partner, "initiative", data, submission_token=token)
    db.session.commit()
    real_check, calls = submission._created_with, []

    def late_check(actor, value):
        calls.append(value)
        return None if len(calls) == 1 else real_check(actor, value)  # the first check comes too early

    monkeypatch.setattr(submission, "_created_with", late_check)
    second = submission.create_item(partner, "initiative", data, submission_token=token)
    assert second.id == first.id and len(calls) == 2
    assert item_count() == 1
