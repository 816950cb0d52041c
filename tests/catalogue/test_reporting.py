"""Reporting numbers on small worlds whose right answer is known by hand."""

from datetime import date, datetime, timedelta

import pytest

from portal.catalogue import PermissionDenied, RuleViolation, reporting, submission, workflow
from portal.extensions import db
from portal.models import Partnership, utcnow
from tests.helpers import contribute, programme, this_year

# A fixed "now" well after the years under test, so the worlds do not depend on today's date.
NOW = datetime(2025, 1, 10, 12, 0)


def scope(slug: str | None = "spp", year: int = 2024, now: datetime = NOW) -> reporting.ReportScope:
    return reporting.ReportScope(programme(slug) if slug else None, reporting.reporting_period(year), now)


def test_four_partners_three_report_this_year_one_only_last_year_is_75_percent(make_organisation, make_item):
    organisations = [make_organisation(f"Partner {n}") for n in range(4)]
    for organisation in organisations[:3]:
        contribute(make_item(organisation=organisation), "item.submitted", datetime(2024, 3, 1))
    contribute(make_item(organisation=organisations[3]), "item.submitted", datetime(2023, 6, 1))

    board = reporting.dashboard(scope(year=2024))

    assert (board.summary.partners, board.summary.reported) == (4, 3)
    assert board.summary.rate == 0.75
    assert board.summary.target_met and board.summary.to_target == 0
    assert [row.name for row in board.not_reported] == ["Partner 3"]
    trend = {point.year: (point.partners, point.reported) for point in board.trend}
    assert sorted(trend) == [2020, 2021, 2022, 2023, 2024]
    assert trend[2024] == (4, 3)
    assert trend[2023] == (4, 1)


def test_a_draft_a_rejected_item_and_a_mere_creation_do_not_count_but_a_confirmation_does(make_organisation, make_item):
    draft, rejected, created, confirmed, edited = (make_organisation(name) for name in "ABCDE")
    contribute(make_item(organisation=draft, state="draft"), "item.edited", datetime(2024, 5, 1))
    contribute(make_item(organisation=rejected, state="rejected"), "item.submitted", datetime(2024, 5, 1))
    contribute(make_item(organisation=created, state="submitted"), "item.created", datetime(2024, 5, 1))
    contribute(make_item(organisation=confirmed), "item.confirmed", datetime(2024, 5, 1))
    contribute(make_item(organisation=edited, state="changes_requested"), "item.edited", datetime(2024, 12, 31, 23))

    rows = {row.name: row for row in reporting.partner_rows(scope(year=2024))}

    assert {name for name, row in rows.items() if row.reported} == {"D", "E"}
    assert (rows["D"].items, rows["D"].confirmed, rows["D"].submitted) == (1, 1, 0)
    assert rows["E"].updated == 1


def test_the_year_is_half_open_and_its_start_month_is_a_setting(app, make_organisation, make_item):
    organisation = make_organisation()
    item = make_item(organisation=organisation)
    contribute(item, "item.submitted", datetime(2024, 3, 15))

    assert reporting.reporting_period(2024).last_day == date(2024, 12, 31)
    assert reporting.dashboard(scope(year=2024)).summary.reported == 1
    assert reporting.dashboard(scope(year=2023)).summary.reported == 0

    app.config["REPORTING_YEAR_START_MONTH"] = 4
    period = reporting.reporting_period(2023)
    assert (period.start, period.end, period.label) == (datetime(2023, 4, 1), datetime(2024, 4, 1), "2023–24")
    assert reporting.current_year(datetime(2024, 3, 31)) == 2023
    assert reporting.current_year(datetime(2024, 4, 1)) == 2024
    assert reporting.dashboard(scope(year=2023)).summary.reported == 1
    assert reporting.dashboard(scope(year=2024, now=datetime(2025, 5, 1))).summary.reported == 0


