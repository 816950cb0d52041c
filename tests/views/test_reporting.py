"""The reporting dashboard, its CSV downloads and reminders on the desk; /my/ status; public achievements."""

import csv
import io
import re
from datetime import datetime

import pytest
from flask_babel import force_locale, gettext

from portal import vocab
from portal.catalogue import reporting
from portal.extensions import db
from portal.models import OutboxMessage, Reminder
from tests.helpers import contribute, this_year


def read_csv(response) -> list[list[str]]:
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


@pytest.fixture
def world(make_organisation, make_user, make_item):
    """spp in 2024: four partners, three reported (one with two accounts), one only in 2023."""
    organisations = [make_organisation(f"Partner {n}") for n in range(4)]
    for organisation in organisations[:3]:
        contribute(
            make_item(organisation=organisation, title=f"Work of {organisation.name}"),
            "item.submitted",
            datetime(2024, 3, 1),
        )
    contribute(make_item(organisation=organisations[3]), "item.submitted", datetime(2023, 6, 1))
    make_user(organisation=organisations[3], email="late@partner3.org")
    return organisations


# --- Who may see it --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/desk/reporting", "/desk/reporting.csv", "/desk/reporting/sdgs.csv"])
def test_anonymous_visitors_are_sent_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_partners_may_not_see_the_dashboard(client, partner):
    assert client.get("/desk/reporting").status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/desk/reporting?programme=spp",
        "/desk/reporting.csv?programme=spp",
        "/desk/reporting/champions.csv?programme=spp",
        "/desk/reporting?programme=all",
    ],
)
def test_a_moderator_of_another_programme_is_refused(client, auth, world, url):
    auth.login("moderator", programmes=("sfs",))
    assert client.get(url).status_code == 403


def test_a_moderator_of_another_programme_cannot_send_reminders(client, auth, world):
    auth.login("moderator", programmes=("sfs",))
    response = client.submit("/desk/reporting/reminders", {"programme": "spp", "organisation": "all"}, page="/desk/")
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_missing_parameters_give_the_first_moderated_programme_and_this_year(client, auth):
    auth.login("moderator", programmes=("sfs", "spp"))
    page = client.get("/desk/reporting").text
    year = reporting.current_year()
    assert f"<h1>Reporting: Sustainable Public Procurement, {year}</h1>" in page
    assert f'<option value="{year}" selected>' in page
    assert '<option value="sfs"' in page and '<option value="ci"' not in page
    assert '<option value="all"' not in page


@pytest.mark.parametrize(
    "query, message",
    [
        ("year=20x4", "The year must be a number"),
        ("year=1850", "The year must be a number"),
        ("programme=nope", "There is no programme called"),
        ("programme=%3Cscript%3E", "There is no programme called"),
    ],
)
def test_bad_parameters_are_a_clear_400(client, moderator, query, message):
    for url in (f"/desk/reporting?{query}", f"/desk/reporting.csv?{query}"):
        response = client.get(url)
        assert response.status_code == 400
        assert message in response.text
    assert "<script>" not in client.get("/desk/reporting?programme=%3Cscript%3E").text


def test_an_unknown_table_is_404(client, moderator):
    assert client.get("/desk/reporting/passwords.csv").status_code == 404


# --- The dashboard ---------------------------------------------------------------------------------------------


def test_the_dashboard_shows_the_rate_the_definitions_and_who_to_remind(client, auth, world):
    auth.login("moderator", programmes=("spp",))
    page = client.get("/desk/reporting?programme=spp&year=2024").text
    assert "<strong>75%</strong> reporting rate" in page
    assert "Target met" in page
    assert "on the last day of the year" in page  # the definitions, in words
    assert "submitted, updated or confirmed as still active" in page
    not_reported = page[page.index('id="not-reported"') : page.index('id="champions-heading"')]
    assert "Partner 3" in not_reported and "Partner 0" not in not_reported
    assert "Reminders go out for the current reporting year only." in not_reported  # 2024 is over
    assert "Send reminder" not in not_reported


