"""The named permission predicates, role by role: what each kind of user may see and do with an item."""

import pytest
from flask_login import AnonymousUserMixin

from portal.catalogue import NotFound, permissions
from portal.catalogue.permissions import item_for
from tests.helpers import programme

ROLES = ("anonymous", "own partner", "other partner", "lead desk", "other desk", "unrelated desk", "admin")
# predicate → whether each role of ROLES passes it, for a submitted item of spp (lead) and sfs
TABLE = {
    "can_view_item": (False, True, False, True, True, False, True),
    "can_see_unpublished": (False, True, False, True, True, False, True),
    "can_comment": (False, True, False, True, True, False, True),
    "can_edit_item": (False, True, False, False, False, False, True),
    "can_decide": (False, False, False, True, False, False, True),
    "moderates_item": (False, False, False, True, True, False, True),
}


@pytest.fixture
def cast(make_user, make_item):
    item = make_item(programmes=("spp", "sfs"), state="submitted")
    users = {
        "anonymous": AnonymousUserMixin(),
        "own partner": make_user("partner", organisation=item.organisation),
        "other partner": make_user("partner"),
        "lead desk": make_user("moderator", programmes=("spp",)),
        "other desk": make_user("moderator", programmes=("sfs",)),
        "unrelated desk": make_user("moderator", programmes=("ci",)),
        "admin": make_user("admin"),
    }
    return item, users


@pytest.mark.parametrize("predicate", TABLE)
def test_each_predicate_by_role(cast, predicate):
    item, users = cast
    check = getattr(permissions, predicate)
    assert tuple(check(users[role], item) for role in ROLES) == TABLE[predicate]


def test_a_public_item_is_for_everyone_to_see_but_not_to_edit(cast):
    item, users = cast
    item.state = "published"
    assert all(permissions.can_view_item(users[role], item) for role in ROLES)
    assert not permissions.can_edit_item(users["other partner"], item)


def test_a_portfolio_belongs_to_its_programmes_desk(cast):
    item, users = cast
    spp, sfs, ci = programme("spp"), programme("sfs"), programme("ci")
    assert permissions.can_set_portfolio(users["lead desk"], item, spp)
    assert permissions.can_set_portfolio(users["other desk"], item, sfs)
    assert not permissions.can_set_portfolio(users["lead desk"], item, sfs)
    assert not permissions.can_set_portfolio(users["admin"], item, ci)  # not one of the item's programmes
    assert permissions.moderates(users["admin"], ci) and not permissions.moderates(users["anonymous"], ci)


def test_accounts_are_managed_by_admins_and_by_the_desks_of_the_partners_programmes(cast, make_user):
    _, users = cast
    partner = make_user("partner", programmes=("sfs",))
    assert permissions.can_manage_account(users["admin"], partner)
    assert permissions.can_manage_account(users["other desk"], partner)
    assert not permissions.can_manage_account(users["lead desk"], partner)
    assert not permissions.can_manage_account(users["other desk"], users["lead desk"])  # only partners
    assert not permissions.can_manage_account(users["own partner"], partner)


def test_an_item_one_may_not_reach_looks_missing(cast):
    item, users = cast
    assert item_for(users["lead desk"], item.id, permissions.can_view_item) is item
    for who in ("anonymous", "other partner", "unrelated desk"):
        with pytest.raises(NotFound):
            item_for(users[who], item.id, permissions.can_view_item)
    with pytest.raises(NotFound):
        item_for(users["admin"], item.id + 1000, permissions.can_view_item)