def test_an_item_of_two_programmes_counts_for_both(make_organisation, make_item):
    both = make_organisation("Both", programmes=("spp", "sfs"))
    spp_only_item = make_organisation("Other", programmes=("spp", "sfs"))
    contribute(make_item(organisation=both, programmes=("spp", "sfs")), "item.submitted", datetime(2024, 2, 1))
    contribute(make_item(organisation=spp_only_item, programmes=("spp",)), "item.submitted", datetime(2024, 2, 1))

    spp = {row.name: row.reported for row in reporting.partner_rows(scope("spp"))}
    sfs = {row.name: row.reported for row in reporting.partner_rows(scope("sfs"))}

    assert spp == {"Both": True, "Other": True}
    assert sfs == {"Both": True, "Other": False}


def test_partners_are_those_in_partnership_on_the_last_day_of_the_year(make_organisation, make_item):
    on_time = make_organisation("Joined on 31 Dec", joined_on=date(2024, 12, 31))
    late = make_organisation("Joined in 2025", joined_on=date(2025, 1, 2))
    for organisation in (on_time, late):
        contribute(make_item(organisation=organisation), "item.submitted", datetime(2024, 6, 1))

    board = reporting.dashboard(scope(year=2024))

    assert [row.name for row in board.partners] == ["Joined on 31 Dec"]
    assert (board.summary.partners, board.summary.reported, board.summary.rate) == (1, 1, 1.0)


def test_the_trend_counts_each_years_partners_on_its_last_day_once_per_organisation(make_organisation, make_item):
    left = make_organisation("Left in 2023", joined_on=date(2021, 6, 1))
    left.partnerships[0].ended_on = date(2023, 3, 1)
    both = make_organisation("Both", programmes=("sfs", "spp"), joined_on=date(2020, 1, 1))
    next(p for p in both.partnerships if p.programme.slug == "spp").joined_on = date(2022, 12, 31)  # its last day
    brief = make_organisation("Ended on the last day", programmes=("sfs",), joined_on=date(2024, 1, 1))
    brief.partnerships[0].ended_on = date(2024, 12, 31)
    db.session.commit()
    contribute(make_item(organisation=left), "item.submitted", datetime(2022, 5, 1))
    contribute(make_item(organisation=both, programmes=("sfs",)), "item.submitted", datetime(2021, 2, 1))
    contribute(make_item(organisation=both), "item.edited", datetime(2024, 7, 1))
    contribute(make_item(organisation=brief, programmes=("sfs",)), "item.submitted", datetime(2024, 2, 1))

    def trend(slug):
        return [(point.year, point.partners, point.reported) for point in reporting.dashboard(scope(slug)).trend]

    assert trend("spp") == [(2020, 0, 0), (2021, 1, 0), (2022, 2, 1), (2023, 1, 0), (2024, 1, 1)]
    assert trend(None) == [(2020, 1, 0), (2021, 2, 1), (2022, 2, 1), (2023, 1, 0), (2024, 1, 1)]
    partnerships = db.session.scalars(db.select(Partnership)).all()  # the rule in Python: Partnership.active_on
    for year, partners, _ in trend(None):
        last_day = reporting.reporting_period(year).last_day
        assert partners == len({p.organisation_id for p in partnerships if p.active_on(last_day)})


def test_no_partners_gives_no_rate_rather_than_a_division_by_zero(app):
    board = reporting.dashboard(scope())
    assert board.summary.partners == 0
    assert board.summary.rate is None
    assert not board.summary.target_met


def test_target_counts_partners_still_needed(make_organisation, make_item):
    organisations = [make_organisation() for _ in range(5)]
    contribute(make_item(organisation=organisations[0]), "item.submitted", datetime(2024, 6, 1))
    summary = reporting.dashboard(scope()).summary
    assert summary.rate == 0.2
    assert summary.to_target == 3  # 75 % of 5 is 3.75: four partners must report


