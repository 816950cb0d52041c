"""Organisations: their details, reporting contacts (focal point and alternates), partnerships with
programmes (added and ended with a date) and the merging of duplicates. Every change is audited.

The reporting contacts need no account: an organisation without any partner account is still reached
through its focal point. ``contacts`` gathers whom to mail for each organisation.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, func, or_, select, update

from portal import mail, search
from portal.catalogue import NotFound, PermissionDenied, RuleViolation, audit
from portal.catalogue.permissions import can_edit_organisation, is_admin
from portal.extensions import db
from portal.i18n import DEFAULT as DEFAULT_LANGUAGE
from portal.models import (
    AuditEvent,
    Item,
    LapseWarning,
    Organisation,
    Partnership,
    Programme,
    Reminder,
    User,
    utcnow,
)
from portal.vocab import ORGANISATION_TYPES, country_codes

MAX_ALTERNATES = 5


def partner_on(day: date, partnership=Partnership) -> ColumnElement[bool]:
    """The partnership runs on ``day``: joined by then and not ended yet (``Partnership.active_on`` in SQL)."""
    return and_(partnership.joined_on <= day, or_(partnership.ended_on.is_(None), partnership.ended_on > day))


def organisation_for(user: User, organisation_id: int) -> Organisation:
    """The organisation when ``user`` may edit it; NotFound otherwise, exactly as for a missing one."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not can_edit_organisation(user, organisation):
        raise NotFound(organisation_id)
    return organisation


# --- Reporting contacts -------------------------------------------------------------------------------


def checked_email(value: str, field_name: str) -> str:
    """``value`` as a normalised, lower-cased address; a RuleViolation at ``field_name`` when it is not one."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise RuleViolation(
            _("“%(value)s” is not an email address: %(reason)s", value=value.strip()[:80], reason=error),
            field=field_name,
        ) from None


def split_addresses(text: str) -> list[str]:
    """The addresses in ``text``, separated by commas, semicolons, spaces or lines."""
    return [part for part in text.replace(",", " ").replace(";", " ").split() if part]


def checked_contacts(focal_point: str, alternates: Iterable[str]) -> tuple[str | None, list[str]]:
    """The focal point and alternates as an organisation keeps them: checked, normalised addresses, the
    alternates without repeats or the focal point, at most MAX_ALTERNATES, and only with a focal point.
    A RuleViolation at ``focal_point`` or ``alternates`` otherwise (the form's and the import's rule)."""
    focal = checked_email(focal_point, "focal_point") if focal_point.strip() else None
    others: list[str] = []
    for value in alternates:
        address = checked_email(value, "alternates")
        if address != focal and address not in others:
            others.append(address)
    if others and focal is None:
        raise RuleViolation(_("Name the reporting focal point: alternates stand in for it."), field="focal_point")
    if len(others) > MAX_ALTERNATES:
        raise RuleViolation(_("Name at most %(number)d alternates.", number=MAX_ALTERNATES), field="alternates")
    return focal, others


def update_contacts(actor: User, organisation: Organisation, focal_point: str, alternates: Iterable[str]) -> None:
    """Set the reporting focal point and alternates (``checked_contacts``)."""
    if not can_edit_organisation(actor, organisation):
        raise PermissionDenied(_("You cannot edit this organisation."))
    focal, others = checked_contacts(focal_point, alternates)
    before = {"focal_point": organisation.focal_point_email, "alternates": list(organisation.alternate_emails or [])}
    after = {"focal_point": focal, "alternates": others}
    if before == after:
        return
    organisation.focal_point_email, organisation.alternate_emails = focal, others
    # "old"/"new", not "before"/"after": the history shows these as a sentence, not as values.
    audit.record("organisation.contacts_changed", actor, organisation=organisation, old=before, new=after)
    db.session.flush()


@dataclass
class Contacts:
    """Whom to mail for an organisation: its active partner accounts, its focal point and alternates."""

    organisation_id: int
    name: str
    accounts: list[str] = field(default_factory=list)
    focal_point: str | None = None
    alternates: list[str] = field(default_factory=list)
    languages: dict[str, str] = field(default_factory=dict)  # each account's language

    @property
    def language(self) -> str:
        """For the focal point and alternates (no account, no language of their own): the language most
        of the organisation's partner accounts use, else English."""
        counted = Counter(self.languages.values())
        return counted.most_common(1)[0][0] if counted else DEFAULT_LANGUAGE

    @property
    def reachable(self) -> bool:
        return bool(self.accounts or self.focal_point)

    @property
    def primary(self) -> list[str]:
        """The focal point and the accounts, each once (those a message is addressed to)."""
        return list(dict.fromkeys([self.focal_point] if self.focal_point else []) | dict.fromkeys(self.accounts))

    @property
    def everyone(self) -> list[str]:
        """Every address, each once: the focal point, the accounts, then the alternates."""
        return list(dict.fromkeys(self.primary) | dict.fromkeys(self.alternates))


