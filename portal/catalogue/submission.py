"""Submission: partners create and keep up to date their organisation's initiatives and resources.

``create_item`` and ``update_item`` check every rule of an item's fields (``portal.catalogue.item_fields``,
the rule set the import uses too) and report all the broken ones at once (``ItemInvalid``, by field),
so a form can show each message at its field. Submitting and withdrawing are workflow transitions
(``portal.catalogue.workflow.submit`` and ``withdraw``); ``create_item`` and ``update_item`` submit too
when asked, so a view calls one service.

Audit actions (reporting counts them): ``item.created``, ``item.edited`` (``fields``: the names of
the changed fields), ``item.submitted``, ``item.confirmed``, ``item.withdrawn``, ``item.deleted``.
"""

import uuid
from dataclasses import dataclass, replace
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from portal.catalogue import PermissionDenied, RuleViolation, audit, files, workflow
from portal.catalogue.item_fields import ItemData, ItemInvalid, apply, check, normalised, unique
from portal.catalogue.permissions import can_edit_item
from portal.extensions import db
from portal.models import AuditEvent, Item, User, utcnow

__all__ = ["ItemData", "ItemInvalid", "Upload", "create_item", "update_item"]

# Decisions of the desk whose message the partner should read.
DESK_ACTIONS = ("item.changes_requested", "item.rejected", "item.approved", "item.hidden", "item.unhidden")

# Snapshot keys that are named differently in the form (and in ``item.edited`` events).
_FIELD_NAMES = {
    "is_global": "countries",
    "file_original_name": "file",
    "offer_to_other_countries": "is_offer",
    "results_on_the_ground": "results_on_ground",
}


@dataclass(frozen=True)
class Upload:
    """A file a partner sent: its name on their computer and a seekable stream of its bytes."""

    filename: str
    stream: BinaryIO


def check_file(kind: str, data: ItemData, upload: Upload | None, keeps_file: bool,
                errors: dict[str, list[str]]) -> None:
    """Resources need a file or a link; an uploaded file must be of an allowed type and size."""
    if kind != "resource":
        return
    if upload is not None:
        try:
            files.check(upload.stream)
        except RuleViolation as error:
            errors.setdefault("file", []).append(error.message)
    elif not keeps_file and not data.link_url:
        errors.setdefault("file", []).append(_("A resource needs a file or a link: choose a file, or give a link."))


# --- Writing the item ------------------------------------------------------------------------------


def _attach(item: Item, upload: Upload) -> None:
    stored = files.store(upload.stream, upload.filename)
    files.discard(item.file_name)
    item.file_name, item.file_original_name = stored.name, stored.original_name
    item.file_mime, item.file_size = stored.mime, stored.size


def _detach(item: Item) -> None:
    files.discard(item.file_name)
    item.file_name = item.file_original_name = item.file_mime = item.file_size = None


def _require_editor(actor: User, item: Item) -> None:
    if not can_edit_item(actor, item):
        raise PermissionDenied(_("Only the item's organisation can change it."))


def _one_time_token(value: str | None) -> str | None:
    """A submission form's token in its canonical form, None when absent or not a UUID."""
    try:
        return str(uuid.UUID(value)) if value else None
    except ValueError:
        return None


def _created_with(actor: User, token: str | None) -> Item | None:
    """The item of ``actor``'s organisation that the form with ``token`` created already, if any."""
    if token is None:
        return None
    return db.session.scalar(
        select(Item).where(Item.submission_token == token, Item.organisation_id == actor.organisation_id)
    )