def test_breakdowns_count_the_items_reported_in_the_year(make_organisation, make_item):
    organisation = make_organisation()
    implementation = make_item(
        organisation=organisation,
        activity_category="implementation",
        sdgs=(7,),
        countries=("KE", "TZ"),
        themes=["plastics"],
        portfolio={"spp": "core"},
    )
    resource = make_item("resource", organisation=organisation, sdgs=(7, 13), countries=("FR",), is_global=True)
    draft = make_item(organisation=organisation, state="draft", activity_category="communication", sdgs=(1,))
    last_year = make_item(organisation=organisation, activity_category="research", countries=("BR",))
    contribute(implementation, "item.submitted", datetime(2024, 2, 1))
    contribute(implementation, "item.edited", datetime(2024, 3, 1))  # the same item again: still one
    contribute(resource, "item.confirmed", datetime(2024, 4, 1))
    contribute(draft, "item.edited", datetime(2024, 4, 1))
    contribute(last_year, "item.submitted", datetime(2023, 4, 1))

    board = reporting.dashboard(scope())

    def counts(rows):
        return {row.key: row.count for row in rows if row.count}

    assert counts(board.counts.kinds) == {"initiative": 1, "resource": 1}
    assert counts(board.counts.categories) == {"implementation": 1}
    assert counts(board.counts.sdgs) == {"7": 2, "12": 2, "13": 1}
    assert counts(board.counts.countries) == {"KE": 1, "TZ": 1, "FR": 1, "global": 1}
    assert counts(board.counts.regions) == {"AF": 1, "EU": 1}  # KE and TZ: one item in Africa
    assert counts(board.counts.themes) == {"plastics": 1}
    assert counts(board.counts.portfolio) == {"core": 1, "none": 1}


def test_champions_have_the_most_items_in_the_year_and_say_what_they_did(make_organisation, make_item):
    busy, quiet, outsider = make_organisation("Busy"), make_organisation("Quiet"), make_organisation("Outsider")
    first, second = make_item(organisation=busy, title="Green tenders"), make_item(organisation=busy, title="Eco")
    contribute(first, "item.submitted", datetime(2024, 1, 5))
    contribute(first, "item.edited", datetime(2024, 2, 5))
    contribute(second, "item.confirmed", datetime(2024, 3, 5))
    contribute(make_item(organisation=quiet), "item.submitted", datetime(2024, 3, 5))
    for _ in range(3):  # lots of events, but in another year
        contribute(make_item(organisation=outsider), "item.submitted", datetime(2023, 3, 5))

    champions = reporting.dashboard(scope()).champions

    assert [(c.name, c.items) for c in champions] == [("Busy", 2), ("Quiet", 1)]
    assert champions[0].what == "1 submission, 1 update, 1 confirmation"
    assert [example.title for example in champions[0].examples] == ["Eco", "Green tenders"]


def test_active_partners_contributed_within_twelve_months_and_gaps_list_the_silent_ones(make_organisation, make_item):
    recent, lapsed, silent = make_organisation("Recent"), make_organisation("Lapsed"), make_organisation("Silent")
    make_item(organisation=silent, state="draft")  # a draft and a rejected item are not contributions
    contribute(make_item(organisation=silent, state="rejected"), "item.submitted", NOW - timedelta(days=20))
    contribute(make_item(organisation=recent), "item.submitted", NOW - timedelta(days=200))
    contribute(make_item(organisation=lapsed), "item.submitted", NOW - timedelta(days=400))

    board = reporting.dashboard(scope(year=2024))

    assert {row.name: row.active for row in board.partners} == {"Recent": True, "Lapsed": False, "Silent": False}
    assert board.summary.active == 1
    assert [row.name for row in board.gaps.never_contributed] == ["Silent"]


