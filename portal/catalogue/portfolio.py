"""Programme portfolios: which published items a programme stands behind, and how they got there.

Per (item, programme) a ``PortfolioEntry`` holds the status (``none``, ``affiliated``, ``core``), the
due-diligence checks the desk ticked and its notes. Only that programme's desk decides, and only once
the item has been approved. "Affiliated" means admitted after the desk's due-diligence review, so it
needs every check of the checklist (setting ``DUE_DILIGENCE_CHECKS``); "Core" means developed through
the programme's own collaboration.
"""

from flask import current_app
from flask_babel import gettext as _

from portal import vocab
from portal.catalogue import PermissionDenied, RuleViolation, audit, notifications
from portal.catalogue.permissions import can_set_portfolio
from portal.extensions import db
from portal.models import Item, PortfolioEntry, Programme, User, utcnow


def checklist() -> list[tuple[str, str]]:
    """The due-diligence checks as (key, label) pairs, from the settings."""
    return [tuple(check) for check in current_app.config["DUE_DILIGENCE_CHECKS"]]


def entry_for(item: Item, programme: Programme) -> PortfolioEntry | None:
    for entry in item.portfolio_entries:
        if entry.programme_id == programme.id:
            return entry
    return None


def set_portfolio_status(
    item: Item,
    actor: User,
    programme: Programme,
    status: str,
    checks: list[str] | None = None,
    notes: str = "",
    *,
    notify: bool = True,
) -> PortfolioEntry:
    """Record the desk's portfolio decision for ``programme``; returns the entry.

    Records ``item.portfolio_changed`` (before, after, the notes) when anything changed, and tells the
    partner by mail when the status changed (unless ``notify`` is False: the caller tells them).
    """
    if not can_set_portfolio(actor, item, programme):
        raise PermissionDenied(_("Only the programme's desk decides its portfolio."))
    if item.state != "published":
        raise RuleViolation(_("The portfolio status can be set once the item is approved."), field="status")
    if status not in vocab.values(vocab.PORTFOLIO_STATUSES):
        raise RuleViolation(_("Choose a portfolio status."), field="status")
    known = [key for key, _ in checklist()]
    checks = list(dict.fromkeys(checks or []))
    unknown = [check for check in checks if check not in known]
    if unknown:
        raise RuleViolation(_("Unknown due-diligence check: %(checks)s.", checks=", ".join(unknown)), field="checks")
    if status == "affiliated" and set(checks) != set(known):
        raise RuleViolation(
            _("An affiliated item needs the whole due-diligence checklist: tick every check first."), field="checks"
        )
    notes = (notes or "").strip()
    checks = [key for key in known if key in checks]  # the checklist's order

    entry = entry_for(item, programme)
    before = entry.status if entry is not None else "none"
    changed = ((entry.status, entry.checks, entry.notes) if entry else ("none", [], "")) != (status, checks, notes)
    if entry is not None and not changed:
        return entry
    if entry is None:
        entry = PortfolioEntry(programme=programme, programme_id=programme.id)
        item.portfolio_entries.append(entry)
    entry.status, entry.checks, entry.notes = status, checks, notes
    entry.decided_by_id, entry.decided_at = actor.id, utcnow()
    db.session.flush()
    if not changed:
        return entry  # a first "Not in portfolio": the entry marks it decided, nothing changed
    audit.record(
        "item.portfolio_changed",
        actor,
        item=item,
        programme=programme,
        message=notes,
        before=before,
        for_programme=programme.stored_name,
        after=status,
        checks=checks,
    )
    if notify and status != before:
        notifications.item_decided(item, "item.portfolio_changed", programme=programme, message=notes, status=status)
    db.session.flush()
    return entry
