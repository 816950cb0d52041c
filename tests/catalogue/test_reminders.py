"""Reporting reminders: who gets one, who is skipped and why, and what is recorded."""

from datetime import timedelta

import pytest

from portal.catalogue import PermissionDenied, RuleViolation, reminders, reporting
from portal.extensions import db
from portal.models import OutboxMessage, Reminder, utcnow
from tests.helpers import contribute, programme, this_year


def test_reminders_go_to_the_active_accounts_of_partners_not_yet_reported_and_are_recorded(
    make_organisation, make_user, make_item
):
    now = utcnow()
    silent, reported, no_account = make_organisation("Silent"), make_organisation("Reported"), make_organisation("X")
    make_user(organisation=silent, email="one@silent.org")
    make_user(organisation=silent, email="two@silent.org")
    make_user(organisation=silent, email="gone@silent.org", active=False)
    make_user(organisation=reported, email="we@reported.org")
    make_user(organisation=no_account, email="inactive@x.org", active=False)
    contribute(make_item(organisation=reported), "item.submitted", this_year())
    moderator = make_user("moderator", programmes=("spp",))

    outcomes = reminders.send_reminders(moderator, programme("spp"), now=now)
    db.session.commit()

    assert {o.organisation: (o.recipients, o.skipped) for o in outcomes} == {
        "Silent": (("one@silent.org", "two@silent.org"), None),
        "X": ((), "no active partner account and no reporting focal point"),
    }
    mails = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.recipient)).all()
    assert [m.recipient for m in mails] == ["one@silent.org", "two@silent.org"]
    assert "Sustainable Public Procurement" in mails[0].subject
    assert "http://portal.test/my/" in mails[0].body
    assert mails[0].topic == "reporting"
    reminder = db.session.scalar(db.select(Reminder))
    assert (reminder.organisation_id, reminder.sent_by_id, reminder.year) == (silent.id, moderator.id, now.year)


def test_a_partner_is_not_reminded_twice_within_the_interval(make_organisation, make_user):
    silent = make_organisation("Silent")
    make_user(organisation=silent)
    first = utcnow() - timedelta(days=6, hours=23)
    reminders.send_reminders(None, programme("spp"), now=first)
    db.session.commit()

    again = reminders.send_reminders(None, programme("spp"))
    db.session.commit()

    assert not again[0].sent
    assert again[0].skipped.startswith("reminded on")
    assert db.session.scalar(db.select(db.func.count(Reminder.id))) == 1
    later = reminders.send_reminders(None, programme("spp"), now=first + timedelta(days=7, minutes=1))
    assert later[0].sent
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 2


def test_a_dry_run_writes_nothing(make_organisation, make_user):
    make_user(organisation=make_organisation("Silent"))
    outcomes = reminders.send_reminders(None, programme("spp"), dry_run=True)
    db.session.commit()
    assert [o.sent for o in outcomes] == [True]
    assert db.session.scalar(db.select(db.func.count(Reminder.id))) == 0
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_reminders_check_the_desk_the_year_and_the_organisation(make_organisation, make_user):
    stranger = make_organisation("Stranger", programmes=("sfs",))
    with pytest.raises(PermissionDenied):
        reminders.send_reminders(make_user("moderator", programmes=("sfs",)), programme("spp"))
    with pytest.raises(RuleViolation):
        reminders.send_reminders(None, programme("spp"), year=reporting.current_year() - 1)
    with pytest.raises(RuleViolation):
        reminders.send_reminders(None, programme("spp"), organisation_ids=[stranger.id])


def test_an_organisation_without_any_account_is_reminded_through_its_focal_point_with_the_alternates_in_copy(
    make_organisation, make_item
):
    make_organisation("No accounts", focal_point_email="focal@noaccounts.org",
                      alternate_emails=["alt1@noaccounts.org", "alt2@noaccounts.org"])

    outcomes = reminders.send_reminders(None, programme("spp"))
    db.session.commit()

    assert [(o.recipients, o.sent) for o in outcomes] == [
        (("focal@noaccounts.org", "alt1@noaccounts.org", "alt2@noaccounts.org"), True)
    ]
    (message,) = db.session.scalars(db.select(OutboxMessage)).all()
    assert (message.recipient, message.cc) == ("focal@noaccounts.org", "alt1@noaccounts.org, alt2@noaccounts.org")
    assert "condition to remain a partner" in message.body
    assert "No accounts has not reported anything to Sustainable Public Procurement yet." in message.body
    assert db.session.scalar(db.select(db.func.count(Reminder.id))) == 1


def test_the_accounts_and_the_focal_point_each_get_one_copy_and_the_reminder_says_what_was_reported_last(
    make_organisation, make_user, make_item
):
    silent = make_organisation("Silent", focal_point_email="focal@silent.org", alternate_emails=["alt@silent.org"])
    make_user(organisation=silent, email="account@silent.org")
    make_user(organisation=silent, email="alt@silent.org")  # an alternate with an account: in copy only
    old = make_item(organisation=silent, title="Green tenders guide")
    contribute(old, "item.submitted", this_year() - timedelta(days=400))
    contribute(make_item(organisation=silent, title="Rejected", state="rejected"), "item.submitted",
               this_year() - timedelta(days=30))

    reminders.send_reminders(None, programme("spp"))
    db.session.commit()

    mails = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.recipient)).all()
    assert [(m.recipient, m.cc) for m in mails] == [("account@silent.org", ""), ("focal@silent.org", "alt@silent.org")]
    assert "What Silent reported last: “Green tenders guide”, submitted on" in mails[0].body