def test_every_chart_is_an_svg_image_with_title_description_and_a_table(client, auth, world):
    auth.login("moderator", programmes=("spp",))
    page = client.get("/desk/reporting?programme=spp&year=2024").text
    charts = re.findall(r'<svg class="chart[^"]*" role="img" aria-labelledby="([\w-]+)-title \1-desc"', page)
    assert len(charts) >= 6
    for chart in charts:
        assert f'<title id="{chart}-title">' in page and f'<desc id="{chart}-desc">' in page
        if chart != "rate-gauge":
            assert f'id="{chart}-table"' in page
    assert '<desc id="categories-chart-desc">Communication: 0;' in page
    assert '<th scope="row">Implementation and changes in practice</th><td class="number">3</td>' in page
    assert "style=" not in page  # the CSP forbids inline styles


def test_the_dashboard_links_each_csv_and_the_desk_links_the_dashboard(client, auth, world):
    auth.login("moderator", programmes=("spp",))
    assert 'href="/desk/reporting"' in client.get("/desk/").text
    page = client.get("/desk/reporting?programme=spp&year=2024").text
    for name in (
        "trend",
        "not-reported",
        "champions",
        "categories",
        "sdgs",
        "countries",
        "regions",
        "themes",
        "portfolio",
        "gaps",
    ):
        assert f'href="/desk/reporting/{name}.csv?programme=spp&amp;year=2024"' in page
    assert 'href="/desk/reporting.csv?programme=spp&amp;year=2024"' in page


def test_the_admin_sees_the_network_and_every_programme(client, admin, world, make_organisation):
    make_organisation("Tourism partner", programmes=("st",))
    page = client.get("/desk/reporting?year=2024").text
    assert "Reporting: All programmes (network), 2024" in page
    assert 'href="/desk/reporting?programme=st&amp;year=2024"' in page
    rows = read_csv(client.get("/desk/reporting/programmes.csv?year=2024"))
    assert rows[1] == ["Sustainable Public Procurement", "4", "3", "75.0"]
    assert ["Sustainable Tourism", "1", "0", "0.0"] in rows
    assert client.get("/desk/reporting?programme=sbc").status_code == 200


# --- CSV --------------------------------------------------------------------------------------------------------


def test_the_main_csv_lists_every_partner_with_what_counted(client, auth, world):
    auth.login("moderator", programmes=("spp",))
    response = client.get("/desk/reporting.csv?programme=spp&year=2024")
    assert response.headers["Content-Disposition"] == 'attachment; filename="reporting-spp-2024-partners.csv"'
    rows = read_csv(response)
    assert rows[0][:6] == ["Organisation", "Country", "Type", "Partner since", "Reported", "Items counted"]
    by_name = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert sorted(by_name) == ["Partner 0", "Partner 1", "Partner 2", "Partner 3"]
    assert by_name["Partner 0"]["Reported"] == "yes"
    assert by_name["Partner 0"]["Items counted"] == "1"
    assert by_name["Partner 0"]["Last contribution in the year"] == "2024-03-01"
    assert by_name["Partner 3"]["Reported"] == "no"
    assert by_name["Partner 3"]["Last contribution (12 months)"] == ""  # 2023-06-01 is longer ago
    assert by_name["Partner 3"]["Ever contributed"] == "yes"
    assert by_name["Partner 3"]["Active"] == "no"


