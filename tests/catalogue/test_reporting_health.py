"""Partnership health (indicators, thresholds, verdict) and trends (risers, fallers, emerging themes):
``reporting.health`` and ``reporting.trends``."""

from datetime import date, timedelta

import pytest

from portal.catalogue import reporting
from portal.catalogue.reporting import health as reporting_health
from portal.catalogue.reporting.health import CONCERN, GOOD, UNKNOWN
from portal.catalogue.reporting.trends import trends
from portal.extensions import db
from portal.models import utcnow
from tests.helpers import programme

HEALTHY = dict(partners=10, active=8, rate=0.8, target=0.75, rates=[0.6, 0.7, 0.7, 0.75, 0.8], new=2, ended=0,
               quiet=1, public_items=100, lapsing_items=5)


def statuses(found) -> dict[str, str]:
    return {indicator.key: indicator.status for indicator in found.indicators}


def test_a_programme_whose_indicators_are_all_good_is_healthy():
    found = reporting_health.health(**HEALTHY)
    assert statuses(found) == {"active": GOOD, "balance": GOOD, "rate": GOOD, "rate_trend": GOOD, "lapsing": GOOD}
    assert (found.verdict, found.summary) == ("healthy", "Healthy: every indicator is good.")
    assert found.lapsed_partners == 1


@pytest.mark.parametrize(
    ("changes", "verdict", "named"),
    [
        ({"active": 5}, "healthy", "partners active in the last 12 months"),  # 50 %: to watch
        ({"active": 5, "lapsing_items": 15}, "attention", "public items about to become inactive"),
        ({"active": 3}, "attention", "partners active in the last 12 months"),  # 30 %: of concern
        ({"active": 3, "rate": 0.3, "rates": [0.8, 0.7, 0.5, 0.4, 0.3]}, "risk", "reporting rate in the year"),
    ],
)
def test_the_verdict_follows_the_thresholds_and_names_what_is_wrong(changes, verdict, named):
    found = reporting_health.health(**{**HEALTHY, **changes})
    assert found.verdict == verdict
    assert named in found.summary


def test_each_indicator_shows_its_value_and_thresholds():
    found = reporting_health.health(**{**HEALTHY, "new": 1, "ended": 2, "quiet": 1})
    balance = next(indicator for indicator in found.indicators if indicator.key == "balance")
    assert (balance.shown, balance.status) == ("1 new, 3 lapsed", CONCERN)
    assert balance.good_when == "as many new as lapsed, or more"
    trend = next(indicator for indicator in found.indicators if indicator.key == "rate_trend")
    assert trend.shown == "60 % to 80 %"
    active = next(indicator for indicator in found.indicators if indicator.key == "active")
    assert (active.shown, active.good_when, active.concern_when) == ("80 %", "60 % or more", "below 40 %")


def test_a_programme_without_partners_or_items_is_not_judged():
    found = reporting_health.health(partners=0, active=0, rate=None, target=0.75, rates=[None] * 5, new=0, ended=0,
                                    quiet=0, public_items=0, lapsing_items=0)
    assert statuses(found)["active"] == UNKNOWN and statuses(found)["lapsing"] == UNKNOWN
    assert statuses(found)["balance"] == GOOD
    assert found.verdict == "healthy"


def test_partnership_changes_and_lapsing_share_count_the_programmes_own(make_organisation, make_item, make_user):
    now = utcnow()
    period = reporting.reporting_period(reporting.current_year(now))
    make_organisation(joined_on=period.start.date())
    make_organisation(joined_on=period.start.date(), programmes=("sfs",))
    ended = make_organisation(joined_on=date(2020, 1, 1))
    ended.partnerships[0].ended_on = now.date()
    db.session.commit()
    assert reporting_health.partnership_changes(programme("spp").id, period.start, period.end, now) == (1, 1)
    yesterday = now - timedelta(days=1)
    assert reporting_health.partnership_changes(programme("spp").id, period.start, period.end, yesterday) == (1, 0)
    make_item(updated_days_ago=700)
    make_item(updated_days_ago=5)
    make_item(updated_days_ago=700, programmes=("sfs",))
    make_item(updated_days_ago=700, hidden=True)
    assert reporting_health.lapsing_share(programme("spp").id, now) == (2, 1)


def test_trends_name_risers_fallers_and_emerging_themes(make_item):
    now = utcnow()
    scope = reporting.ReportScope(programme("spp"), reporting.reporting_period(reporting.current_year(now)), now)
    periods = [reporting.reporting_period(year) for year in range(scope.period.year - 4, scope.period.year + 1)]
    last_year, this_year = periods[-2].start + timedelta(days=1), periods[-1].start + timedelta(hours=1)

    def made(when, count, **fields):
        for _ in range(count):
            item = make_item(**fields)
            item.created_at = when
        db.session.commit()

    made(last_year, 1, themes=["circular_economy"], activity_category="research", sdgs=(7,))
    made(this_year, 3, themes=["circular_economy"], activity_category="implementation", sdgs=(7,))
    made(last_year, 4, themes=["plastics"], activity_category="research")
    made(this_year, 2, themes=["plastics"], activity_category="research")
    made(this_year, 1, themes=["water"], state="draft")  # drafts are not new items

    found = trends(scope)

    themes = found.dimension("themes")
    assert [(row.label, row.counts[-2:]) for row in themes.rows if row.now or row.before] == [
        ("Circular economy", (1, 3)), ("Plastics", (4, 2))
    ]
    assert [row.label for row in themes.risers] == ["Circular economy"]
    assert [row.label for row in themes.fallers] == ["Plastics"]
    assert [row.label for row in found.emerging] == ["Circular economy"]
    categories = found.dimension("categories")
    assert [(row.label, row.change) for row in categories.risers] == [("Implementation and changes in practice", 3)]
    assert [(row.label, row.change) for row in categories.fallers] == [("Research", -3)]
    sdgs = found.dimension("sdgs")
    assert [row.key for row in sdgs.rows][:2] == ["1", "2"] and "12" not in [row.key for row in sdgs.rows]
    assert [(row.key, row.change) for row in sdgs.risers] == [("7", 2)]
    assert found.years == tuple(period.label for period in periods)
