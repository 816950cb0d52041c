"""The reporting dashboard of one scope: everything it shows, computed once and cached."""

from dataclasses import dataclass, field, replace

from flask import current_app

from portal.catalogue.reporting.breakdowns import Breakdowns, Gaps, gaps, year_breakdowns
from portal.catalogue.reporting.cache import cached
from portal.catalogue.reporting.health import Health, partnership_health
from portal.catalogue.reporting.partners import (
    Champion,
    PartnerRow,
    ProgrammeLine,
    Summary,
    TrendPoint,
    champions,
    partner_activity,
    partner_rows,
    programme_lines,
    summary,
    trend,
)
from portal.catalogue.reporting.period import ReportScope
from portal.catalogue.reporting.trends import Trends, trends

TABLE_ROWS = 250


@dataclass(frozen=True)
class Dashboard:
    scope: ReportScope
    summary: Summary
    trend: list[TrendPoint]
    partners: list[PartnerRow]
    not_reported: list[PartnerRow]
    champions: list[Champion]
    counts: Breakdowns  # the items that counted in the year
    gaps: Gaps
    programmes: list[ProgrammeLine] = field(default_factory=list)  # network view only
    health: Health | None = None
    trends: Trends | None = None
    reminder_interval_days: int = 7
    table_rows: int = TABLE_ROWS  # partner tables on the page stop there; the CSV has every row

    @property
    def can_remind(self) -> bool:
        """Reminders go out for one programme, for the current year only."""
        return self.scope.programme is not None and self.scope.is_current


def dashboard(scope: ReportScope) -> Dashboard:
    """Everything the reporting dashboard shows for ``scope`` (already checked by ``open_scope``).

    At 100 000 items a dashboard takes about a second of SQL, so it is cached (``cached``).
    """
    config = current_app.config
    settings = (config["REPORTING_TARGET_RATE"], config["REMINDER_INTERVAL_DAYS"])
    key = (scope.programme_id, scope.period.start, scope.period.end, scope.now.date(), settings)
    return replace(cached("dashboards", key, lambda: _compute_dashboard(scope)), scope=scope)


def _compute_dashboard(scope: ReportScope) -> Dashboard:
    activity = partner_activity(scope)
    partners = partner_rows(scope, activity)
    counts = year_breakdowns(scope)
    totals, points = summary(partners), trend(scope, activity)
    return Dashboard(
        scope=scope,
        summary=totals,
        trend=points,
        partners=partners,
        not_reported=[row for row in partners if not row.reported],
        champions=champions(scope, partners),
        counts=counts,
        gaps=gaps(counts, partners),
        programmes=programme_lines(scope) if scope.programme is None else [],
        health=partnership_health(scope, totals, points, partners),
        trends=trends(scope),
        reminder_interval_days=current_app.config["REMINDER_INTERVAL_DAYS"],
    )
