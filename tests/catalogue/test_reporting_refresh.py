"""Dashboards kept up to date by the refresher thread: after every kind of change, the figures a desk
sees are the ones a direct computation gives (once the thread has run), and until then the previous
ones, marked as being refreshed."""

import csv
import io
from dataclasses import replace

import pytest

from portal.catalogue import portfolio, reporting, workflow
from portal.catalogue.reporting import period
from portal.catalogue.reporting.dashboard import _compute_dashboard
from portal.catalogue.reporting.refresh import EXTENSION
from portal.extensions import db
from portal.models import Item
from tests.helpers import contribute, programme, this_year, travel


@pytest.fixture
def background(app):
    app.config["REPORTING_REFRESH_IN_BACKGROUND"] = True


def current_scope() -> reporting.ReportScope:
    """This year's scope of spp, as a request makes it (``period.utcnow``: travels with the portal's clocks)."""
    now = period.utcnow()
    return reporting.ReportScope(programme("spp"), reporting.reporting_period(reporting.current_year(now)), now)


def wait(app) -> None:
    for keeper in app.extensions.get(EXTENSION, {}).values():
        keeper.wait()


def shown(app) -> reporting.Dashboard:
    """What a desk sees once the refresher has caught up; it must equal a direct computation."""
    first = reporting.dashboard(current_scope())
    wait(app)
    board = reporting.dashboard(current_scope())
    assert not board.refreshing
    direct = _compute_dashboard(current_scope())
    assert replace(board, computed_at=None, scope=direct.scope) == direct
    return first


def test_every_kind_of_change_reaches_the_dashboard(app, background, make_item, make_user, monkeypatch):
    organisation_item = make_item(state="draft")
    partner = make_user("partner", organisation=organisation_item.organisation)
    desk = make_user("moderator", programmes=("spp", "sfs"))
    before = shown(app)
    assert not before.refreshing  # the first dashboard of a scope is computed when asked

    def item() -> Item:
        return db.session.get(Item, organisation_item.id)

    workflow.submit(item(), partner)
    db.session.commit()
    after_submission = shown(app)
    assert after_submission.refreshing and after_submission.summary == before.summary  # the previous figures
    assert reporting.dashboard(current_scope()).summary.reported == before.summary.reported + 1

    workflow.approve(item(), desk)
    db.session.commit()
    assert shown(app).refreshing

    item().programmes.append(programme("sfs"))
    db.session.commit()
    portfolio.set_portfolio_status(item(), desk, programme("spp"), "core", notify=False)
    db.session.commit()
    assert shown(app).refreshing

    lapsing = make_item(organisation=organisation_item.organisation, updated_days_ago=729)
    assert lapsing.state == "published"
    shown(app)
    travel(monkeypatch, 2)  # it leaves public view at midnight: the day is part of what a dashboard is for
    assert shown(app).refreshing


def test_without_the_background_setting_a_change_shows_at_once(app, make_item, make_user):
    draft = make_item(state="draft")
    partner = make_user("partner", organisation=draft.organisation)
    reported = reporting.dashboard(current_scope()).summary.reported
    workflow.submit(db.session.get(Item, draft.id), partner)
    db.session.commit()
    board = reporting.dashboard(current_scope())
    assert not board.refreshing and board.summary.reported == reported + 1


def test_pages_and_csvs_show_the_kept_figures_until_the_refresh_made_after_the_answer(
    app, background, client, auth, make_organisation, make_item
):
    partner = make_organisation("Quiet partner")
    auth.login("moderator", programmes=("spp",))

    def reported() -> str:
        rows = list(csv.reader(io.StringIO(client.get("/desk/reporting.csv?programme=spp").data.decode("utf-8-sig"))))
        return {row[0]: row[4] for row in rows[1:]}["Quiet partner"]

    assert reported() == "no"  # the first one of its scope is computed when asked
    contribute(make_item(organisation=partner), "item.submitted", this_year())
    assert reported() == "no"  # the kept figures at once, the CSV like the page
    assert client.get("/desk/reporting?programme=spp").status_code == 200
    wait(app)  # the refresh the answers asked for
    assert reported() == "yes"


def test_public_achievements_are_kept_and_refreshed_like_the_dashboards(app, background, make_item):
    make_item(programmes=("spp",))
    assert reporting.public_achievements(programme("spp")).items == 1  # the first one is computed when asked
    make_item(programmes=("spp",))
    assert reporting.public_achievements(programme("spp")).items == 1  # the kept figures at once
    wait(app)
    assert reporting.public_achievements(programme("spp")).items == 2