def test_the_partner_csv_is_written_in_the_desks_language(client, auth, make_organisation, make_item):
    ministry = make_organisation("Ministère", country="KE", type="government")
    contribute(make_item(organisation=ministry), "item.submitted", datetime(2024, 3, 1))
    make_organisation("Silent partner", country="PE", type="business")
    auth.login("moderator", programmes=("spp",))
    for language in ("fr", "en", "ar"):  # each language's table, one after the other (words looked up per table)
        rows = read_csv(client.get(f"/desk/reporting.csv?programme=spp&year=2024&lang={language}"))
        with force_locale(language):
            yes, no = gettext("yes"), gettext("no")
            types = vocab.labels(vocab.ORGANISATION_TYPES)
            expected = {
                "Ministère": [vocab.country_name("KE", language), types["government"], yes, yes],
                "Silent partner": [vocab.country_name("PE", language), types["business"], no, no],
            }
            assert rows[0][4] == gettext("Reported")
        assert {row[0]: [row[1], row[2], row[4], row[12]] for row in rows[1:]} == expected
    assert expected["Ministère"][2] != "yes"  # the last language is not English: the words really changed


def test_csv_tables_and_their_defence_against_spreadsheet_formulas(client, auth, make_organisation, make_item):
    sneaky = make_organisation('=HYPERLINK("http://evil.example")')
    contribute(make_item(organisation=sneaky, sdgs=(7,)), "item.submitted", datetime(2024, 3, 1))
    auth.login("moderator", programmes=("spp",))
    partners = read_csv(client.get("/desk/reporting.csv?programme=spp&year=2024"))
    assert partners[1][0] == '\'=HYPERLINK("http://evil.example")'
    sdgs = read_csv(client.get("/desk/reporting/sdgs.csv?programme=spp&year=2024"))
    assert sdgs[0] == ["SDG", "Items"]
    assert ["SDG 7 – Affordable and clean energy", "1"] in sdgs
    assert ["SDG 8 – Decent work and economic growth", "0"] in sdgs
    trend = read_csv(client.get("/desk/reporting/trend.csv?programme=spp&year=2024"))
    assert trend[-1] == ["2024", "1", "1", "100.0"]
    assert trend[-2] == ["2023", "1", "0", "0.0"]


# --- Partnership health and trends ---------------------------------------------------------------------------------


def test_the_dashboard_shows_the_health_verdict_with_its_thresholds_and_csv(client, auth, world, make_item):
    auth.login("moderator", programmes=("spp",))
    page = client.get("/desk/reporting?programme=spp&year=2024").text
    health = page[page.index('id="health-heading"'):page.index('id="trend-heading"')]
    # Partner 3 contributed in 2023, not in the last 12 months of 2024, and no partnership started: 0 new, 1 lapsed.
    assert '<p class="health-verdict attention"><strong>Needs attention: new and lapsed partners.</strong>' in health
    for label in ("Partners active in the last 12 months", "New and lapsed partners", "Reporting rate in the year",
                  "Reporting rate over five years", "Public items about to become inactive"):
        assert f'<th scope="row">{label}</th>' in health
    assert re.search(r"<td>60 % or more</td>\s*<td>below 40 %</td>", health)
    assert "<td>75 % or more (the target)</td>" in health
    rows = read_csv(client.get("/desk/reporting/health.csv?programme=spp&year=2024"))
    assert rows[0] == ["Indicator", "Value", "Good when", "Of concern when", "Judged"]  # the dashboard's words
    assert rows[2][0] == "New and lapsed partners" and rows[2][-1] == "of concern"
    assert rows[3][:2] == ["Reporting rate in the year", "75 %"]
    assert rows[-1][:2] == ["Verdict", "Needs attention: new and lapsed partners."]
    french = read_csv(client.get("/desk/reporting/health.csv?programme=spp&year=2024&lang=fr"))
    assert french[0][0] == "Indicateur" and french[-1][0] == "Verdict" and french[-1][1].startswith("Attention requise")


