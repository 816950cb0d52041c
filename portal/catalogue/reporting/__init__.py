"""Programme reporting straight from the catalogue: what partners upload *is* their report.

Definitions (also written on the dashboard):

- The **reporting year** is a calendar year; ``REPORTING_YEAR_START_MONTH`` may move its start, and a
  year is named after the calendar year in which it starts.
- A programme's **partners** in a year are the organisations in partnership with it on the last day of
  that year (``Partnership.joined_on`` on or before that day, and not ended by then: an ended
  partnership leaves the reporting rate from its end date).
- A partner **reported** for a programme in a year when, in that year, it submitted, updated or
  confirmed as still active at least one item of that programme that is not a draft and not rejected
  (its current state). The evidence is the audit log: ``item.submitted``, ``item.edited`` and
  ``item.confirmed`` events. Creating an item is not reporting: a new item counts once it is submitted.
  Such an event is a **contribution**; an item of two programmes counts for both.
- **Reporting rate** = partners that reported ÷ partners, against ``REPORTING_TARGET_RATE``.
- **Active partners** made a contribution in the 12 months up to today (or the end of a past year).
- **Champions** made the most contributions (distinct items) in the year; on the public programme page,
  the partners with the most public items.
- **Never contributed**: none of the partner's items of the programme got past the draft stage (rejected
  ones aside), today.

Every number comes from SQL aggregates (GROUP BY, COUNT DISTINCT); Python only combines aggregated rows
(per organisation and year, per vocabulary value), never items. Dashboards and achievements are stored
in the database for every worker and host, in no language (labels are read when shown), and recomputed
after a change by one process's thread, not inside a desk's request (``refresh``). Public numbers use
``visibility.public_clause()`` and nothing else.

The parts: ``period`` (years and the scope of a report), ``sql`` (the building blocks), ``cache`` (the
data version), ``refresh`` and ``codec`` (the stored figures),
``partners`` (the partner table, summary, trend, champions, the network's lines), ``breakdowns`` (counts
along the vocabularies, and gaps), ``dashboard``, ``tables`` (the CSV downloads), ``partner_status`` (a
partner's own view), ``achievements`` (the public programme page), ``health`` (the partnership's
health and its verdict) and ``trends`` (new items per category, theme and SDG over five years).
"""

from portal.catalogue.reporting.achievements import Achievements, PublicChampion, public_achievements
from portal.catalogue.reporting.breakdowns import Breakdowns, Count, Gaps, breakdowns, gaps, year_breakdowns
from portal.catalogue.reporting.cache import data_version
from portal.catalogue.reporting.dashboard import Dashboard, dashboard, prepare, scope_count, warm
from portal.catalogue.reporting.partner_status import PartnerStatus, ProgrammeStatus, partner_status
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
from portal.catalogue.reporting.period import (
    NETWORK,
    Period,
    ReportScope,
    current_year,
    open_scope,
    reporting_period,
    year_choices,
)
from portal.catalogue.reporting.tables import TABLES, Table, table

__all__ = [
    "NETWORK",
    "TABLES",
    "Achievements",
    "Breakdowns",
    "Champion",
    "Count",
    "Dashboard",
    "Gaps",
    "PartnerRow",
    "PartnerStatus",
    "Period",
    "ProgrammeLine",
    "ProgrammeStatus",
    "PublicChampion",
    "ReportScope",
    "Summary",
    "Table",
    "TrendPoint",
    "breakdowns",
    "champions",
    "current_year",
    "dashboard",
    "data_version",
    "gaps",
    "open_scope",
    "partner_activity",
    "partner_rows",
    "partner_status",
    "prepare",
    "programme_lines",
    "public_achievements",
    "reporting_period",
    "scope_count",
    "summary",
    "table",
    "trend",
    "warm",
    "year_breakdowns",
    "year_choices",
]
