"""The workflow of an item: draft → submitted → published | rejected, or back to the partner with
changes_requested; a partner may withdraw; a desk may hide a published item.

Each function checks who may act, checks the transition, changes the item, records the audit
event and flushes. Callers commit.
"""

from typing import Any

from flask_babel import gettext as _

from portal.catalogue import PermissionDenied, RuleViolation, audit
from portal.catalogue.figures import figures_of
from portal.catalogue.permissions import belongs_to_item_organisation, can_decide, is_admin
from portal.extensions import db
from portal.models import Item, User, utcnow
from portal.vocab import STATES, label

# action → (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({"draft", "changes_requested", "withdrawn"}), "submitted"),
    "approve": (frozenset({"submitted"}), "published"),
    "reject": (frozenset({"submitted"}), "rejected"),
    "request_changes": (frozenset({"submitted"}), "changes_requested"),
    "withdraw": (frozenset({"submitted", "published"}), "withdrawn"),
}

# Fields the desk compares with the last published version.
SNAPSHOT_FIELDS = (
    "kind",
    "title",
    "summary",
    "description",
    "website_url",
    "contact",
    "language",
    "is_global",
    "activity_category",
    "start_date",
    "end_date",
    "initiative_status",
    "resource_type",
    "authors",
    "publication_year",
    "link_url",
    "file_original_name",
)


def allowed_actions(item: Item) -> set[str]:
    return {action for action, (sources, _) in TRANSITIONS.items() if item.state in sources}


def snapshot(item: Item) -> dict[str, Any]:
    """The item's content as plain JSON-able values."""
    data: dict[str, Any] = {}
    for field in SNAPSHOT_FIELDS:
        value = getattr(item, field)
        data[field] = value.isoformat() if hasattr(value, "isoformat") else value
    data["programmes"] = [programme.slug for programme in item.programmes]
    data["sdgs"] = item.sdg_numbers
    data["countries"] = sorted(item.countries)
    data["themes"] = sorted(item.themes)
    # Added with match-making: present only when set, so items approved before show no change.
    if item.is_offer:
        data["offer_to_other_countries"] = True
    if item.results_on_ground:
        data["results_on_the_ground"] = item.results_on_ground
    if item.key_figures:
        data["key_figures"] = [str(figure) for figure in figures_of(item.key_figures)]
    return data


def _transition(item: Item, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if item.state not in sources:
        raise RuleViolation(_("This cannot be done to an item in the state “%(state)s”.",
                              state=label(STATES, item.state)))
    previous, item.state = item.state, target
    return previous


def _require_partner(item: Item, actor: User) -> None:
    if not (belongs_to_item_organisation(actor, item) or is_admin(actor)):
        raise PermissionDenied(_("Only the item's organisation can do this."))


def _require_desk(item: Item, actor: User) -> None:
    if not can_decide(actor, item):
        raise PermissionDenied(_("Only the desk of the item's lead programme can decide on it."))


def _required(text: str, missing: str) -> str:
    """``text`` trimmed; ``missing`` is the message when there is none."""
    text = (text or "").strip()
    if not text:
        raise RuleViolation(missing, field="message")
    return text


def submit(item: Item, actor: User) -> None:
    """Send the item to its lead programme's desk. Submitting counts as an update by the partner."""
    _require_partner(item, actor)
    previous = _transition(item, "submit")
    item.submitted_at = item.updated_at = utcnow()
    audit.record("item.submitted", actor, item=item, previous_state=previous)
    db.session.flush()


def approve(item: Item, actor: User, message: str = "") -> None:
    _require_desk(item, actor)
    _transition(item, "approve")
    item.published_at = utcnow()
    item.published_snapshot = snapshot(item)
    audit.record("item.approved", actor, item=item, programme=item.lead_programme, message=message)
    db.session.flush()


def reject(item: Item, actor: User, reason: str) -> None:
    _require_desk(item, actor)
    reason = _required(reason, _("A reason is required."))
    _transition(item, "reject")
    audit.record("item.rejected", actor, item=item, programme=item.lead_programme, message=reason)
    db.session.flush()


def request_changes(item: Item, actor: User, message: str) -> None:
    _require_desk(item, actor)
    message = _required(message, _("A message to the partner is required."))
    _transition(item, "request_changes")
    audit.record("item.changes_requested", actor, item=item, programme=item.lead_programme, message=message)
    db.session.flush()


def withdraw(item: Item, actor: User, reason: str = "") -> None:
    """The partner takes the item out of public view; it stays in the database."""
    _require_partner(item, actor)
    previous = _transition(item, "withdraw")
    audit.record("item.withdrawn", actor, item=item, message=reason, previous_state=previous)
    db.session.flush()


def hide(item: Item, actor: User, reason: str) -> None:
    """The desk hides a published item from public view, for example for broken content."""
    _require_desk(item, actor)
    reason = _required(reason, _("A reason is required."))
    if item.state != "published" or item.hidden:
        raise RuleViolation(_("Only a published item that is not hidden can be hidden."))
    item.hidden, item.hidden_reason = True, reason
    audit.record("item.hidden", actor, item=item, message=reason)
    db.session.flush()


def unhide(item: Item, actor: User, message: str = "") -> None:
    _require_desk(item, actor)
    if not item.hidden:
        raise RuleViolation(_("The item is not hidden."))
    item.hidden, item.hidden_reason = False, None
    audit.record("item.unhidden", actor, item=item, message=message)
    db.session.flush()
