"""Index sync: committed changes reach the index, rolled-back ones never do, leftovers are drained by
the next write (never by a visitor's search), drift is reported, and parallel processes lose no update.
(The index's folders, a missing or broken index: ``test_store.py``.)"""

import multiprocessing

import pytest
from sqlalchemy import func, select, update
from werkzeug.datastructures import MultiDict

from portal import search
from portal.catalogue import workflow
from portal.catalogue.filters import parse_filters
from portal.extensions import db
from portal.models import Item, PortfolioEntry, Sdg, SearchQueueEntry
from tests.helpers import programme

pytestmark = pytest.mark.search_backends("whoosh")  # the Whoosh index itself


def find(**args) -> list[int]:
    """Ids of the public items a search for ``args`` finds."""
    args.setdefault("per_page", "100")
    return [hit.id for hit in search.search(parse_filters(MultiDict(args))).hits]


def staff_ids() -> set[int]:
    """Ids of every indexed item, whatever its state (an admin's staff scope)."""
    everything = parse_filters(MultiDict({"per_page": "100"}), desk=True)
    return {hit.id for hit in search.search(everything, search.SearchScope(public=False)).hits}


def queued() -> int:
    return db.session.scalar(select(func.count(SearchQueueEntry.id)))


def test_a_committed_item_is_searchable_at_once(app, make_item):
    assert find(q="compost") == []
    item = make_item(title="Community compost pilot")
    assert find(q="compost") == [item.id]
    assert queued() == 0


def test_a_rolled_back_change_is_never_indexed(app, make_item):
    item = make_item(title="Reusable packaging scheme")
    find()
    item.title = "Bottle deposit scheme"
    db.session.add(Item(kind="initiative", title="Phantom bottle item", summary="s", organisation=item.organisation))
    db.session.flush()
    db.session.rollback()
    assert queued() == 0
    search.drain()
    assert find(q="bottle") == []
    assert find(q="packaging") == [item.id]


def test_changes_to_child_rows_reach_the_index(app, make_item):
    item = make_item(programmes=("spp",), sdgs=(7,))
    assert find(status="core") == []
    entry = PortfolioEntry(programme=programme("spp"), status="core")
    item.portfolio_entries.append(entry)
    db.session.commit()
    assert find(status="core") == [item.id]

    entry.status = "affiliated"  # only the child row changes
    db.session.commit()
    assert find(status="core") == [] and find(status="affiliated") == [item.id]

    item.sdgs = [db.session.get(Sdg, 12), db.session.get(Sdg, 14)]  # the item_sdgs association
    db.session.commit()
    assert find(sdg="14") == [item.id] and find(sdg="7") == []

    item.countries = ["BR"]
    item.themes = ["plastics"]
    db.session.commit()
    assert find(country="BR", theme="plastics") == [item.id]


def test_a_workflow_decision_reaches_the_index(app, make_item, make_user):
    partner = make_user("partner")
    moderator = make_user("moderator", programmes=("spp",))
    item = make_item(state="draft", organisation=partner.organisation, title="Solar cooker toolkit")
    assert find(q="solar") == [] and item.id in staff_ids()
    workflow.submit(item, partner)
    db.session.commit()
    workflow.approve(item, moderator)
    db.session.commit()
    assert find(q="solar") == [item.id]
    workflow.hide(item, moderator, "Broken link")
    db.session.commit()
    assert find(q="solar") == []


def test_a_deleted_item_leaves_the_index(app, make_item):
    item = make_item(title="Short-lived entry")
    assert find(q="short") == [item.id]
    db.session.delete(item)
    db.session.commit()
    assert find(q="short") == []
    assert item.id not in staff_ids()


def test_leftovers_in_the_queue_wait_for_the_next_write_not_for_a_visitor(app, client, runner, make_item):
    """A worker that committed and died before indexing: the queue keeps the id for any process."""
    item = make_item(title="Original title")
    db.session.execute(update(Item).where(Item.id == item.id).values(title="Renamed by a bulk statement"))
    search.record_changes([item.id])
    db.session.commit()  # drains at once...
    assert find(q="renamed") == [item.id]
    db.session.execute(update(Item).where(Item.id == item.id).values(title="Renamed again quietly"))
    db.session.add(SearchQueueEntry(item_id=item.id))
    db.session.info.pop("search_changed", None)  # as if the worker died right after its commit
    db.session.commit()
    assert queued() == 1
    assert "Nothing found" in client.get("/search?q=quietly").text  # a GET only reads the index
    assert queued() == 1
    make_item(title="Another partner's item")  # the next write drains everything queued
    assert find(q="quietly") == [item.id] and queued() == 0

    db.session.add(SearchQueueEntry(item_id=item.id))
    db.session.info.pop("search_changed", None)
    db.session.commit()
    result = runner.invoke(args=["search", "drain"])
    assert result.exit_code == 0 and "Indexed 1 queued change" in result.output
    assert queued() == 0


