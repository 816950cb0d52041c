"""The command line: users create, seed-demo."""

from portal.extensions import db
from portal.models import Item, Organisation, User
from tests.helpers import programme


def test_users_create_a_partner_creates_its_organisation_and_partnerships(runner):
    result = runner.invoke(args=["users", "create", "Ana@Example.org", "--role", "partner", "--organisation",
                                 "Lima Circular Lab", "--programme", "sle", "--programme", "sfs", "--password",
                                 "a long enough passphrase"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "ana@example.org"))
    assert user.active and user.organisation.name == "Lima Circular Lab"
    assert set(user.organisation.programmes) == {programme("sle"), programme("sfs")}


def test_users_create_a_moderator_and_prompts_for_the_password(runner):
    result = runner.invoke(args=["users", "create", "desk@example.org", "--role", "moderator", "--programme", "st"],
                           input="a long enough passphrase\na long enough passphrase\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "desk@example.org"))
    assert user.moderated_programmes == [programme("st")]


def test_users_create_refuses_bad_input_clearly(runner):
    common = runner.invoke(args=["users", "create", "x@example.org", "--role", "admin", "--password", "password"])
    assert common.exit_code != 0 and "common" in common.output
    unknown = runner.invoke(args=["users", "create", "y@example.org", "--role", "moderator", "--programme", "zz",
                                  "--password", "a long enough passphrase"])
    assert unknown.exit_code != 0 and "unknown programme zz" in unknown.output
    orphan = runner.invoke(args=["users", "create", "z@example.org", "--role", "partner",
                                 "--password", "a long enough passphrase"])
    assert orphan.exit_code != 0 and "--organisation" in orphan.output


def test_seed_demo_prints_the_accounts_and_generates_items_of_every_kind_and_state(runner):
    result = runner.invoke(args=["seed-demo", "--items", "300"])
    assert result.exit_code == 0, result.output
    for email in ("admin@example.org", "moderator@example.org", "partner@example.org"):
        assert email in result.output
    assert db.session.scalar(db.select(db.func.count(Item.id))) == 300
    states = set(db.session.scalars(db.select(Item.state).distinct()))
    assert states == {"draft", "submitted", "changes_requested", "published", "rejected", "withdrawn"}
    assert set(db.session.scalars(db.select(Item.kind).distinct())) == {"initiative", "resource"}
    again = runner.invoke(args=["seed-demo", "--items", "300", "--if-empty"])
    assert "already has items" in again.output
    assert db.session.scalar(db.select(db.func.count(Item.id))) == 300
    assert db.session.scalar(db.select(db.func.count(Organisation.id))) >= 12


def test_reminders_lapse_warns_once_and_a_dry_run_sends_nothing(runner, make_organisation, make_user, make_item):
    from portal.models import OutboxMessage

    organisation = make_organisation("Green Buyers", focal_point_email="focal@green.org")
    make_user(organisation=organisation, email="account@green.org")
    make_item(organisation=organisation, updated_days_ago=700)

    dry = runner.invoke(args=["reminders", "lapse", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would warn: Green Buyers about 1 item (focal@green.org, account@green.org)" in dry.output
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0

    first = runner.invoke(args=["reminders", "lapse"])
    second = runner.invoke(args=["reminders", "lapse"])
    assert "warned: Green Buyers about 1 item" in first.output
    assert second.output.strip() == "Organisations warned: 0; items: 0."
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 2


def test_mail_digests_dry_run_then_twice_mails_each_digest_once(runner, make_user, make_item):
    from datetime import timedelta

    from portal.catalogue import saved_searches
    from portal.models import OutboxMessage, SavedSearch, utcnow

    search = saved_searches.save(make_user("admin"), "q=solar", "Solar", "daily")
    search.created_at = utcnow() - timedelta(days=1)
    db.session.commit()
    make_item(title="Solar cookers", published_at=utcnow())

    dry = runner.invoke(args=["mail", "digests", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Saved searches due: 1. Digests that would be mailed: 1 (new items in all: 1). With nothing new: 0." in (
        dry.output
    )
    first = runner.invoke(args=["mail", "digests"])
    second = runner.invoke(args=["mail", "digests"])
    assert "Digests mailed: 1 " in first.output
    assert "Saved searches due: 0." in second.output
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 1
    assert db.session.scalar(db.select(SavedSearch.last_digest_at)) is not None
