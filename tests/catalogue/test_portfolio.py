"""Portfolio decisions: who, when, the due-diligence rule for "Affiliated", the audit trail."""

import pytest

from portal.catalogue import PermissionDenied, RuleViolation, audit, portfolio
from portal.extensions import db
from portal.models import AuditEvent, OutboxMessage
from tests.helpers import programme

ALL_CHECKS = ["organisation_verified", "aligned_with_objectives", "information_complete", "no_conflict_of_interest"]


def test_affiliated_needs_the_whole_checklist(make_item, make_user):
    item = make_item(programmes=("spp",))
    desk = make_user("moderator", programmes=("spp",))
    for missing in ALL_CHECKS:
        with pytest.raises(RuleViolation) as error:
            portfolio.set_portfolio_status(
                item, desk, programme("spp"), "affiliated", [c for c in ALL_CHECKS if c != missing]
            )
        assert error.value.field == "checks"
    db.session.rollback()
    assert item.portfolio_status(programme("spp")) == "none"

    entry = portfolio.set_portfolio_status(
        item, desk, programme("spp"), "affiliated", ALL_CHECKS, "Checked the statutes."
    )
    db.session.commit()
    assert (entry.status, entry.checks, entry.notes, entry.decided_by_id) == (
        "affiliated",
        ALL_CHECKS,
        "Checked the statutes.",
        desk.id,
    )


def test_core_and_not_in_portfolio_need_no_checklist(make_item, make_user):
    item = make_item(programmes=("spp",))
    desk = make_user("moderator", programmes=("spp",))
    portfolio.set_portfolio_status(item, desk, programme("spp"), "core", [])
    assert item.portfolio_status(programme("spp")) == "core"
    portfolio.set_portfolio_status(item, desk, programme("spp"), "none", ["organisation_verified"])
    assert item.portfolio_status(programme("spp")) == "none"


@pytest.mark.parametrize("status, checks", [("gold", []), ("core", ["bribed"])])
def test_unknown_statuses_and_checks_are_refused(make_item, make_user, status, checks):
    item = make_item(programmes=("spp",))
    desk = make_user("moderator", programmes=("spp",))
    with pytest.raises(RuleViolation):
        portfolio.set_portfolio_status(item, desk, programme("spp"), status, checks)


@pytest.mark.parametrize("state", ["draft", "submitted", "changes_requested", "rejected", "withdrawn"])
def test_only_a_published_item_enters_a_portfolio(make_item, make_user, state):
    item = make_item(programmes=("spp",), state=state)
    desk = make_user("moderator", programmes=("spp",))
    with pytest.raises(RuleViolation, match="once the item is approved"):
        portfolio.set_portfolio_status(item, desk, programme("spp"), "core")


@pytest.mark.parametrize(
    "role, programmes, slug, allowed",
    [
        ("moderator", ("spp",), "spp", True),  # lead programme's desk
        ("moderator", ("sfs",), "sfs", True),  # another programme's desk, for its own programme
        ("moderator", ("sfs",), "spp", False),  # ... but not for the lead programme
        ("moderator", ("ci",), "ci", False),  # an unrelated desk, even for its own programme
        ("partner", ("spp",), "spp", False),
        ("admin", (), "sfs", True),
    ],
)
def test_the_service_checks_who_decides(make_item, make_user, role, programmes, slug, allowed):
    item = make_item(programmes=("spp", "sfs"))
    actor = make_user(role, programmes=programmes, organisation=item.organisation if role == "partner" else None)
    if allowed:
        portfolio.set_portfolio_status(item, actor, programme(slug), "core")
        assert item.portfolio_status(programme(slug)) == "core"
    else:
        with pytest.raises(PermissionDenied):
            portfolio.set_portfolio_status(item, actor, programme(slug), "core")


def test_each_change_is_an_audit_event_with_before_after_and_notes_and_the_partner_hears_of_it(make_item, make_user):
    item = make_item(programmes=("spp",))
    partner = make_user("partner", organisation=item.organisation)
    desk = make_user("moderator", programmes=("spp",))
    portfolio.set_portfolio_status(item, desk, programme("spp"), "affiliated", ALL_CHECKS, "All documents seen.")
    portfolio.set_portfolio_status(item, desk, programme("spp"), "affiliated", ALL_CHECKS, "All documents seen.")
    portfolio.set_portfolio_status(item, desk, programme("spp"), "core", [], "Now run by the programme.")
    db.session.commit()

    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "item.portfolio_changed").order_by(AuditEvent.id)
    ).all()
    assert [(e.details["before"], e.details["after"], e.message) for e in events] == [
        ("none", "affiliated", "All documents seen."),
        ("affiliated", "core", "Now run by the programme."),
    ]  # the repeated, unchanged decision recorded nothing
    assert audit.describe(events[1]) == (
        f"{desk.name} changed its portfolio status for Sustainable Public Procurement from Affiliated to Core"
    )
    mails = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.recipient, m.subject) for m in mails] == [
        (partner.email, f"Portfolio status: {item.title}"),
        (partner.email, f"Portfolio status: {item.title}"),
    ]
    assert "to Core" in mails[1].body and "Now run by the programme." in mails[1].body


def test_a_first_not_in_portfolio_marks_the_decision_without_a_change_in_the_history(make_item, make_user):
    item = make_item(programmes=("spp",))
    make_user("partner", organisation=item.organisation)
    desk = make_user("moderator", programmes=("spp",))
    entry = portfolio.set_portfolio_status(item, desk, programme("spp"), "none")
    db.session.commit()
    assert (entry.status, entry.decided_by_id) == ("none", desk.id)
    assert db.session.scalar(db.select(AuditEvent.id).where(AuditEvent.item_id == item.id)) is None
    assert db.session.scalar(db.select(OutboxMessage.id)) is None