def test_the_dashboard_names_the_rising_and_emerging_themes_with_charts_tables_and_csv(client, auth, make_item):
    def made(when, count, theme):
        for _ in range(count):
            item = make_item(themes=[theme])
            item.created_at = when
        db.session.commit()

    made(datetime(2023, 5, 1), 1, "circular_economy")
    made(datetime(2024, 5, 1), 4, "circular_economy")
    made(datetime(2023, 5, 1), 3, "plastics")
    auth.login("moderator", programmes=("spp",))

    page = client.get("/desk/reporting?programme=spp&year=2024").text

    trends = page[page.index('id="trends-heading"'):page.index('id="gaps-heading"')]
    assert re.search(r"<dt>Emerging themes</dt>\s*<dd>Circular economy \(1 → 4\)</dd>", trends)
    rising = r"New items by theme</dt>\s*<dd>Rising: Circular economy \(\+3\)\.\s*Falling: Plastics \(-3\)"
    assert re.search(rising, trends)
    assert '<svg class="chart" role="img" aria-labelledby="trend-themes-chart-title trend-themes-chart-desc"' in trends
    assert "Circular economy: 1 in 2023, 4 in 2024" in trends
    for name in ("trend-categories", "trend-themes", "trend-sdgs"):
        assert f'href="/desk/reporting/{name}.csv?programme=spp&amp;year=2024"' in trends
    rows = read_csv(client.get("/desk/reporting/trend-themes.csv?programme=spp&year=2024"))
    assert rows[0] == ["Theme", "2020", "2021", "2022", "2023", "2024", "Change on the year before"]
    assert ["Circular economy", "0", "0", "0", "1", "4", "3"] in rows


# --- Reminders --------------------------------------------------------------------------------------------------


def test_a_desk_reminds_one_partner_then_cannot_remind_it_again_within_a_week(
    client, auth, make_organisation, make_user, make_item
):
    silent, reported = make_organisation("Silent"), make_organisation("Reported")
    make_user(organisation=silent, email="contact@silent.org")
    contribute(make_item(organisation=reported), "item.submitted", this_year())
    auth.login("moderator", programmes=("spp",))
    page = client.get("/desk/reporting?programme=spp").text
    assert 'Send reminder<span class="visually-hidden"> to Silent</span>' in page
    assert "Send reminders to all partners not yet reported" in page

    response = client.submit(
        "/desk/reporting/reminders",
        {"programme": "spp", "year": str(reporting.current_year()), "organisation": str(silent.id)},
        page="/desk/reporting?programme=spp",
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("#not-reported")
    mail = db.session.scalar(db.select(OutboxMessage))
    assert mail.recipient == "contact@silent.org"
    assert db.session.scalar(db.select(Reminder.organisation_id)) == silent.id
    page = client.get(response.headers["Location"]).text
    assert "Reminder sent to 1 partner (1 person): Silent." in page
    assert "Next reminder from" in page
    again = client.submit(
        "/desk/reporting/reminders", {"programme": "spp", "organisation": "all"}, page="/desk/reporting?programme=spp"
    )
    assert "Not reminded: Silent: reminded on" in client.get(again.headers["Location"]).text
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 1


def test_the_remind_all_button_mails_every_partner_not_yet_reported(client, auth, make_organisation, make_user):
    for name in ("One", "Two"):
        make_user(organisation=make_organisation(name), email=f"desk@{name.lower()}.org")
    auth.login("moderator", programmes=("spp",))
    response = client.submit(
        "/desk/reporting/reminders", {"programme": "spp", "organisation": "all"}, page="/desk/reporting"
    )
    assert response.status_code == 302
    recipients = db.session.scalars(db.select(OutboxMessage.recipient).order_by(OutboxMessage.recipient)).all()
    assert recipients == ["desk@one.org", "desk@two.org"]
    assert db.session.scalar(db.select(db.func.count(Reminder.id))) == 2


@pytest.mark.parametrize(
    "data",
    [
        {"programme": "spp"},
        {"programme": "spp", "organisation": "x1"},
        {"programme": "all", "organisation": "all"},
        {"programme": "spp", "organisation": "all", "year": "2020"},
    ],
)
def test_bad_reminder_requests_are_refused_with_a_400(client, admin, make_organisation, data):
    response = client.submit("/desk/reporting/reminders", data, page="/desk/")
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Reminder.id))) == 0


