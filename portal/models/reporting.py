"""Reporting figures computed once and read by every worker and host (``portal.catalogue.reporting.refresh``)."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class ReportingFigures(db.Model):
    """The last figures computed for one scope: a dashboard (programme or network, year, settings) or a
    programme's public achievements, as JSON, with the data version and day they were computed for.

    ``claimed_at`` is set while a process recomputes them, so that the other workers and hosts serve the
    stored figures meanwhile instead of computing the same ones.
    """

    __tablename__ = "reporting_figures"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # "dashboards", "achievements"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)  # the scope and settings, e.g. "3/2026/0.75/7/1"
    version: Mapped[str | None] = mapped_column(String(200))  # reporting.data_version() and the day
    format: Mapped[str | None] = mapped_column(String(16))  # the digest of the figures' fields (refresh.codec)
    computed_at: Mapped[datetime | None]
    body: Mapped[str | None] = mapped_column(Text)  # None: claimed, never computed yet
    claimed_at: Mapped[datetime | None]
