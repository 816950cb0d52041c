"""The workflow: which transition starts from which state, who may take it, what it records."""

import pytest

from portal import vocab
from portal.catalogue import PermissionDenied, RuleViolation, audit, workflow
from portal.catalogue.visibility import is_public
from portal.extensions import db
from portal.models import Item

# action → (the call, who takes it)
ACTIONS = {
    "submit": (lambda item, actor: workflow.submit(item, actor), "partner"),
    "approve": (lambda item, actor: workflow.approve(item, actor), "desk"),
    "reject": (lambda item, actor: workflow.reject(item, actor, "Out of scope."), "desk"),
    "request_changes": (lambda item, actor: workflow.request_changes(item, actor, "Add dates."), "desk"),
    "withdraw": (lambda item, actor: workflow.withdraw(item, actor), "partner"),
}
# action → (the state it leads to, the audit event it records)
OUTCOMES = {
    "submit": ("submitted", "item.submitted"),
    "approve": ("published", "item.approved"),
    "reject": ("rejected", "item.rejected"),
    "request_changes": ("changes_requested", "item.changes_requested"),
    "withdraw": ("withdrawn", "item.withdrawn"),
}
ALLOWED_FROM = {
    "submit": {"draft", "changes_requested", "withdrawn"},
    "approve": {"submitted"},
    "reject": {"submitted"},
    "request_changes": {"submitted"},
    "withdraw": {"submitted", "published"},
}


@pytest.fixture
def people(make_user):
    partner = make_user("partner", programmes=("spp",))
    return {
        "partner": partner,
        "desk": make_user("moderator", programmes=("spp",)),
        "other desk": make_user("moderator", programmes=("sfs",)),
        "stranger": make_user("partner", programmes=("spp",)),
    }


def test_each_transition_starts_only_from_its_states(make_item, people):
    for action, (call, who) in ACTIONS.items():
        for state in vocab.values(vocab.STATES):
            item = make_item(organisation=people["partner"].organisation, programmes=("spp", "sfs"), state=state)
            if state in ALLOWED_FROM[action]:
                call(item, people[who])
                db.session.flush()
                assert (item.state, audit.history(item)[-1].action) == OUTCOMES[action], (action, state)
            else:
                with pytest.raises(RuleViolation):
                    call(item, people[who])
                assert item.state == state, (action, state)


def test_only_the_organisation_or_the_lead_desk_acts(make_item, people):
    """A desk of another of the item's programmes decides no publication; a desk never submits."""
    for action, (call, who) in ACTIONS.items():
        start = sorted(ALLOWED_FROM[action])[0]
        item = make_item(organisation=people["partner"].organisation, programmes=("spp", "sfs"), state=start)
        for outsider in ("stranger", "desk") if who == "partner" else ("other desk", "partner"):
            with pytest.raises(PermissionDenied):
                call(item, people[outsider])
        assert item.state == start and audit.history(item) == [], action


def test_a_reason_or_message_is_required(make_item, people):
    item = make_item(organisation=people["partner"].organisation, state="submitted")
    for call in (workflow.reject, workflow.request_changes):
        with pytest.raises(RuleViolation) as error:
            call(item, people["desk"], "  ")
        assert error.value.field == "message"
    item.state = "published"
    with pytest.raises(RuleViolation):
        workflow.hide(item, people["desk"], "")


def test_submitting_renews_the_item_and_approval_keeps_the_published_version(make_item, people):
    item = make_item(organisation=people["partner"].organisation, state="draft", updated_days_ago=900)
    workflow.submit(item, people["partner"])
    assert item.submitted_at == item.updated_at and not is_public(item)
    workflow.approve(item, people["desk"], "Welcome.")
    assert is_public(item) and item.published_at is not None
    assert item.published_snapshot == workflow.snapshot(item)
    assert [(event.action, event.message) for event in audit.history(item)][-2:] == [
        ("item.submitted", ""),
        ("item.approved", "Welcome."),
    ]


def test_hiding_needs_a_published_visible_item_and_unhiding_a_hidden_one(make_item, people):
    desk = people["desk"]
    draft = make_item(state="draft")
    with pytest.raises(RuleViolation):
        workflow.hide(draft, desk, "Broken link.")
    item = make_item()
    with pytest.raises(RuleViolation):
        workflow.unhide(item, desk)
    workflow.hide(item, desk, "Broken link.")
    assert item.hidden and item.hidden_reason == "Broken link." and not is_public(item)
    with pytest.raises(RuleViolation):
        workflow.hide(item, desk, "Again.")
    workflow.unhide(item, desk, "Fixed.")
    assert not item.hidden and item.hidden_reason is None and is_public(item)


def test_withdrawing_takes_the_item_out_of_view_and_keeps_it(make_item, people):
    author = people["partner"]
    item = make_item("initiative", organisation=author.organisation, state="published")
    workflow.withdraw(item, author, "Project ended early")
    db.session.commit()
    assert not is_public(db.session.get(Item, item.id))
    event = audit.history(item)[-1]
    assert (event.action, event.message) == ("item.withdrawn", "Project ended early")