def test_gaps_name_missing_sdgs_thin_categories_and_the_priority_share(make_organisation, make_item):
    organisation = make_organisation()
    for category, number in (("communication", 6), ("awareness_raising", 5), ("implementation", 1)):
        for _ in range(number):
            contribute(
                make_item(organisation=organisation, activity_category=category, sdgs=(7,)),
                "item.submitted",
                datetime(2024, 5, 1),
            )
    contribute(make_item(organisation=organisation, sdgs=(7, 2)), "item.submitted", datetime(2024, 5, 1))

    gaps = reporting.dashboard(scope()).gaps

    assert "12" not in {count.key for count in gaps.sdgs_without}  # every item's home goal
    assert {count.key for count in gaps.sdgs_without} == {str(n) for n in range(1, 18)} - {"2", "7", "12"}
    assert [count.key for count in gaps.sdgs_few] == ["2"]
    thin = {count.key: count.count for count in gaps.thin_categories}
    assert thin["implementation"] == 2 and thin["research"] == 0  # 2 < half of (6 + 5 + 2) / 3
    assert "communication" not in thin and "awareness_raising" not in thin
    assert gaps.priority.count == 2  # the extra item is an implementation one too
    assert gaps.priority_share == pytest.approx(2 / 13)
    assert "KE" not in {count.key for count in gaps.countries_without}
    assert "FR" in {count.key for count in gaps.countries_without}


def test_the_network_view_counts_organisations_once_and_lists_each_programme(make_organisation, make_item):
    both = make_organisation("Both", programmes=("spp", "sfs"))
    make_organisation("Tourism", programmes=("st",))
    contribute(make_item(organisation=both, programmes=("sfs",)), "item.submitted", datetime(2024, 5, 1))

    board = reporting.dashboard(scope(None))

    assert (board.summary.partners, board.summary.reported) == (2, 1)
    lines = {line.slug: (line.partners, line.reported) for line in board.programmes}
    assert lines["spp"] == (1, 0)
    assert lines["sfs"] == (1, 1)
    assert lines["st"] == (1, 0)
    assert lines["ci"] == (0, 0)


# --- Who may see what ----------------------------------------------------------------------------------------


def test_open_scope_defaults_to_the_first_moderated_programme_and_the_current_year(make_user):
    moderator = make_user("moderator", programmes=("sfs", "spp"))
    found = reporting.open_scope(moderator, None, None)
    assert found.programme.slug == "spp"  # programmes come in the network's order
    assert found.period.year == reporting.current_year()
    admin = make_user("admin")
    assert reporting.open_scope(admin, "", "").programme is None  # the network view


def test_open_scope_refuses_other_programmes_and_the_network_view_to_moderators(make_user):
    moderator = make_user("moderator", programmes=("sfs",))
    with pytest.raises(PermissionDenied):
        reporting.open_scope(moderator, "spp", None)
    with pytest.raises(PermissionDenied):
        reporting.open_scope(moderator, reporting.NETWORK, None)
    with pytest.raises(PermissionDenied):
        reporting.open_scope(make_user("partner"), "spp", None)
    with pytest.raises(PermissionDenied):
        reporting.open_scope(make_user("moderator", programmes=()), None, None)
    assert reporting.open_scope(make_user("admin"), "spp", "2024").programme.slug == "spp"


@pytest.mark.parametrize("year", ["20x4", "1999", "24", "99999", str(utcnow().year + 2), "2024 OR 1=1"])
def test_open_scope_rejects_bad_years(make_user, year):
    with pytest.raises(RuleViolation) as error:
        reporting.open_scope(make_user("admin"), "spp", year)
    assert error.value.field == "year"


def test_open_scope_rejects_an_unknown_programme(make_user):
    with pytest.raises(RuleViolation) as error:
        reporting.open_scope(make_user("admin"), "nope", None)
    assert error.value.field == "programme"


# --- A partner's own status ------------------------------------------------------------------------------------