def contacts(organisation_ids: Iterable[int]) -> dict[int, Contacts]:
    """The contacts of each of ``organisation_ids`` (in two queries)."""
    ids = sorted(set(organisation_ids))
    if not ids:
        return {}
    found = {
        organisation_id: Contacts(organisation_id, name, [], focal, list(alternates or []))
        for organisation_id, name, focal, alternates in db.session.execute(
            select(Organisation.id, Organisation.name, Organisation.focal_point_email, Organisation.alternate_emails)
            .where(Organisation.id.in_(ids))
        )
    }
    accounts = db.session.execute(
        select(User.organisation_id, User.email, User.language)
        .where(User.organisation_id.in_(ids), User.role == "partner", User.active.is_(True))
        .order_by(User.email)
    )
    for organisation_id, email, language in accounts:
        found[organisation_id].accounts.append(email)
        found[organisation_id].languages[email] = language
    return found


def mail_contacts(found: Contacts, compose: Callable[[], tuple[str, str]], topic: str, *,
                  alternates_in_copy: bool) -> None:
    """Mail ``found``: one message to the focal point (the alternates in copy when asked) and one to each
    partner account, so that each person gets one copy (``everyone``, or ``primary`` without the copies).

    ``compose()`` gives (subject, body); it runs in each account's language, and in the organisation's
    (``Contacts.language``) for the focal point's message.
    """
    copy = [a for a in found.alternates if a != found.focal_point] if alternates_in_copy else []
    if found.focal_point:
        with force_locale(found.language):
            subject, body = compose()
        mail.queue(found.focal_point, subject, body, topic, cc=copy)
    accounts = [address for address in found.accounts if address != found.focal_point and address not in copy]
    mail.queue_in_languages(((address, found.languages.get(address, DEFAULT_LANGUAGE)) for address in accounts),
                            compose, topic)


# --- Details (admins) -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationDetails:
    name: str
    type: str
    country: str | None
    website: str | None


def update_details(actor: User, organisation: Organisation, details: OrganisationDetails) -> None:
    """Rename or re-describe an organisation (admins); its items' search documents follow the new name."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only admins edit organisations."))
    name = " ".join(details.name.split())
    if not name:
        raise RuleViolation(_("Name the organisation."), field="name")
    same_name = db.session.scalar(
        select(Organisation.id).where(func.lower(Organisation.name) == name.lower(), Organisation.id != organisation.id)
    )
    if same_name is not None:
        raise RuleViolation(_("Another organisation has this name: merge the two instead."), field="name")
    if details.type not in dict(ORGANISATION_TYPES):
        raise RuleViolation(_("Choose a type of organisation."), field="type")
    if details.country and details.country not in country_codes():
        raise RuleViolation(_("Choose a country from the list."), field="country")
    changes = {
        key: (getattr(organisation, key), value)
        for key, value in (
            ("name", name), ("type", details.type), ("country", details.country or None),
            ("website", (details.website or "").strip() or None),
        )
        if getattr(organisation, key) != value
    }
    if not changes:
        return
    for key, (_before, value) in changes.items():
        setattr(organisation, key, value)
    audit.record(
        "organisation.edited",
        actor,
        organisation=organisation,
        old={key: before for key, (before, _after) in changes.items()},
        new={key: after for key, (_before, after) in changes.items()},
    )
    if "name" in changes:
        _items_changed(Item.organisation_id == organisation.id)
    db.session.flush()


def _items_changed(which: ColumnElement[bool], **values) -> int:
    """The items ``which`` show their organisation, which changed: write ``values`` to them, date the change
    for harvesters (``changed_at``: a bulk UPDATE passes by ``portal.catalogue.changes``), re-index them.
    Returns how many there were."""
    statement = update(Item).where(which).values(changed_at=utcnow(), **values).returning(Item.id)
    item_ids = list(db.session.scalars(statement))
    search.record_changes(item_ids)
    return len(item_ids)


# --- Partnerships -----------------------------------------------------------------------------------------


def add_partnership(
    organisation: Organisation, programme: Programme, joined_on: date | None = None, *, actor: User | None = None
) -> None:
    """Make ``organisation`` a partner of ``programme`` from ``joined_on`` (today by default).

    An ended partnership with the programme starts again from ``joined_on``; a current one is left as it is.
    """
    joined_on = joined_on or utcnow().date()
    existing = next((p for p in organisation.partnerships if p.programme_id == programme.id), None)
    if existing is not None and existing.ended_on is None:
        return
    if existing is None:
        organisation.partnerships.append(Partnership(programme=programme, joined_on=joined_on))
        previous = None
    else:
        previous = {"joined_on": existing.joined_on.isoformat(), "ended_on": existing.ended_on.isoformat()}
        existing.joined_on, existing.ended_on = joined_on, None
    db.session.flush()
    audit.record(
        "organisation.partnership_added",
        actor,
        organisation=organisation,
        programme=programme,
        programme_name=programme.name,
        joined_on=joined_on.isoformat(),
        previous=previous,
    )


def add_partnership_by(actor: User, organisation: Organisation, programme: Programme, joined_on: date) -> None:
    """An admin adds a partnership with its date."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only admins manage partnerships."))
    if joined_on > utcnow().date():
        raise RuleViolation(_("The partnership cannot start in the future."), field="joined_on")
    if programme in organisation.programmes:
        raise RuleViolation(
            _("%(organisation)s is already a partner of %(programme)s.", organisation=organisation.name,
              programme=programme.name),
            field="programme",
        )
    add_partnership(organisation, programme, joined_on, actor=actor)


