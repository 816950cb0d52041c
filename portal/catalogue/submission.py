"""Submission: partners create and keep up to date their organisation's initiatives and resources.

``create_item`` and ``update_item`` check every rule of an item's fields and report all the broken
ones at once (``ItemInvalid``, by field), so a form can show each message at its field. Submitting
and withdrawing are workflow transitions (``portal.catalogue.workflow.submit`` and ``withdraw``);
``create_item`` and ``update_item`` submit too when asked, so a view calls one service.

Audit actions (reporting counts them): ``item.created``, ``item.edited`` (``fields``: the names of
the changed fields), ``item.submitted``, ``item.confirmed``, ``item.withdrawn``, ``item.deleted``.
"""

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from typing import BinaryIO
from urllib.parse import urlsplit

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from portal import vocab
from portal.catalogue import PermissionDenied, RuleViolation, audit, files, workflow
from portal.catalogue.parsing import without_control_characters
from portal.catalogue.permissions import can_edit_item
from portal.extensions import db
from portal.models import AuditEvent, Item, ItemCountry, ItemProgramme, ItemTheme, Programme, Sdg, User, utcnow

MAX_TITLE = 200
MAX_SUMMARY = 500
MAX_DESCRIPTION = 20_000
MAX_URL = 500
MAX_CONTACT = 300
MAX_AUTHORS = 500
FIRST_PUBLICATION_YEAR = 1900

# Decisions of the desk whose message the partner should read.
DESK_ACTIONS = ("item.changes_requested", "item.rejected", "item.approved", "item.hidden", "item.unhidden")

# Snapshot keys that are named differently in the form (and in ``item.edited`` events).
_FIELD_NAMES = {"is_global": "countries", "file_original_name": "file"}


@dataclass
class ItemData:
    """What a partner states about an item: the fields of the submission form, typed.

    ``programmes`` are slugs in order, the lead programme first; ``sdgs`` are the SDGs besides SDG 12
    (which every item has); ``countries`` are ISO 3166 alpha-2 codes and/or ``"global"``.
    """

    title: str = ""
    summary: str = ""
    description: str = ""
    programmes: list[str] = field(default_factory=list)
    sdgs: list[int] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    website_url: str = ""
    contact: str = ""
    language: str = "en"
    # Initiatives only.
    activity_category: str = ""
    initiative_status: str = ""
    start_date: date | None = None
    end_date: date | None = None
    # Resources only (the file comes as an ``Upload``).
    resource_type: str = ""
    authors: str = ""
    publication_year: int | None = None
    link_url: str = ""

    @classmethod
    def from_item(cls, item: Item) -> "ItemData":
        return cls(
            title=item.title,
            summary=item.summary,
            description=item.description or "",
            programmes=[programme.slug for programme in item.programmes],
            sdgs=[number for number in item.sdg_numbers if number != vocab.HOME_SDG],
            countries=(["global"] if item.is_global else []) + sorted(item.countries),
            themes=list(item.themes),
            website_url=item.website_url or "",
            contact=item.contact or "",
            language=item.language or "en",
            activity_category=item.activity_category or "",
            initiative_status=item.initiative_status or "",
            start_date=item.start_date,
            end_date=item.end_date,
            resource_type=item.resource_type or "",
            authors=item.authors or "",
            publication_year=item.publication_year,
            link_url=item.link_url or "",
        )


@dataclass(frozen=True)
class Upload:
    """A file a partner sent: its name on their computer and a seekable stream of its bytes."""

    filename: str
    stream: BinaryIO


