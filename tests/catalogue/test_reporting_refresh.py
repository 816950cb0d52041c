"""Dashboards kept up to date by the refresher thread: after every kind of change, the figures a desk
sees are the ones a direct computation gives (once the thread has run), and until then the previous
ones, marked as being refreshed. They are stored once in the database: another worker, host or
language reads them without computing them."""

import csv
import importlib
import io
from dataclasses import replace

import pytest
from flask_babel import force_locale
from sqlalchemy import update

from portal import vocab
from portal.catalogue import links, portfolio, reporting, workflow
from portal.catalogue.reporting import codec, period, refresh
from portal.catalogue.reporting.dashboard import _compute_dashboard
from portal.catalogue.reporting.refresh import EXTENSION
from portal.extensions import db
from portal.models import Item, Programme, ReportingFigures, utcnow
from tests.helpers import PASSWORD, contribute, programme, this_year, travel
from tests.views.test_reporting import read_csv

dashboard_module = importlib.import_module("portal.catalogue.reporting.dashboard")  # the package's name is a function


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


# --- Stored once for every worker, host and language ----------------------------------------------------------


@pytest.fixture
def computed(monkeypatch) -> list:
    """The dashboards computed from now on (by any app of this process), one entry each."""
    made = []

    def counting(scope):
        made.append(scope.slug)
        return compute(scope)

    compute = dashboard_module._compute_dashboard
    monkeypatch.setattr(dashboard_module, "_compute_dashboard", counting)
    return made


def reported(client, name: str = "Late partner") -> str:
    """Whether the partner ``name`` has reported, as the main CSV says."""
    return {row[0]: row[4] for row in read_csv(client.get("/desk/reporting.csv?programme=spp"))}[name]


def desk_client(app, make_user):
    """A moderator of spp signed in on ``app`` (a worker)."""
    user = make_user("moderator", programmes=("spp",))
    client = app.test_client()
    assert client.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_another_worker_and_another_language_show_the_stored_figures_without_computing_them(
    app, make_app, make_user, make_organisation, make_item, computed
):
    contribute(make_item(organisation=make_organisation("Circular partner"), themes=("circular_economy",)),
               "item.submitted", this_year())
    here, worker = desk_client(app, make_user), desk_client(make_app(), make_user)
    assert here.get("/desk/reporting?programme=spp").status_code == 200
    assert computed == ["spp"]  # never computed before: inside the request
    english = worker.get("/desk/reporting?programme=spp").text
    french = worker.get("/desk/reporting?programme=spp&lang=fr").text
    spanish_csv = read_csv(worker.get("/desk/reporting/themes.csv?programme=spp&lang=es"))
    assert computed == ["spp"]  # the second worker read the first one's figures, in every language
    assert "Circular partner" in english and "Partners active in the last 12 months" in english
    assert "Circular partner" in french and "Partenaires actifs au cours des 12 derniers mois" in french
    assert "Économie circulaire" in french and "Circular economy" not in french
    with force_locale("es"):
        assert [vocab.label(vocab.THEMES, "circular_economy"), "1"] in spanish_csv[1:]


def test_what_another_worker_reads_equals_what_was_computed(app, make_app, make_organisation, make_item, computed):
    partner = make_organisation("Partner with a record")
    contribute(make_item(organisation=partner, sdgs=(7,), countries=("KE",)), "item.submitted", this_year())
    computed_here = reporting.dashboard(current_scope())
    db.session.commit()
    with make_app().app_context():
        read_there = reporting.dashboard(current_scope())
    assert computed == ["spp"]  # read from the database and decoded there
    assert replace(read_there, scope=None) == replace(computed_here, scope=None)
    assert read_there.gaps == computed_here.gaps and read_there.health.summary == computed_here.health.summary


def test_one_worker_recomputes_stale_figures_while_the_others_serve_them(
    app, background, make_app, make_user, make_organisation, make_item, computed
):
    workers = [app, make_app(), make_app()]
    clients = [desk_client(worker, make_user) for worker in workers]
    late = make_organisation("Late partner")

    assert reported(clients[0]) == "no"
    assert computed == ["spp"]
    contribute(make_item(organisation=late), "item.submitted", this_year())
    for client in clients:  # the stored figures at once (or the new ones, once a worker has made them)
        assert reported(client) in ("no", "yes")
    for worker in workers:
        wait(worker)
    assert computed == ["spp", "spp"]  # one worker recomputed them; the others found them claimed or current
    assert [reported(client) for client in clients] == ["yes", "yes", "yes"]


