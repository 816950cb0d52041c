"""SQLAlchemy models, one module per aggregate, all importable from here."""

from portal.models.activity import AuditEvent, Comment, LapseWarning, OutboxMessage, Reminder, SearchQueueEntry
from portal.models.base import utcnow
from portal.models.importing import ImportJob
from portal.models.item import (
    Item,
    ItemCountry,
    ItemProgramme,
    ItemTheme,
    PortfolioEntry,
    item_sdgs,
)
from portal.models.organisation import Organisation, Partnership
from portal.models.programme import Programme, Sdg
from portal.models.saved_search import FREQUENCIES, SavedSearch, SavedSearchDigest
from portal.models.user import AuthSession, LoginFailure, User, moderator_programmes

__all__ = [
    "FREQUENCIES",
    "AuditEvent",
    "AuthSession",
    "Comment",
    "ImportJob",
    "Item",
    "ItemCountry",
    "ItemProgramme",
    "ItemTheme",
    "LapseWarning",
    "LoginFailure",
    "Organisation",
    "OutboxMessage",
    "Partnership",
    "PortfolioEntry",
    "Programme",
    "Reminder",
    "SavedSearch",
    "SavedSearchDigest",
    "Sdg",
    "SearchQueueEntry",
    "User",
    "item_sdgs",
    "moderator_programmes",
    "utcnow",
]
