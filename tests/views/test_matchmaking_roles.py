"""Who may do what with country needs, highlights and links: every action for every role, in one table.

The need's programmes are spp and sfs; the item of the highlight and link actions is in spp's portfolio.
"lead" moderates spp, "other" moderates sfs only, "unrelated" moderates ci; "partner" belongs to the
item's organisation.
"""

from dataclasses import dataclass, replace
from typing import Any

import pytest

from portal.catalogue import needs
from portal.extensions import db
from portal.models import CountryNeed, Highlight, ItemLink, KeyMessage, NeedInterest
from tests.views.test_desk_roles import FORBIDDEN, LOGIN, OK, ROLES, log_in_as

pytestmark = pytest.mark.search_backends()

BAD_INPUT = 400
NEED = needs.NeedData(country="KE", title="Training in green public procurement", programmes=["spp", "sfs"])


@dataclass(frozen=True)
class Action:
    url: str
    data: dict[str, Any] | None = None  # None: a GET
    done: Any = None  # (need, item) → True when the action took effect


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


NEW_NEED = {"country": "KE", "title": "Another need", "programmes": "spp", "save": "Save need"}
ACTIONS = {
    "new need page": Action("/desk/needs/new"),
    "record a need for spp": Action("/desk/needs/new", NEW_NEED, lambda need, item: _count(CountryNeed) == 2),
    "edit page": Action("/desk/needs/{need}/edit"),
    "edit the need": Action(
        "/desk/needs/{need}/edit",
        {"country": "KE", "title": "Renamed need", "programmes": ["spp", "sfs"], "is_open": "y"},
        lambda need, item: need.title == "Renamed need",
    ),
    "match-making page": Action("/desk/matchmaking"),
    "express interest": Action("/needs/{need}/interest", {"message": "We could help."},
                               lambda need, item: _count(NeedInterest) == 1),
    "highlights of spp": Action("/desk/highlights/spp"),
    "add an spp highlight": Action(
        "/desk/highlights/spp",
        {"item": "{item}", "figure_value": "1200", "figure_unit": "people", "figure_measure": "trained"},
        lambda need, item: _count(Highlight) == 1,
    ),
    "spp key messages": Action("/desk/highlights/spp/messages", {"message1": "Buy green."},
                               lambda need, item: _count(KeyMessage) == 1),
    "link the item": Action("/items/{item}/links", {"relation": "related_to", "target": "{other}"},
                            lambda need, item: _count(ItemLink) == 1),
}

# action → expected outcome per role, in the order of ROLES: lead, other, unrelated, partner, anonymous, admin.
TABLE = {
    "new need page": (OK, OK, OK, FORBIDDEN, LOGIN, OK),
    "record a need for spp": (OK, BAD_INPUT, BAD_INPUT, FORBIDDEN, LOGIN, OK),
    "edit page": (OK, OK, FORBIDDEN, FORBIDDEN, LOGIN, OK),
    "edit the need": (OK, OK, FORBIDDEN, FORBIDDEN, LOGIN, OK),
    "match-making page": (OK, OK, OK, FORBIDDEN, LOGIN, OK),
    "express interest": (FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, LOGIN, FORBIDDEN),
    "highlights of spp": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN, OK),
    "add an spp highlight": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN, OK),
    "spp key messages": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN, OK),
    "link the item": (OK, 404, 404, OK, LOGIN, OK),
}
CASES = [(a, r, o) for a, outcomes in TABLE.items() for r, o in zip(ROLES, outcomes, strict=True)]


@pytest.mark.parametrize("action_name, role, expected", CASES, ids=[f"{a}-{r}" for a, r, _ in CASES])
def test_matchmaking_action_by_role(client, auth, make_user, make_item, action_name, role, expected):
    action = ACTIONS[action_name]
    need = needs.create_need(make_user("admin"), NEED)
    item = make_item(programmes=("spp",), portfolio={"spp": "core"})
    other = make_item(programmes=("ci",))
    db.session.commit()
    log_in_as(role, auth, item)
    url = action.url.format(need=need.id, item=item.id)
    if action.data is None:
        response = client.get(url)
    else:
        data = {key: value.format(item=item.id, other=other.id) if isinstance(value, str) else value
                for key, value in action.data.items()}
        response = client.submit(url, data, page="/login" if role == "anonymous" else "/")

    db.session.refresh(need)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    elif expected == OK:
        assert response.status_code in (200, 302), response.text
        assert action.done is None or action.done(need, item)
    else:
        assert response.status_code == expected
        assert action.done is None or not action.done(need, item)


def test_the_match_making_page_lists_only_the_needs_of_the_desks_programmes(client, auth, make_user):
    admin = make_user("admin")
    needs.create_need(admin, NEED)
    needs.create_need(admin, replace(NEED, title="Plastics in tourism", programmes=["st"]))
    db.session.commit()
    auth.login("moderator", programmes=("sfs",))
    page = client.get("/desk/matchmaking").text
    assert "Training in green public procurement" in page
    assert "Plastics in tourism" not in page


def test_the_match_making_page_shows_twenty_needs_a_page(client, auth, make_user):
    admin = make_user("admin")
    for number in range(1, 23):
        needs.create_need(admin, replace(NEED, title=f"Need number {number:02d}"))
    db.session.commit()
    auth.login("moderator", programmes=("spp",))
    first = client.get("/desk/matchmaking").text
    assert "22 open needs" in first and "page 1 of 2" in first
    assert "Need number 22" in first and "Need number 03" in first and "Need number 02" not in first
    second = client.get("/desk/matchmaking?page=2").text
    assert "Need number 02" in second and "Need number 01" in second and "Need number 03" not in second
    assert client.get("/desk/matchmaking?page=x").status_code == 400