def test_a_worker_shows_the_new_figures_another_stored_and_lets_go_of_the_old_before_reading_them(
    app, background, make_app, make_user, make_organisation, make_item, computed, monkeypatch
):
    computing, reading = desk_client(app, make_user), desk_client(other := make_app(), make_user)
    late = make_organisation("Late partner")
    assert reported(computing) == reported(reading) == "no"  # decoded in the reading worker
    contribute(make_item(organisation=late), "item.submitted", this_year())
    assert reported(computing) == "no"
    wait(app)  # the computing worker stored the new figures
    kept_while_decoding = []
    loads = codec.loads

    def watched(cls, text):
        kept_while_decoding.extend(dict(keeper.decoded) for keeper in other.extensions[EXTENSION].values())
        return loads(cls, text)

    monkeypatch.setattr(codec, "loads", watched)
    assert reported(reading) == "yes"
    assert computed == ["spp", "spp"]  # read, not computed, by the reading worker
    assert kept_while_decoding and not any(kept_while_decoding)  # the old figures were let go first


def test_figures_a_process_claimed_and_never_stored_are_taken_over_once_the_claim_is_old(
    app, background, make_app, make_user, make_organisation, make_item, computed, monkeypatch
):
    client, late = desk_client(app, make_user), make_organisation("Late partner")
    assert reported(client) == "no"
    contribute(make_item(organisation=late), "item.submitted", this_year())
    db.session.execute(update(ReportingFigures).values(claimed_at=utcnow()))  # a worker died computing them
    db.session.commit()
    assert reported(client) == "no"
    wait(app)
    assert computed == ["spp"]  # left to the worker that claimed them
    monkeypatch.setattr(refresh, "CLAIM_SECONDS", 0)  # ... until its claim is old
    assert reported(client) == "no"
    wait(app)
    assert computed == ["spp", "spp"]
    assert reported(client) == "yes"


def test_figures_stored_by_a_release_with_other_fields_are_computed_again(app, make_item, computed):
    reporting.dashboard(current_scope())
    db.session.execute(update(ReportingFigures).values(format="0123456789abcdef"))
    db.session.commit()
    reporting.dashboard(current_scope())
    assert computed == ["spp", "spp"]


def test_warm_prepares_this_years_figures_so_that_no_first_view_computes_them(
    app, background, make_app, make_user, make_item, computed, monkeypatch
):
    make_item(programmes=("spp",))
    client = desk_client(make_app(), make_user)
    reporting.warm()  # wsgi.py, as a worker boots
    wait(app)
    assert sorted(computed) == sorted([*(p.slug for p in db.session.scalars(db.select(Programme))), "all"])
    achievements = importlib.import_module("portal.catalogue.reporting.achievements")
    monkeypatch.setattr(achievements, "compute_achievements", lambda *args: pytest.fail("computed in the request"))
    monkeypatch.setattr(links, "_count_links", lambda *args: pytest.fail("links counted in the request"))
    assert client.get("/desk/reporting?programme=spp").status_code == 200
    assert len(computed) == 7  # the other worker read them
    assert app.test_client().get("/programmes/spp").status_code == 200  # and the achievements


def test_reporting_refresh_prepares_the_years_asked_for_once(app, runner, make_app, make_user, computed):
    year = reporting.current_year()
    client = desk_client(make_app(), make_user)
    first = runner.invoke(args=["reporting", "refresh", "--year", str(year), "--year", str(year - 1)])
    assert first.exit_code == 0, first.output
    # 7 scopes in 2 years; the achievements and link counts of 6 programmes
    assert "Reporting figures computed: 26; already up to date: 0." in first.output
    again = runner.invoke(args=["reporting", "refresh", "--year", str(year), "--year", str(year - 1)])
    assert "Reporting figures computed: 0; already up to date: 26." in again.output
    assert client.get(f"/desk/reporting?programme=spp&year={year - 1}").status_code == 200
    assert len(computed) == 14  # last year's dashboard came from the database too
    assert runner.invoke(args=["reporting", "refresh", "--year", "1999"]).exit_code == 2
