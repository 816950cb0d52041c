"""Saving a search from /search, managing saved searches at /my/searches, unsubscribing from a digest."""

import re
from datetime import timedelta

import pytest

from portal.catalogue import digests, saved_searches
from portal.extensions import db
from portal.models import OutboxMessage, SavedSearch, utcnow

pytestmark = pytest.mark.search_backends()


@pytest.mark.parametrize("role", ["partner", "moderator", "admin"])
def test_every_signed_in_role_can_save_a_search_with_or_without_results(client, auth, role):
    user = auth.login(role)
    page = client.get("/search?q=nothingmatchesthis").text
    assert "0 results" in page
    assert '<button type="submit" class="button">Save this search</button>' in page
    assert '<label for="save-frequency-0">Daily</label>' in page
    assert '<label for="save-frequency-1">Weekly</label>' in page

    response = client.submit("/my/searches", {"save-query": "q=solar&sdg=7", "save-name": "Solar for SDG 7",
                                              "save-frequency": "daily"}, page="/search")

    assert response.status_code == 302 and response.headers["Location"] == "/my/searches"
    search = db.session.scalar(db.select(SavedSearch))
    assert (search.user_id, search.name, search.query, search.frequency) == (
        user.id, "Solar for SDG 7", "q=solar&sdg=7", "daily"
    )
    assert "Solar for SDG 7" in client.get("/my/searches").text


def test_the_form_names_the_search_after_its_words_and_filters(client, partner):
    page = client.get("/search?q=solar&sdg=7").text
    assert re.search(r'id="save-name"[^>]*value="solar · SDG 7 – Affordable and clean energy"', page)
    assert 'name="save-query" type="hidden" value="q=solar&amp;sdg=7"' in page


def test_a_signed_out_visitor_is_sent_to_log_in_and_comes_back_to_the_search(client, make_user):
    page = client.get("/search?q=solar").text
    assert 'href="/login?next=/search?q%3Dsolar">Save this search</a>' in page
    response = client.post("/my/searches", data={"csrf_token": client.csrf_token("/login")})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def test_a_bad_filter_is_not_saved_and_says_why(client, partner):
    response = client.submit("/my/searches", {"save-query": "programme=nope", "save-frequency": "daily"},
                             page="/search")
    assert response.status_code == 302
    assert "Unknown programme" in client.get(response.headers["Location"]).text
    assert db.session.scalar(db.select(db.func.count(SavedSearch.id))) == 0


def test_rename_change_frequency_and_delete(client, partner):
    search = saved_searches.save(partner, "q=solar", "Solar", "weekly")
    db.session.commit()
    page = client.get("/my/searches").text
    assert f'id="s{search.id}-name"' in page

    client.submit(f"/my/searches/{search.id}", {f"s{search.id}-name": "Sun", f"s{search.id}-frequency": "daily"},
                  page="/my/searches")
    db.session.refresh(search)
    assert (search.name, search.frequency) == ("Sun", "daily")

    search_id = search.id
    client.submit(f"/my/searches/{search_id}/delete", page="/my/searches")
    assert db.session.scalar(db.select(SavedSearch.id).where(SavedSearch.id == search_id)) is None
    assert "You have no saved search yet." in client.get("/my/searches").text


def test_nobody_changes_or_deletes_another_users_saved_search(client, partner, make_user):
    theirs = saved_searches.save(make_user("partner"), "q=x", "Theirs", "weekly")
    db.session.commit()
    assert client.submit(f"/my/searches/{theirs.id}", {f"s{theirs.id}-name": "Mine"}, page="/my/searches"
                         ).status_code == 404
    assert client.submit(f"/my/searches/{theirs.id}/delete", page="/my/searches").status_code == 404
    assert db.session.get(SavedSearch, theirs.id).name == "Theirs"
    assert "Theirs" not in client.get("/my/searches").text


def test_the_digests_unsubscribe_link_works_signed_out_and_for_that_search_only(client, make_user, make_item):
    reader = make_user("partner", email="reader@example.org")
    search = saved_searches.save(reader, "q=solar", "Solar", "daily")
    other = saved_searches.save(reader, "q=wind", "Wind", "daily")
    db.session.commit()
    search_id = search.id
    make_item(title="Solar cookers", published_at=utcnow())
    digests.send_digests(utcnow() + timedelta(days=1, hours=1))
    db.session.commit()
    body = db.session.scalar(db.select(OutboxMessage.body))
    link = re.search(r"http://portal\.test(/unsubscribe/\S+)", body).group(1)

    page = client.get(link).text
    assert "Stop the digest of the saved search “Solar”?" in page
    response = client.submit(link)
    assert response.status_code == 200
    assert "You are unsubscribed: no more digests for “Solar”." in response.text
    assert db.session.scalar(db.select(SavedSearch.id).where(SavedSearch.id == search_id)) is None
    assert db.session.get(SavedSearch, other.id) is not None
    assert "already stopped" in client.get(link).text
    assert client.get(link[:-3] + "abc").status_code == 404
