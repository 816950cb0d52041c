"""Helpers shared by the models."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now in UTC, naive: every timestamp in the database is naive UTC (SQLite keeps no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)