class ItemInvalid(RuleViolation):
    """The item breaks one or more rules; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], first_field)
        self._errors = errors

    @property
    def errors(self) -> dict[str | None, list[str]]:
        return self._errors


# --- Rules -----------------------------------------------------------------------------------------


def _lines(value: str | None) -> str:
    """Text with \\n line ends (browsers send \\r\\n) and without control characters (PostgreSQL refuses NUL)."""
    return without_control_characters((value or "").replace("\r\n", "\n").replace("\r", "\n"))


def _text(value: str | None) -> str:
    return _lines(value).strip()


def _unique(values) -> list:
    return list(dict.fromkeys(values))


def normalised(data: ItemData) -> ItemData:
    """``data`` with text trimmed, lists without repeats, SDG 12 left implicit, country codes upper-case."""
    texts = {
        name: _text(getattr(data, name))
        for name in ("title", "summary", "description", "website_url", "contact", "language", "activity_category",
                     "initiative_status", "resource_type", "authors", "link_url")
    }
    texts["description"] = _lines(data.description).lstrip("\n").rstrip()  # leading spaces mean code in Markdown
    return replace(
        data,
        **texts,
        programmes=_unique(_text(slug) for slug in data.programmes if _text(slug)),
        sdgs=_unique(number for number in data.sdgs if number != vocab.HOME_SDG),
        countries=_unique("global" if code.strip().lower() == "global" else code.strip().upper()
                          for code in data.countries if code.strip()),
        themes=_unique(_text(theme) for theme in data.themes if _text(theme)),
    )


def _is_web_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not re.search(r"\s", url)


def check(kind: str, data: ItemData) -> dict[str, list[str]]:
    """Every rule that the (normalised) ``data`` of an item of ``kind`` breaks, by field name."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    def limit(name: str, what: str, maximum: int) -> None:
        length = len(getattr(data, name))
        if length > maximum:
            fail(name, f"{what} may be at most {maximum:,} characters long; it has {length:,}.")

    if not data.title:
        fail("title", "Give the item a title.")
    limit("title", "The title", MAX_TITLE)
    if not data.summary:
        fail("summary", "Give a short summary: it shows in search results.")
    limit("summary", "The summary", MAX_SUMMARY)
    limit("description", "The description", MAX_DESCRIPTION)

    known_programmes = set(db.session.scalars(select(Programme.slug)))
    if not data.programmes:
        fail("programmes", "Choose the lead programme: every item belongs to at least one programme.")
    elif any(slug not in known_programmes for slug in data.programmes):
        fail("programmes", "Choose programmes from the list.")

    if any(number not in dict(vocab.SDGS) for number in data.sdgs):
        fail("sdgs", "Choose SDGs from the list.")
    elif len(data.sdgs) > vocab.MAX_OTHER_SDGS:
        fail("sdgs", f"Choose at most {vocab.MAX_OTHER_SDGS} SDGs besides SDG 12: you chose {len(data.sdgs)}.")

    unknown = [code for code in data.countries if code != "global" and code not in vocab.country_names()]
    if unknown:
        fail("countries", f"Choose countries from the list (ISO 3166) or “Global”; unknown: {', '.join(unknown)}.")
    if any(theme not in dict(vocab.THEMES) for theme in data.themes):
        fail("themes", "Choose themes from the list.")
    if data.language not in dict(vocab.languages()):
        fail("language", "Choose a language from the list.")

    for name, what in (("website_url", "The website"), ("link_url", "The link")):
        url = getattr(data, name)
        if url and not _is_web_address(url):
            fail(name, f"{what} must be a web address starting with http:// or https://.")
        limit(name, what, MAX_URL)
    limit("contact", "The contact", MAX_CONTACT)

    if kind == "initiative":
        if data.activity_category not in dict(vocab.ACTIVITY_CATEGORIES):
            fail("activity_category", "Choose the activity category.")
        if data.initiative_status not in dict(vocab.INITIATIVE_STATUSES):
            fail("initiative_status", "Choose whether the initiative is planned, ongoing or completed.")
        if data.start_date and data.end_date and data.end_date < data.start_date:
            fail("end_date", "The end date cannot be before the start date.")
    elif kind == "resource":
        if data.resource_type not in dict(vocab.RESOURCE_TYPES):
            fail("resource_type", "Choose the resource type.")
        limit("authors", "The authors", MAX_AUTHORS)
        latest = utcnow().year + 1
        if data.publication_year is not None and not FIRST_PUBLICATION_YEAR <= data.publication_year <= latest:
            fail("publication_year", f"Give a year between {FIRST_PUBLICATION_YEAR} and {latest}.")
    else:
        raise RuleViolation(f"Unknown kind of item: {kind}.", field="kind")
    return errors


