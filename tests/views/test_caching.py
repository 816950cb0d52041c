"""HTTP caching of public pages: validators and 304s that never keep an item the public may no longer see,
no caching of signed-in pages, compressed answers."""

import gzip

import pytest

from portal.catalogue import highlights, links, workflow
from portal.catalogue.figures import FigureText
from portal.extensions import db
from portal.models import Highlight, Item
from tests.conftest import programme
from tests.helpers import travel

WORD = "zyxcachedmarker"  # what the searches ask for
SHOWN = "qvwschoolgardens"  # another word of the title: pages that echo the query do not contain it


def cached_pages(item: Item) -> list[str]:
    """Every public page a browser or proxy may keep that shows (or counts) the item."""
    return [
        f"/search?q={WORD}",
        "/search?programme=spp",
        "/search",
        "/",
        "/programmes/spp",
        "/sdgs/7",
        "/countries/KE",
        f"/items/{item.id}",
        f"/api/v1/items?q={WORD}",
        "/api/v1/items",
        f"/api/v1/items/{item.id}",
        "/feeds/latest.atom",
        f"/feeds/latest.atom?q={WORD}",
        "/sitemap.xml",
        f"/search.csv?q={WORD}",
        "/catalog.ttl",
    ]


def shows(text: str, item: Item) -> bool:
    return SHOWN in text or f"/items/{item.id}<" in text or f"/items/{item.id}\"" in text


def hide(item, make_user, monkeypatch):
    workflow.hide(item, make_user("moderator", programmes=("spp",)), "Broken link")
    db.session.commit()


def withdraw(item, make_user, monkeypatch):
    workflow.withdraw(item, make_user("partner", organisation=item.organisation))
    db.session.commit()


def lapse(item, make_user, monkeypatch):
    travel(monkeypatch, 2)  # the item was updated 729 days ago: it ages out of the 730-day window


@pytest.mark.parametrize("leave", [hide, withdraw, lapse])
def test_a_page_kept_by_a_browser_never_outlives_its_item(client, make_item, make_user, monkeypatch, leave):
    make_item(title="Another public initiative", sdgs=(7,))  # the pages still have something to show
    item = make_item(title=f"Compost {WORD} for {SHOWN}", sdgs=(7,), updated_days_ago=729)
    tags = {}
    for url in cached_pages(item):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-cache", url
        tags[url] = response.headers["ETag"]
        assert client.get(url, headers={"If-None-Match": tags[url]}).status_code == 304, url
        if url not in ("/programmes/spp", "/catalog.ttl"):  # these count it, or page through it
            assert shows(response.text, item), url

    leave(db.session.get(Item, item.id), make_user, monkeypatch)

    for url, tag in tags.items():
        response = client.get(url, headers={"If-None-Match": tag})
        assert response.status_code != 304, f"{url} kept its copy after the item left public view"
        if url.endswith(f"/items/{item.id}"):
            assert response.status_code == 404, url
        else:
            assert response.status_code == 200, url
            assert not shows(response.text, item), url
            assert response.headers["ETag"] != tag, url


def test_a_kept_programme_page_follows_what_its_desk_writes(client, make_item, make_user):
    """Programme pages are kept like search pages, under a tag that also moves with the desk's highlights,
    key messages and links between items (none of them reaches the search index)."""
    desk = make_user("moderator", programmes=("sfs",))
    item = make_item(programmes=("sfs", "spp"), portfolio={"sfs": "core"}, title="School meals")
    other = make_item(programmes=("sle",), title="Cooking lessons")
    pages = ("/programmes/sfs", "/programmes/sfs/pitch")

    def after(change) -> dict[str, str]:
        tags = {url: client.get(url).headers["ETag"] for url in pages}
        change()
        db.session.commit()
        found = {}
        for url, tag in tags.items():
            response = client.get(url, headers={"If-None-Match": tag})
            assert response.status_code == 200, f"{url} kept its copy after {change.__name__}"
            found[url] = response.text
        return found

    def highlight():
        highlights.add_highlight(programme("sfs"), desk, item.id, FigureText("120000", "pupils", "eat better meals"))

    def write_messages():
        highlights.set_key_messages(programme("sfs"), desk, ["Feed schools well."])

    def link():
        links.add_link(item, desk, other.id, "related_to")

    def unhighlight():
        highlights.remove_highlight(programme("sfs"), desk, db.session.scalar(db.select(Highlight.id)))

    assert all("eat better meals" in page for page in after(highlight).values())
    assert all("Feed schools well." in page for page in after(write_messages).values())
    assert "Sustainable Lifestyles and Education</a></th><td class=\"number\">0</td><td class=\"number\">1</td>" \
        in after(link)["/programmes/sfs"]
    assert not any("eat better meals" in page for page in after(unhighlight).values())


def test_a_programme_page_made_from_figures_being_refreshed_is_not_kept(app, client, make_item):
    """With the achievements refreshed in the background, the first view after a change shows the kept
    figures; that page must be neither kept nor validated, or it would outlive the refresh."""
    from portal.catalogue.reporting.refresh import EXTENSION

    app.config["REPORTING_REFRESH_IN_BACKGROUND"] = True
    make_item(programmes=("spp",), kind="initiative")
    assert "<strong>1</strong> initiative<" in client.get("/programmes/spp").text  # computed when first asked
    make_item(programmes=("spp",), kind="initiative")
    meanwhile = client.get("/programmes/spp")
    assert "<strong>1</strong> initiative<" in meanwhile.text  # the kept figures, at once
    for keeper in app.extensions[EXTENSION].values():
        keeper.wait()
    refreshed = client.get("/programmes/spp", headers={"If-None-Match": meanwhile.headers["ETag"]})
    assert refreshed.status_code == 200 and "<strong>2</strong> initiatives" in refreshed.text


def test_unchanged_pages_answer_304_and_a_change_gives_a_new_tag(client, make_item):
    make_item(title="Seed bank network")
    first = client.get("/search?q=seed")
    assert first.headers["ETag"].startswith('W/"')
    assert {"Cookie", "Accept-Language"} <= set(first.headers["Vary"].replace(" ", "").split(","))
    again = client.get("/search?q=seed", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]

    make_item(title="Seed library for cities")
    changed = client.get("/search?q=seed", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "library for cities" in changed.text
    french = client.get("/search?q=seed", headers={"If-None-Match": changed.headers["ETag"], "Accept-Language": "fr"})
    assert french.status_code == 200 and 'lang="fr"' in french.text  # the language is part of the tag


def test_signed_in_pages_are_never_stored_nor_validated(client, make_item, auth):
    make_item(title="Seed bank network")
    anonymous = client.get("/search?q=seed").headers["ETag"]
    auth.login("partner")
    for url in ("/search?q=seed", "/", "/my/"):
        response = client.get(url, headers={"If-None-Match": anonymous})
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
        assert "ETag" not in response.headers, url


def test_public_answers_are_compressed_and_signed_in_ones_are_not(client, make_item, auth):
    for n in range(3):
        make_item(title=f"Seed bank network {n}")
    plain = client.get("/search?q=seed")
    zipped = client.get("/search?q=seed", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data) / 3
    auth.login("partner")
    assert "Content-Encoding" not in client.get("/search?q=seed", headers={"Accept-Encoding": "gzip"}).headers
