"""Lapse warnings: one mail per organisation about its items that become inactive soon, once per item and
lapse, to its partner accounts and focal point."""

from datetime import timedelta

import pytest

from portal.catalogue import lapses, submission
from portal.catalogue.visibility import becomes_inactive_soon, becomes_inactive_soon_clause
from portal.extensions import db
from portal.models import Item, LapseWarning, OutboxMessage, utcnow

WINDOW = 730  # INACTIVE_AFTER_DAYS
WARNING = 60  # INACTIVE_WARNING_DAYS


def mails() -> list[OutboxMessage]:
    return db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.recipient)).all()


def test_an_item_about_to_lapse_produces_one_warning_mail_with_the_link_to_confirm_it(
    make_organisation, make_user, make_item
):
    organisation = make_organisation("Green Buyers", focal_point_email="focal@green.org",
                                     alternate_emails=["alt@green.org"])
    make_user(organisation=organisation, email="account@green.org")
    soon = make_item(organisation=organisation, title="Eco-labels guide", updated_days_ago=WINDOW - 10)
    make_item(organisation=organisation, title="Fresh", updated_days_ago=10)
    make_item(organisation=organisation, title="Gone already", updated_days_ago=WINDOW + 5)
    make_item(organisation=organisation, title="A draft", state="draft", updated_days_ago=WINDOW - 10)

    outcomes = lapses.send_lapse_warnings()
    db.session.commit()

    assert [(o.organisation, [lapse.title for lapse in o.lapses], o.recipients) for o in outcomes] == [
        ("Green Buyers", ["Eco-labels guide"], ("focal@green.org", "account@green.org"))
    ]
    assert [(m.recipient, m.cc) for m in mails()] == [("account@green.org", ""), ("focal@green.org", "")]
    body = mails()[0].body
    assert "Eco-labels guide" in body
    assert f"http://portal.test/my/items/{soon.id}" in body
    assert "http://portal.test/my/items?lapsing=1" in body
    assert mails()[0].subject == "1 item of Green Buyers becomes inactive soon"

    assert lapses.send_lapse_warnings() == []
    db.session.commit()
    assert len(mails()) == 2
    assert db.session.scalar(db.select(db.func.count(LapseWarning.id))) == 1


def test_an_item_confirmed_and_aged_again_is_warned_about_its_new_lapse(make_organisation, make_user, make_item):
    organisation = make_organisation()
    partner = make_user(organisation=organisation)
    item = make_item(organisation=organisation, updated_days_ago=WINDOW - 10)
    lapses.send_lapse_warnings()
    db.session.commit()

    submission.confirm_active(item, partner)
    db.session.commit()
    assert lapses.send_lapse_warnings() == []

    later = utcnow() + timedelta(days=WINDOW - 20)
    (outcome,) = lapses.send_lapse_warnings(later)
    db.session.commit()
    assert [lapse.item_id for lapse in outcome.lapses] == [item.id]
    assert db.session.scalar(db.select(db.func.count(LapseWarning.id))) == 2


def test_a_dry_run_sends_and_records_nothing_and_an_organisation_nobody_can_read_is_not_recorded(
    make_organisation, make_item
):
    unreachable = make_organisation("Nobody home")
    make_item(organisation=unreachable, updated_days_ago=WINDOW - 1)
    reachable = make_organisation("Focal only", focal_point_email="focal@only.org")
    make_item(organisation=reachable, updated_days_ago=WINDOW - 1)

    dry = lapses.send_lapse_warnings(dry_run=True)
    db.session.commit()
    assert [(o.organisation, o.sent) for o in dry] == [("Focal only", True), ("Nobody home", False)]
    assert mails() == [] and db.session.scalar(db.select(db.func.count(LapseWarning.id))) == 0

    lapses.send_lapse_warnings()
    db.session.commit()
    assert [m.recipient for m in mails()] == ["focal@only.org"]
    again = lapses.send_lapse_warnings()
    assert [(o.organisation, o.sent) for o in again] == [("Nobody home", False)]


@pytest.mark.parametrize("days_ago", [0, 1, WINDOW - WARNING - 1, WINDOW - WARNING, WINDOW - WARNING + 1, WINDOW - 1,
                                      WINDOW, WINDOW + 1])
def test_the_sql_and_python_forms_of_about_to_lapse_agree(make_item, days_ago):
    item = make_item(updated_days_ago=days_ago)
    for now in (utcnow(), utcnow().replace(hour=0, minute=0, second=1), utcnow().replace(hour=23, minute=59)):
        in_sql = db.session.scalar(db.select(Item.id).where(becomes_inactive_soon_clause(now))) is not None
        assert in_sql == becomes_inactive_soon(item, now), (days_ago, now)