def _check_file(kind: str, data: ItemData, upload: Upload | None, keeps_file: bool,
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
        errors.setdefault("file", []).append("A resource needs a file or a link: choose a file, or give a link.")


# --- Writing the item ------------------------------------------------------------------------------


def _apply(item: Item, kind: str, data: ItemData) -> None:
    """Copy the checked ``data`` onto ``item``; the fields of the other kind stay empty."""
    item.title, item.summary, item.description = data.title, data.summary, data.description
    item.website_url = data.website_url or None
    item.contact = data.contact or None
    item.language = data.language

    found = {p.slug: p for p in db.session.scalars(select(Programme).where(Programme.slug.in_(data.programmes)))}
    current = {link.programme.slug: link for link in item.programme_links}
    item.programme_links = [current.get(slug) or ItemProgramme(programme=found[slug]) for slug in data.programmes]
    item.programme_links.reorder()

    numbers = sorted({vocab.HOME_SDG, *data.sdgs})
    item.sdgs = list(db.session.scalars(select(Sdg).where(Sdg.number.in_(numbers)).order_by(Sdg.number)))

    item.is_global = "global" in data.countries
    codes = [code for code in data.countries if code != "global"]
    countries = {link.code: link for link in item.country_links}
    item.country_links = [countries.get(code) or ItemCountry(code=code) for code in codes]
    themes = {link.theme: link for link in item.theme_links}
    item.theme_links = [themes.get(theme) or ItemTheme(theme=theme) for theme in data.themes]

    initiative, resource = kind == "initiative", kind == "resource"
    item.activity_category = data.activity_category if initiative else None
    item.initiative_status = data.initiative_status if initiative else None
    item.start_date = data.start_date if initiative else None
    item.end_date = data.end_date if initiative else None
    item.resource_type = data.resource_type if resource else None
    item.authors = (data.authors or None) if resource else None
    item.publication_year = data.publication_year if resource else None
    item.link_url = (data.link_url or None) if resource else None


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
        raise PermissionDenied("Only the item's organisation can change it.")


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
        raise PermissionDenied("Only partners of an organisation submit items.")
    token = _one_time_token(submission_token)
    if (earlier := _created_with(actor, token)) is not None:
        return earlier
    data = normalised(data)
    errors = check(kind, data)
    _check_file(kind, data, upload, keeps_file=False, errors=errors)
    if errors:
        raise ItemInvalid(errors)
    item = Item(kind=kind, organisation=actor.organisation, created_by=actor, state="draft", submission_token=token)
    _apply(item, kind, data)
    item.created_at = item.updated_at = utcnow()
    db.session.add(item)
    try:
        db.session.flush()  # claims the token: a concurrent post of the same form waits here, then fails
    except IntegrityError:
        db.session.rollback()
        if (earlier := _created_with(actor, token)) is None:
            raise RuleViolation("This form was already sent. Open a new form to add another item.") from None
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
    _check_file(item.kind, data, upload, keeps_file=keeps_file, errors=errors)
    if errors:
        raise ItemInvalid(errors)
    current = [programme.slug for programme in item.programmes]
    if data.programmes[:1] == current[:1] and set(data.programmes) == set(current):
        data = replace(data, programmes=current)  # only the lead's place means something: keep the others' order
    before, old_file = workflow.snapshot(item), item.file_name
    _apply(item, item.kind, data)
    if item.kind == "resource" and upload is not None:
        _attach(item, upload)
    elif remove_file and item.file_name:
        _detach(item)
    after = workflow.snapshot(item)
    changed = _unique(
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
        raise RuleViolation("Only a published item can be confirmed as still active.")
    item.updated_at = utcnow()
    audit.record("item.confirmed", actor, item=item)
    db.session.flush()


def delete_draft(item: Item, actor: User) -> None:
    """Delete a draft for good (its file once the deletion commits). Other states are withdrawn instead."""
    _require_editor(actor, item)
    if item.state != "draft":
        raise RuleViolation("Only a draft can be deleted. Withdraw the item instead to take it out of public view.")
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