def test_the_remind_command_prints_who_would_be_and_who_was_reminded(runner, make_organisation, make_user):
    make_user(organisation=make_organisation("Silent"), email="contact@silent.org")
    make_organisation("Nobody home")

    dry = runner.invoke(args=["reporting", "remind", "--programme", "spp", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would remind: Silent (contact@silent.org)" in dry.output
    assert "skipped: Nobody home (no active partner account and no reporting focal point)" in dry.output
    assert db.session.scalar(db.select(db.func.count(Reminder.id))) == 0

    sent = runner.invoke(args=["reporting", "remind", "--programme", "spp", "--year", str(reporting.current_year())])
    assert "reminded: Silent (contact@silent.org)" in sent.output
    assert "1 partner reminded, 1 skipped" in sent.output
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 1

    again = runner.invoke(args=["reporting", "remind", "--programme", "spp"])
    assert "skipped: Silent (reminded on" in again.output
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 1


def test_the_remind_command_refuses_an_unknown_programme_and_another_year(runner):
    assert runner.invoke(args=["reporting", "remind", "--programme", "nope"]).exit_code != 0
    result = runner.invoke(args=["reporting", "remind", "--programme", "spp", "--year", "2019"])
    assert result.exit_code != 0
    assert "current reporting year" in result.output


# --- The partner's view and the public's ------------------------------------------------------------------------


def test_a_partner_sees_per_programme_whether_it_reported_and_what_counted(client, auth, make_organisation, make_item):
    organisation = make_organisation("Our organisation", programmes=("spp", "sfs"))
    counted = make_item(organisation=organisation, title="Green tenders guide")
    contribute(counted, "item.confirmed", this_year())
    auth.login("partner", organisation=organisation)

    page = client.get("/my/").text

    section = page[page.index('id="reporting-status-heading"') :]
    spp = section[section.index("Sustainable Public Procurement") : section.index("Sustainable Food Systems")]
    sfs = section[section.index("Sustainable Food Systems") :]
    assert "Reported" in spp and "Green tenders guide" in spp and "confirmed as still active" in spp
    assert "Not yet reported" in sfs


def test_programme_pages_show_achievements_from_public_items_only(client, make_organisation, make_item):
    organisation = make_organisation("Visible partner")
    make_item(organisation=organisation, activity_category="financing", countries=("KE",))
    make_item(organisation=organisation, activity_category="research", hidden=True, countries=("FR",), sdgs=(14,))
    make_item(organisation=organisation, activity_category="research", updated_days_ago=900, countries=("BR",))

    page = client.get("/programmes/spp").text

    section = page[page.index('id="achievements-heading"') :]
    assert "<strong>1</strong> initiative" in section
    assert "<strong>1</strong> country reached" in section
    assert "SDG 14" not in section
    assert '<th scope="row">Financing</th><td class="number">1</td>' in section
    assert '<th scope="row">Research</th><td class="number">0</td>' in section


def test_programme_achievements_follow_a_desk_decision_at_once(client, make_organisation, make_item, make_user):
    """The achievements are cached per process; hiding an item must still change them on the next view."""
    from portal.catalogue import review

    organisation = make_organisation("Visible partner")
    kept = make_item(organisation=organisation, countries=("KE",))
    make_item(organisation=organisation, countries=("KE",))

    def initiatives() -> str:
        section = client.get("/programmes/spp").text.split('id="achievements-heading"')[1]
        return re.search(r"<strong>(\d+)</strong> initiatives?", section).group(1)

    assert initiatives() == "2"
    assert initiatives() == "2"  # from the cache
    review.hide(db.session.get(type(kept), kept.id), make_user("moderator", programmes=("spp",)), "Broken links")
    db.session.commit()
    assert initiatives() == "1"