def create_item(actor: User, kind: str, data: ItemData, *, upload: Upload | None = None,
                submit: bool = False, submission_token: str | None = None) -> Item:
    """A new draft of ``actor``'s organisation (submitted for review too when ``submit``).

    ``submission_token`` is the form's one-time token: when an item was already created with it (the
    same form posted again), that item is returned and nothing is created or stored.
    """
    if not (actor.is_authenticated and actor.is_partner and actor.organisation_id is not None):
        raise PermissionDenied(_("Only partners of an organisation submit items."))
    token = _one_time_token(submission_token)
    if (earlier := _created_with(actor, token)) is not None:
        return earlier
    data = normalised(data)
    errors = check(kind, data)
    check_file(kind, data, upload, keeps_file=False, errors=errors)
    if errors:
        raise ItemInvalid(errors)
    item = Item(kind=kind, organisation=actor.organisation, created_by=actor, state="draft", submission_token=token)
    apply(item, kind, data)
    item.created_at = item.updated_at = utcnow()
    db.session.add(item)
    try:
        db.session.flush()  # claims the token: a concurrent post of the same form waits here, then fails
    except IntegrityError:
        db.session.rollback()
        if (earlier := _created_with(actor, token)) is None:
            raise RuleViolation(_("This form was already sent. Open a new form to add another item.")) from None
        return earlier
    if kind == "resource" and upload is not None:
        _attach(item, upload)  # only once the token is ours: a repeated post stores no file
    audit.record("item.created", actor, item=item)
    if submit:
        workflow.submit(item, actor)
    db.session.flush()
    return item


def update_item(item: Item, actor: User, data: ItemData, *, upload: Upload | None = None,
                remove_file: bool = False, submit: bool = False) -> list[str]:
    """Change ``item``; returns the names of the changed fields.

    The state does not change (a published item stays published), unless ``submit`` sends it for
    review. A change renews ``updated_at``, which brings an inactive item back into view.
    """
    _require_editor(actor, item)
    data = normalised(data)
    errors = check(item.kind, data)
    keeps_file = bool(item.file_name) and not remove_file
    check_file(item.kind, data, upload, keeps_file=keeps_file, errors=errors)
    if errors:
        raise ItemInvalid(errors)
    current = [programme.slug for programme in item.programmes]
    if data.programmes[:1] == current[:1] and set(data.programmes) == set(current):
        data = replace(data, programmes=current)  # only the lead's place means something: keep the others' order
    before, old_file = workflow.snapshot(item), item.file_name
    apply(item, item.kind, data)
    if item.kind == "resource" and upload is not None:
        _attach(item, upload)
    elif remove_file and item.file_name:
        _detach(item)
    after = workflow.snapshot(item)
    changed = unique(
        _FIELD_NAMES.get(name, name) for name, value in after.items() if before.get(name) != value
    )
    if item.file_name != old_file and "file" not in changed:
        changed.append("file")
    if changed:
        item.updated_at = utcnow()
        audit.record("item.edited", actor, item=item, fields=changed)
    if submit:
        workflow.submit(item, actor)
    db.session.flush()
    return changed


def confirm_active(item: Item, actor: User) -> None:
    """"Confirm still active": renews ``updated_at`` so the item stays, or comes back, in public view."""
    _require_editor(actor, item)
    if item.state != "published":
        raise RuleViolation(_("Only a published item can be confirmed as still active."))
    item.updated_at = utcnow()
    audit.record("item.confirmed", actor, item=item)
    db.session.flush()


def delete_draft(item: Item, actor: User) -> None:
    """Delete a draft for good (its file once the deletion commits). Other states are withdrawn instead."""
    _require_editor(actor, item)
    if item.state != "draft":
        raise RuleViolation(_("Only a draft can be deleted. Withdraw the item instead to take it out of public view."))
    audit.record(
        "item.deleted", actor, item=item, organisation=item.organisation, deleted_item_id=item.id,
        title=item.title, kind=item.kind,
    )
    if item.file_name:
        files.discard(item.file_name)
    db.session.delete(item)
    db.session.flush()


# --- Reading ---------------------------------------------------------------------------------------


def organisation_items(organisation_id: int) -> Select:
    """The organisation's items, most recently updated first."""
    return (
        select(Item)
        .where(Item.organisation_id == organisation_id)
        .order_by(Item.updated_at.desc(), Item.id.desc())
    )


def desk_messages(item: Item) -> list[AuditEvent]:
    """The desk's decisions on ``item`` that came with a message, newest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.item_id == item.id, AuditEvent.action.in_(DESK_ACTIONS), AuditEvent.message != "")
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        )
    )


def latest_desk_messages(items: list[Item]) -> dict[int, AuditEvent]:
    """For each of ``items`` that has one, the desk's latest decision with a message."""
    if not items:
        return {}
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.item_id.in_([item.id for item in items]),
            AuditEvent.action.in_(DESK_ACTIONS),
            AuditEvent.message != "",
        )
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    return {event.item_id: event for event in events}