def test_an_item_ages_out_without_any_reindex(app, make_item):
    item = make_item(title="Ageing item", updated_days_ago=700)
    assert find(q="ageing") == [item.id]
    app.config["INACTIVE_AFTER_DAYS"] = 600  # as if 100 days had passed
    assert find(q="ageing") == []


def test_reindex_and_check_commands(app, runner, make_item):
    items = [make_item(title=f"Reindexed item {n}") for n in range(3)]
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "3 items" in result.output
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0, result.output

    # Drift: change the database behind the index's back.
    db.session.execute(update(Item).where(Item.id == items[1].id).values(title="Changed behind its back"))
    db.session.commit()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert str(items[1].id) in result.output
    assert find(q="reindexed") and runner.invoke(args=["search", "reindex"]).exit_code == 0
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def test_a_change_committed_after_a_later_one_still_reaches_the_index(app, make_item):
    """Queue ids are handed out at insert and may commit out of order (two PostgreSQL transactions):
    a host that has applied id 12 must still apply id 11 when it commits later. Positions, given
    after commit, follow commit order."""
    early, late = make_item(title="Early item"), make_item(title="Late item")
    queue = SearchQueueEntry.__table__
    with db.engine.begin() as connection:
        last = connection.scalar(select(func.max(queue.c.id))) or 0
        connection.execute(update(Item.__table__).where(Item.id == late.id).values(title="Late item renamed"))
        connection.execute(queue.insert(), {"id": last + 12, "item_id": late.id})
    search.drain()
    assert find(q="renamed") == [late.id]
    with db.engine.begin() as connection:  # the transaction that took id 11 commits now
        connection.execute(update(Item.__table__).where(Item.id == early.id).values(title="Early item reworded"))
        connection.execute(queue.insert(), {"id": last + 11, "item_id": early.id})
    search.drain()
    assert find(q="reworded") == [early.id]


def _worker(config: dict, number: int, partner_id: int, moderator_id: int, rounds: int) -> None:
    """Submit, approve and edit items through the real services, committing each step."""
    from portal import create_app
    from portal.models import Organisation, Programme, User

    app = create_app(config)
    with app.app_context():
        partner = db.session.get(User, partner_id)
        moderator = db.session.get(User, moderator_id)
        spp = db.session.scalar(select(Programme).where(Programme.slug == "spp"))
        organisation = db.session.get(Organisation, partner.organisation_id)
        for round_ in range(rounds):
            item = Item(
                kind="initiative",
                title=f"Worker{number} item{round_} draft",
                summary="Parallel test item.",
                organisation=organisation,
                state="draft",
            )
            item.programmes = [spp]
            item.sdgs = [db.session.get(Sdg, 12)]
            db.session.add(item)
            db.session.commit()
            workflow.submit(item, partner)
            db.session.commit()
            workflow.approve(item, moderator)
            db.session.commit()
            item.title = f"Worker{number} item{round_} final"
            db.session.commit()


@pytest.mark.slow
def test_parallel_processes_lose_no_update(app, make_user):
    partner = make_user("partner", programmes=("spp",))
    moderator = make_user("moderator", programmes=("spp",))
    find()
    config = {key: app.config[key] for key in ("TESTING", "SECRET_KEY", "SEARCH_INDEX_DIR", "UPLOAD_DIR",
                                                "RATELIMIT_ENABLED", "BASE_URL", "PASSWORD_HASH_METHOD")}
    config["DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
    context = multiprocessing.get_context("spawn")
    workers, rounds = 3, 6
    processes = [
        context.Process(target=_worker, args=(config, number, partner.id, moderator.id, rounds))
        for number in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    drift = search.check()
    assert drift == {"missing": [], "stale": [], "extra": [], "duplicates": []}
    assert len(find(q="final")) == workers * rounds
    assert find(q="draft") == []
    assert queued() == 0


def test_seed_demo_leaves_a_complete_index(app, runner):
    from portal.catalogue.visibility import public_clause

    result = runner.invoke(args=["seed-demo", "--items", "60"])
    assert result.exit_code == 0, result.output
    assert "Indexed 60 items" in result.output
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    public = db.session.scalar(select(func.count(Item.id)).where(public_clause()))
    assert search.search(parse_filters(MultiDict())).total == public > 0
