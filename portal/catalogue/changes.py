"""When an item last changed in this catalogue, and whether the public ever saw it.

OAI-PMH harvesters ask "what changed since?" and must learn about records that left public view
(DESIGN.md). Two columns answer that, kept up to date by a session listener rather than by each
service, so no service can forget them:

- ``Item.changed_at``: set to now by any flush that really changes the item (its fields, its
  programmes, SDGs, countries, themes or portfolio entries): an edit, a decision, hiding, withdrawal,
  an import. An imported record's datestamp is therefore the moment it was imported, not its
  ``updated_at`` from the file.
- ``Item.ever_public``: set once a flush leaves the item public (``visibility.is_public``). Items that
  were never public are never reported to harvesters, not even as deleted.

Bulk statements bypass the listener: they set both columns themselves (``portal.demo`` does).
"""

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.catalogue.visibility import is_public
from portal.extensions import db
from portal.models import Item, PortfolioEntry, utcnow

_installed = False


def install() -> None:
    """Listen to every session of ``db`` (once per process)."""
    global _installed
    if not _installed:
        event.listen(db.session, "before_flush", _before_flush)
        _installed = True


def _changed_items(session: Session) -> set[Item]:
    items = set()
    new = set(session.new)
    for obj in (*new, *session.dirty):
        if obj not in new and not session.is_modified(obj):
            continue  # touched, but every value is the one it had
        if isinstance(obj, Item):
            items.add(obj)
        elif isinstance(obj, PortfolioEntry) and obj.item is not None:
            items.add(obj.item)
    return items


def _before_flush(session: Session, _context, _instances) -> None:
    now = utcnow()
    for item in _changed_items(session):
        item.changed_at = now
        if item.updated_at is None:
            item.updated_at = now
        if is_public(item, now):
            item.ever_public = True
