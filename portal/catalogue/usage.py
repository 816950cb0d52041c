"""How an organisation's items are used by the others, for the partner's dashboard (``/my/``).

Each kind of use is a *provider*: a function ``(organisation_id, limit) -> UsageSection | None`` listed in
``PROVIDERS``. Today: the portfolio decisions of the programmes' desks. Highlights, matches with country
needs and links between items add their own provider to the list (each a query on its own tables), and
the dashboard shows every section without further change.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import vocab
from portal.extensions import db
from portal.models import Item, PortfolioEntry, Programme

SHOWN = 10


@dataclass(frozen=True)
class UsageEntry:
    """One use of one item: "Core in Sustainable Public Procurement", when, and where to see it."""

    item_id: int
    item_title: str
    text: str
    at: datetime | None = None
    link: tuple[str, dict] | None = None  # (endpoint, values) for url_for


@dataclass(frozen=True)
class UsageSection:
    key: str
    heading: str
    total: int  # every use of this kind; ``entries`` holds the latest few
    entries: list[UsageEntry] = field(default_factory=list)
    explanation: str = ""


def portfolio_decisions(organisation_id: int, limit: int) -> UsageSection:
    """The organisation's items that a programme admitted to its portfolio (affiliated or core), latest first."""
    admitted = (
        select(PortfolioEntry, Item.title, Programme)
        .join(Item, Item.id == PortfolioEntry.item_id)
        .join(Programme, Programme.id == PortfolioEntry.programme_id)
        .where(Item.organisation_id == organisation_id, PortfolioEntry.status != "none")
    )
    total = db.session.scalar(select(func.count()).select_from(admitted.subquery()))
    rows = db.session.execute(
        admitted.order_by(PortfolioEntry.decided_at.desc(), PortfolioEntry.item_id).limit(limit)
    ).all()
    entries = [
        UsageEntry(
            entry.item_id,
            title,
            _("%(status)s in %(programme)s", status=vocab.label(vocab.PORTFOLIO_STATUSES, entry.status),
              programme=programme.name),
            entry.decided_at,
            ("public.programme", {"slug": programme.slug}),
        )
        for entry, title, programme in rows
    ]
    return UsageSection(
        "portfolio",
        _("In programme portfolios"),
        total,
        entries,
        _("Affiliated: admitted after the desk's due-diligence review. Core: developed through the programme's "
          "own collaboration."),
    )


PROVIDERS: list[Callable[[int, int], UsageSection | None]] = [portfolio_decisions]


def organisation_usage(organisation_id: int, limit: int = SHOWN) -> list[UsageSection]:
    """Every provider's section for the organisation, in the order of PROVIDERS."""
    return [section for provider in PROVIDERS if (section := provider(organisation_id, limit)) is not None]
