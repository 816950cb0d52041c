"""The reporting dashboard of one scope: everything it shows, computed once for every worker and host
and kept up to date by ``refresh`` (outside the visitor's request)."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property

from flask import current_app
from sqlalchemy import select

from portal.catalogue.reporting.achievements import achievements_keeper
from portal.catalogue.reporting.breakdowns import Breakdowns, Gaps, gaps, year_breakdowns
from portal.catalogue.reporting.codec import NOT_KEPT
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
from portal.catalogue.reporting.period import ReportScope, current_year, reporting_period
from portal.catalogue.reporting.refresh import Refresher, refresher
from portal.catalogue.reporting.trends import Trends, trends
from portal.extensions import db
from portal.models import Programme, utcnow

TABLE_ROWS = 250


@dataclass(frozen=True)
class Dashboard:
    """The figures of one scope (numbers and vocabulary values: the same in every language), then what
    the reader adds (``NOT_KEPT``: the scope as asked, when the figures were computed)."""

    summary: Summary
    trend: list[TrendPoint]
    partners: list[PartnerRow]
    champions: list[Champion]
    counts: Breakdowns  # the items that counted in the year
    programmes: list[ProgrammeLine]  # network view only
    health: Health
    trends: Trends
    reminder_interval_days: int
    scope: ReportScope | None = field(default=None, metadata=NOT_KEPT)
    table_rows: int = field(default=TABLE_ROWS, metadata=NOT_KEPT)  # the page's partner tables stop there
    computed_at: datetime | None = field(default=None, metadata=NOT_KEPT)
    refreshing: bool = field(default=False, metadata=NOT_KEPT)  # the data changed since ``computed_at``

    @property
    def can_remind(self) -> bool:
        """Reminders go out for one programme, for the current year only."""
        return self.scope.programme is not None and self.scope.is_current

    @cached_property
    def not_reported(self) -> list[PartnerRow]:
        return [row for row in self.partners if not row.reported]

    @cached_property
    def gaps(self) -> Gaps:
        """Derived from the counts when shown: the gaps name countries and sort by labels, in the
        visitor's language."""
        return gaps(self.counts, self.partners)


def dashboard(scope: ReportScope) -> Dashboard:
    """Everything the reporting dashboard shows for ``scope`` (already checked by ``open_scope``): as of
    the last change, or, while this process recomputes it after a change, as of the change before
    (``computed_at``, ``refreshing``; see ``refresh``)."""
    if scope.now.date() != utcnow().date():
        return _compute_dashboard(scope)  # as seen on another day (scripts, tests): computed as asked
    kept = _keeper().get(_key(scope.programme_id, scope.period.year))
    return replace(kept.value, scope=scope, computed_at=kept.computed_at, refreshing=not kept.fresh)


def warm() -> None:
    """Bring this year's dashboard of every programme and of the network, and every programme's public
    achievements, up to date in the background, so that no desk or visitor waits for them (``wsgi.py``,
    as a gunicorn worker boots): computed by the first worker that gets to each, read from the database
    by the others."""
    if current_app.config["REPORTING_REFRESH_IN_BACKGROUND"]:
        for keeper, key in _every_scope([current_year()]):
            keeper.schedule(key)


def prepare(years: list[int], progress: Callable[[int], None] = lambda done: None) -> tuple[int, int]:
    """Compute and store now, for every worker and host, the dashboards of ``years`` (every programme and
    the network) and the programmes' achievements that are not up to date (``reporting refresh``):
    (how many were computed, how many were current already or being computed elsewhere)."""
    computed = 0
    jobs = _every_scope(years)
    for keeper, key in jobs:
        computed += keeper.refresh(key)
        progress(1)
    return computed, len(jobs) - computed


def scope_count(years: list[int]) -> int:
    """How many sets of figures ``prepare(years)`` brings up to date."""
    return len(_every_scope(years))


def _every_scope(years: list[int]) -> list[tuple[Refresher, tuple]]:
    programme_ids = list(db.session.scalars(select(Programme.id).order_by(Programme.position)))
    dashboards = [(_keeper(), _key(programme_id, year)) for year in years for programme_id in (*programme_ids, None)]
    from portal.catalogue.links import links_keeper  # links read reporting's refresher: imported when used

    programmes = [(keeper, (programme_id,)) for keeper in (achievements_keeper(), links_keeper())
                  for programme_id in programme_ids]
    return dashboards + programmes


def _keeper() -> Refresher:
    return refresher("dashboards", _recompute, Dashboard)


def _key(programme_id: int | None, year: int) -> tuple:
    """What a kept dashboard is for: the scope and the settings it is computed with."""
    config = current_app.config
    settings = (config["REPORTING_TARGET_RATE"], config["REMINDER_INTERVAL_DAYS"], config["REPORTING_YEAR_START_MONTH"])
    return (programme_id, year, *settings)


def _recompute(key: tuple) -> Dashboard:
    """The dashboard of a kept key (``_key``), computed now."""
    programme = db.session.get(Programme, key[0]) if key[0] is not None else None
    return _compute_dashboard(ReportScope(programme, reporting_period(key[1]), utcnow()))


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
        champions=champions(scope, partners),
        counts=counts,
        programmes=programme_lines(scope) if scope.programme is None else [],
        health=partnership_health(scope, totals, points, partners),
        trends=trends(scope),
        reminder_interval_days=current_app.config["REMINDER_INTERVAL_DAYS"],
    )