def test_partner_status_says_per_programme_whether_it_reported_and_what_counted(make_organisation, make_item):
    organisation = make_organisation("Partner", programmes=("spp", "sfs"))
    counted = make_item(organisation=organisation, title="Counted")
    draft = make_item(organisation=organisation, title="Draft", state="draft")
    contribute(counted, "item.submitted", this_year(1))
    contribute(counted, "item.confirmed", this_year(2))
    contribute(draft, "item.edited", this_year(2))

    status = reporting.partner_status(organisation)

    by_slug = {entry.programme.slug: entry for entry in status.programmes}
    assert list(by_slug) == ["spp", "sfs"]
    assert by_slug["spp"].reported and not by_slug["sfs"].reported
    assert [(item.title, item.actions) for item in by_slug["spp"].counted] == [
        ("Counted", ("submitted", "confirmed as still active"))
    ]
    assert [item.title for item in by_slug["spp"].not_counted] == ["Draft"]


# --- Public achievements ---------------------------------------------------------------------------------------


def test_public_achievements_count_public_items_only(make_organisation, make_item):
    shown, hidden_org = make_organisation("Shown"), make_organisation("Only hidden items")
    make_item(organisation=shown, sdgs=(7,), countries=("KE",), activity_category="implementation")
    make_item("resource", organisation=shown, countries=("FR",), is_global=True)
    make_item(organisation=hidden_org, hidden=True, sdgs=(3,), countries=("BR",))
    make_item(organisation=hidden_org, updated_days_ago=800, sdgs=(4,), countries=("AR",))
    make_item(organisation=hidden_org, state="draft", sdgs=(5,), countries=("CL",))
    make_item(organisation=shown, programmes=("sfs",), sdgs=(9,), countries=("PE",))  # another programme

    achievements = reporting.public_achievements(programme("spp"))

    assert (achievements.initiatives, achievements.resources) == (1, 1)
    assert achievements.countries == 2 and achievements.worldwide == 1
    assert achievements.sdgs == [7, 12]
    assert {c.key: c.count for c in achievements.categories if c.count} == {"implementation": 1}
    assert achievements.partners == 2
    assert [(c.name, c.items) for c in achievements.champions] == [("Shown", 2)]  # hidden items are no merit


def test_the_real_services_events_count_submit_and_confirm_but_not_a_new_draft(make_organisation, make_user, make_item):
    submitter, confirmer, drafter = (make_organisation(name) for name in ("Submitter", "Confirmer", "Drafter"))
    users = {
        organisation.name: make_user(organisation=organisation) for organisation in (submitter, confirmer, drafter)
    }
    workflow.submit(make_item(organisation=submitter, state="draft"), users["Submitter"])
    submission.confirm_active(make_item(organisation=confirmer, state="published"), users["Confirmer"])
    make_item(organisation=drafter, state="draft")  # a draft that was never submitted
    db.session.commit()

    rows = reporting.partner_rows(scope(year=reporting.current_year(), now=utcnow()))

    assert {row.name: row.reported for row in rows} == {"Submitter": True, "Confirmer": True, "Drafter": False}


def test_a_cached_dashboard_is_recomputed_as_soon_as_a_partner_contributes(app, make_user, make_organisation,
                                                                           make_item):
    """The dashboard is kept per process until the data changes: a new contribution shows at once."""
    from portal.catalogue import reporting, workflow
    from portal.extensions import db

    organisation = make_organisation(programmes=("spp",))
    partner = make_user("partner", organisation=organisation)
    moderator = make_user("moderator", programmes=("spp",))
    scope = reporting.open_scope(moderator, "spp", None)
    assert reporting.dashboard(scope).summary.reported == 0
    assert reporting.dashboard(scope).summary.reported == 0  # from the cache
    item = make_item(organisation=organisation, programmes=("spp",), state="draft")
    workflow.submit(item, partner)
    db.session.commit()
    assert reporting.dashboard(reporting.open_scope(moderator, "spp", None)).summary.reported == 1
