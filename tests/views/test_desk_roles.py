"""Who may do what on the desk: every desk action for every role, in one table.

The item's programmes are spp (lead) and sfs. "lead" moderates spp, "other" moderates sfs only,
"unrelated" moderates ci; "partner" belongs to the item's organisation.
"""

from dataclasses import dataclass
from typing import Any

import pytest

from portal.extensions import db
from portal.models import Comment, Item, OutboxMessage
from tests.helpers import programme


@dataclass(frozen=True)
class Action:
    """A desk request: the item's state before, the request, and how to tell that it took effect."""

    url: str
    data: dict[str, Any] | None = None  # None: a GET
    state: str = "published"
    hidden: bool = False

    def done(self, item: Item) -> bool:
        raise NotImplementedError


class Decision(Action):
    def done(self, item):
        return item.state != "submitted"


class Portfolio(Action):
    def done(self, item):
        return any(entry.status == "core" for entry in item.portfolio_entries)


class Hide(Action):
    def done(self, item):
        return item.hidden


class Unhide(Action):
    def done(self, item):
        return not item.hidden


class Commented(Action):
    def done(self, item):
        return db.session.scalar(db.select(Comment).where(Comment.item_id == item.id)) is not None


class Page(Action):
    def done(self, item):
        return True


ACTIONS = {
    "review page": Page("/desk/items/{id}", state="submitted"),
    "approve": Decision("/desk/items/{id}/decision", {"decision": "approve", "status": "none"}, state="submitted"),
    "reject": Decision("/desk/items/{id}/decision", {"decision": "reject", "message": "Off topic."}, state="submitted"),
    "request changes": Decision(
        "/desk/items/{id}/decision", {"decision": "request_changes", "message": "Add a link."}, state="submitted"
    ),
    "portfolio of lead programme": Portfolio("/desk/items/{id}/portfolio/spp", {"spp-status": "core"}),
    "portfolio of other programme": Portfolio("/desk/items/{id}/portfolio/sfs", {"sfs-status": "core"}),
    "hide": Hide("/desk/items/{id}/hide", {"reason": "Broken link."}),
    "unhide": Unhide("/desk/items/{id}/unhide", {}, hidden=True),
    "comment": Commented("/desk/items/{id}/comments", {"body": "Could you add the report?"}, state="submitted"),
    "approve selected (queue)": Decision("/desk/approve", {"item": "{id}"}, state="submitted"),
}

OK, FORBIDDEN, HIDDEN, LOGIN = "ok", 403, 404, "login"
SKIPPED = "skipped"  # a bulk action leaves the item alone and says so
ROLES = ("lead", "other", "unrelated", "partner", "anonymous", "admin")

# action → expected outcome per role, in the order of ROLES.
TABLE = {
    "review page": (OK, OK, HIDDEN, FORBIDDEN, LOGIN, OK),
    "approve": (OK, FORBIDDEN, HIDDEN, FORBIDDEN, LOGIN, OK),
    "reject": (OK, FORBIDDEN, HIDDEN, FORBIDDEN, LOGIN, OK),
    "request changes": (OK, FORBIDDEN, HIDDEN, FORBIDDEN, LOGIN, OK),
    "portfolio of lead programme": (OK, FORBIDDEN, HIDDEN, FORBIDDEN, LOGIN, OK),
    "portfolio of other programme": (FORBIDDEN, OK, HIDDEN, FORBIDDEN, LOGIN, OK),
    "hide": (OK, FORBIDDEN, HIDDEN, FORBIDDEN, LOGIN, OK),
    "unhide": (OK, FORBIDDEN, HIDDEN, FORBIDDEN, LOGIN, OK),
    "comment": (OK, OK, HIDDEN, FORBIDDEN, LOGIN, OK),
    "approve selected (queue)": (OK, SKIPPED, SKIPPED, FORBIDDEN, LOGIN, OK),
}
CASES = [
    (action, role, outcome) for action, outcomes in TABLE.items() for role, outcome in zip(ROLES, outcomes, strict=True)
]


def log_in_as(role, auth, item):
    if role == "anonymous":
        return None
    if role == "partner":
        return auth.login(user=auth.make_user("partner", organisation=item.organisation))
    if role == "admin":
        return auth.login("admin")
    moderated = {"lead": ("spp",), "other": ("sfs",), "unrelated": ("ci",)}[role]
    return auth.login("moderator", programmes=moderated)


@pytest.mark.parametrize("action_name, role, expected", CASES, ids=[f"{a}-{r}" for a, r, _ in CASES])
def test_desk_action_by_role(client, auth, make_item, action_name, role, expected):
    action = ACTIONS[action_name]
    item = make_item(programmes=("spp", "sfs"), state=action.state, hidden=action.hidden)
    log_in_as(role, auth, item)
    url = action.url.format(id=item.id)
    if action.data is None:
        response = client.get(url)
    else:
        data = {key: value.format(id=item.id) for key, value in action.data.items()}
        response = client.submit(url, data, page="/login" if role == "anonymous" else "/")

    db.session.refresh(item)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    elif expected == OK:
        assert response.status_code in (200, 302), response.text
        assert action.done(item)
    elif expected == SKIPPED:
        assert response.status_code == 302
        assert not action.done(item)
        assert db.session.scalar(db.select(OutboxMessage.id)) is None
        page = client.get(response.headers["Location"]).text
        assert "Not approved:" in page
        assert (item.title in page) == (role == "other")  # the unrelated desk learns nothing about the item
    else:
        assert response.status_code == expected
        if not isinstance(action, Page):
            assert not action.done(item)
            assert db.session.scalar(db.select(OutboxMessage.id)) is None  # nobody was told anything
    if expected == HIDDEN:
        assert item.title not in response.text  # the unrelated desk learns nothing about the item


@pytest.mark.parametrize("role, listed", [("lead", True), ("other", True), ("unrelated", False), ("admin", True)])
def test_monitoring_and_queue_show_an_item_only_to_its_programmes_desks(client, auth, make_item, role, listed):
    submitted = make_item(programmes=("spp", "sfs"), state="submitted", title="Submitted procurement pilot")
    draft = make_item(programmes=("spp", "sfs"), state="draft", title="Draft procurement toolkit")
    log_in_as(role, auth, submitted)
    queue = client.get("/desk/").text
    monitoring = client.get("/desk/monitoring").text
    assert (submitted.title in queue) == listed
    assert (submitted.title in monitoring) == listed
    assert (draft.title in monitoring) == listed
    assert draft.title not in queue


@pytest.mark.parametrize("url", ["/desk/", "/desk/monitoring", "/desk/items/1"])
def test_partners_are_refused_and_visitors_sent_to_log_in(client, auth, url):
    assert client.get(url).headers["Location"].startswith("/login")
    auth.login("partner")
    assert client.get(url).status_code == 403


def test_a_moderator_cannot_set_the_portfolio_of_a_programme_the_item_does_not_have(client, auth, make_item):
    item = make_item(programmes=("spp",))
    auth.login("moderator", programmes=("spp", "ci"))
    response = client.submit(f"/desk/items/{item.id}/portfolio/ci", {"ci-status": "core"}, page="/desk/")
    assert response.status_code == 403
    assert client.submit(f"/desk/items/{item.id}/portfolio/nope", {}, page="/desk/").status_code == 404
    assert item.portfolio_status(programme("ci")) == "none"
