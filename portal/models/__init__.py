"""SQLAlchemy models, one module per aggregate, all importable from here."""

from portal.models.activity import (
    AuditEvent,
    Comment,
    LapseWarning,
    OutboxMessage,
    Reminder,
    SearchHost,
    SearchQueueEntry,
    SearchSequence,
)
from portal.models.base import utcnow
from portal.models.highlight import Highlight, KeyMessage
from portal.models.importing import ImportJob
from portal.models.item import (
    Item,
    ItemCountry,
    ItemProgramme,
    ItemTheme,
    PortfolioEntry,
    item_sdgs,
)
from portal.models.limits import RateLimitCounter
from portal.models.link import LINK_RELATIONS, ItemLink
from portal.models.need import CountryNeed, NeedInterest, NeedNotice, NeedTheme, need_programmes, need_sdgs
from portal.models.organisation import Organisation, Partnership
from portal.models.programme import Programme, Sdg
from portal.models.reporting import ReportingFigures
from portal.models.saved_search import FREQUENCIES, SavedSearch, SavedSearchDigest
from portal.models.user import AuthSession, LoginFailure, User, moderator_programmes

__all__ = [
    "FREQUENCIES",
    "LINK_RELATIONS",
    "AuditEvent",
    "AuthSession",
    "Comment",
    "CountryNeed",
    "Highlight",
    "ImportJob",
    "Item",
    "ItemCountry",
    "ItemLink",
    "ItemProgramme",
    "ItemTheme",
    "KeyMessage",
    "LapseWarning",
    "LoginFailure",
    "NeedInterest",
    "NeedNotice",
    "NeedTheme",
    "Organisation",
    "OutboxMessage",
    "Partnership",
    "PortfolioEntry",
    "Programme",
    "RateLimitCounter",
    "Reminder",
    "ReportingFigures",
    "SavedSearch",
    "SavedSearchDigest",
    "Sdg",
    "SearchHost",
    "SearchQueueEntry",
    "SearchSequence",
    "User",
    "item_sdgs",
    "moderator_programmes",
    "need_programmes",
    "need_sdgs",
    "utcnow",
]