def end_partnership(actor: User, organisation: Organisation, programme: Programme, ended_on: date) -> None:
    """End the partnership on ``ended_on``: from that day the organisation is not a partner of the programme."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only admins manage partnerships."))
    partnership = next((p for p in organisation.partnerships if p.programme_id == programme.id), None)
    if partnership is None or partnership.ended_on is not None:
        raise RuleViolation(_("There is no current partnership with %(programme)s.", programme=programme.name))
    if ended_on <= partnership.joined_on:
        raise RuleViolation(
            _("The end must come after the start (%(day)s).", day=partnership.joined_on.isoformat()), field="ended_on"
        )
    partnership.ended_on = ended_on
    audit.record(
        "organisation.partnership_ended", actor, organisation=organisation, programme=programme,
        programme_name=programme.name, joined_on=partnership.joined_on.isoformat(), ended_on=ended_on.isoformat(),
    )
    db.session.flush()


# --- Merging duplicates ---------------------------------------------------------------------------------


def merge(actor: User, keep: Organisation, duplicate: Organisation) -> dict[str, int]:
    """Move everything of ``duplicate`` into ``keep`` and delete it: items, accounts, partnerships (the
    earliest start; current if either is), reminders, lapse warnings, history; missing details and contacts.
    Returns how many items, users and partnerships moved."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only admins merge organisations."))
    if keep.id == duplicate.id:
        raise RuleViolation(_("Choose another organisation to merge into this one."), field="duplicate")
    moved = {
        "items": _items_changed(Item.organisation_id == duplicate.id, organisation_id=keep.id),
        "users": 0,
        "partnerships": len(duplicate.partnerships),
    }
    for user in db.session.scalars(select(User).where(User.organisation_id == duplicate.id)):
        user.organisation = keep
        moved["users"] += 1
    for model in (Reminder, LapseWarning, AuditEvent):
        db.session.execute(
            update(model).where(model.organisation_id == duplicate.id).values(organisation_id=keep.id)
        )
    for partnership in list(duplicate.partnerships):
        _merge_partnership(keep, partnership)
        duplicate.partnerships.remove(partnership)
    for key in ("country", "website", "focal_point_email"):
        if not getattr(keep, key):
            setattr(keep, key, getattr(duplicate, key))
    keep.alternate_emails = [
        address
        for address in dict.fromkeys([*(keep.alternate_emails or []), *(duplicate.alternate_emails or [])])
        if address != keep.focal_point_email
    ]
    audit.record(
        "organisation.merged", actor, organisation=keep, merged=duplicate.name, merged_id=duplicate.id, **moved
    )
    db.session.delete(duplicate)
    db.session.flush()
    return moved


def _merge_partnership(keep: Organisation, partnership: Partnership) -> None:
    mine = next((p for p in keep.partnerships if p.programme_id == partnership.programme_id), None)
    if mine is None:
        keep.partnerships.append(
            Partnership(programme=partnership.programme, joined_on=partnership.joined_on, ended_on=partnership.ended_on)
        )
        return
    mine.joined_on = min(mine.joined_on, partnership.joined_on)
    if mine.ended_on is None or partnership.ended_on is None:
        mine.ended_on = None
    else:
        mine.ended_on = max(mine.ended_on, partnership.ended_on)
