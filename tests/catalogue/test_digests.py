"""Digests of saved searches: what is new, public and matching, mailed once."""

from datetime import datetime, time, timedelta

import pytest

from portal.catalogue import NotFound, PermissionDenied, RuleViolation, digests, saved_searches
from portal.extensions import db
from portal.models import Item, OutboxMessage, SavedSearch, SavedSearchDigest, utcnow

pytestmark = pytest.mark.search_backends()



def tomorrow_morning() -> datetime:
    """8:00 tomorrow: a daily digest is due then, and a second run two hours later is the same day
    (``utcnow()`` plus a day could fall on either side of midnight)."""
    return datetime.combine(utcnow().date() + timedelta(days=1), time(8))


def mails() -> list[OutboxMessage]:
    return db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()


@pytest.fixture
def subscriber(make_user):
    return make_user("moderator", email="reader@example.org")


def saved(user, query="q=solar", frequency="daily", name="Solar") -> SavedSearch:
    found = saved_searches.save(user, query, name, frequency)
    db.session.commit()
    return found


def published(make_item, title, **fields):
    return make_item(title=title, **{"published_at": utcnow(), **fields})


def test_a_digest_lists_the_new_public_items_that_match_and_is_sent_once(subscriber, make_item):
    before = published(make_item, "Solar cookers before saving")
    search = saved(subscriber, "q=solar&programme=spp")
    match = published(make_item, "Solar cookers for schools")
    published(make_item, "Wind farms")
    published(make_item, "Solar in another programme", programmes=("sfs",))
    published(make_item, "Solar but hidden", hidden=True)
    make_item(title="Solar draft", state="draft", published_at=utcnow())
    make_item(title="Solar inactive", published_at=utcnow(), updated_days_ago=800)

    run = digests.send_digests(tomorrow_morning())
    db.session.commit()

    assert (run.due, run.sent, run.items) == (1, 1, 1)
    (message,) = mails()
    assert message.recipient == "reader@example.org"
    assert message.subject == "1 new item: Solar"
    assert "Solar cookers for schools" in message.body and f"http://portal.test/items/{match.id}" in message.body
    for absent in ("before saving", "Wind", "another programme", "hidden", "draft", "inactive"):
        assert absent not in message.body
    assert "http://portal.test/unsubscribe/" in message.body
    assert "http://portal.test/search?q=solar&programme=spp&sort=newest" in message.body
    record = db.session.scalar(db.select(SavedSearchDigest))
    assert (record.saved_search_id, record.item_ids, record.message_id) == (search.id, [match.id], message.id)
    assert before.id not in record.item_ids

    again = digests.send_digests(tomorrow_morning() + timedelta(hours=2))
    db.session.commit()
    assert (again.due, again.sent) == (0, 0)
    assert len(mails()) == 1


def test_nothing_is_mailed_when_nothing_is_new_and_the_next_digest_starts_where_the_last_ended(subscriber, make_item):
    search = saved(subscriber)
    first = digests.send_digests(tomorrow_morning())
    db.session.commit()
    assert (first.due, first.sent, first.empty) == (1, 0, 1)
    assert mails() == []

    db.session.refresh(search)
    published(make_item, "Solar pumps", published_at=search.last_digest_at + timedelta(minutes=1))
    second = digests.send_digests(tomorrow_morning() + timedelta(days=1))
    db.session.commit()
    assert second.sent == 1
    assert "Solar pumps" in mails()[0].body


def test_a_weekly_digest_waits_seven_days(subscriber, make_item):
    saved(subscriber, frequency="weekly")
    published(make_item, "Solar dryers")
    assert digests.send_digests(utcnow() + timedelta(days=6)).due == 0
    run = digests.send_digests(utcnow() + timedelta(days=7, hours=1))
    assert run.sent == 1


def test_an_item_hidden_before_the_digest_is_left_out_whatever_the_index_says(subscriber, make_item):
    saved(subscriber)
    item = published(make_item, "Solar stoves")
    # A bulk statement bypasses the index sync: the index still holds the item as public.
    db.session.execute(db.update(Item).where(Item.id == item.id).values(hidden=True))
    db.session.commit()
    assert digests.send_digests(tomorrow_morning()).sent == 0


def test_a_dry_run_counts_without_mailing_or_moving_the_period(subscriber, make_item):
    search = saved(subscriber)
    published(make_item, "Solar kiosks")
    dry = digests.send_digests(tomorrow_morning(), dry_run=True)
    db.session.commit()
    assert (dry.due, dry.sent, dry.items) == (1, 1, 1)
    assert mails() == []
    db.session.refresh(search)
    assert search.last_digest_at is None
    assert digests.send_digests(tomorrow_morning()).sent == 1


def test_a_deactivated_account_gets_no_digest(subscriber, make_item):
    saved(subscriber)
    published(make_item, "Solar lamps")
    subscriber.active = False
    db.session.commit()
    assert digests.send_digests(tomorrow_morning()).due == 0


def test_many_subscribers_of_one_search_each_get_their_digest(make_user, make_item):
    readers = [make_user("partner") for _ in range(3)]
    for reader in readers:
        saved(reader, "sdg=7")
    published(make_item, "Clean cooking", sdgs=(7,))
    run = digests.send_digests(tomorrow_morning())
    db.session.commit()
    assert run.sent == 3
    assert sorted(m.recipient for m in mails()) == sorted(reader.email for reader in readers)


def test_saving_checks_the_filters_and_the_frequency(subscriber):
    with pytest.raises(RuleViolation, match="Unknown programme"):
        saved_searches.save(subscriber, "programme=nope", "x", "daily")
    with pytest.raises(RuleViolation, match="Daily"):
        saved_searches.save(subscriber, "q=x", "x", "hourly")
    search = saved_searches.save(subscriber, "?page=3&sort=title&q=solar+cookers&sdg=7&sdg=7", "", "weekly")
    assert (search.query, search.name) == ("q=solar+cookers&sdg=7", "solar cookers")


def test_an_unsubscribe_token_names_one_saved_search_and_cannot_be_forged(subscriber, make_user):
    mine = saved(subscriber)
    theirs_owner = make_user("partner")
    theirs = saved(theirs_owner)
    token = saved_searches.unsubscribe_token(mine)
    assert saved_searches.by_token(token) == mine
    forged = token.replace(token.split(".")[0], saved_searches.unsubscribe_token(theirs).split(".")[0])
    with pytest.raises(NotFound):
        saved_searches.by_token(forged)
    with pytest.raises(PermissionDenied):
        saved_searches.delete(theirs_owner, mine)
    assert saved_searches.unsubscribe(token) == "Solar"
    db.session.commit()
    assert saved_searches.by_token(token) is None
    assert saved_searches.unsubscribe(token) is None
