"""Reminding the partners that have not reported yet (the desk's button and ``reporting remind``).

Who has reported is ``reporting.partner_rows``; a partner reminded for a programme within
``REMINDER_INTERVAL_DAYS`` is not reminded again. A reminder goes to the organisation's active partner
accounts and its reporting focal point, with the alternates in copy (``organisations.mail_contacts``), so
an organisation without any account is reached through its focal point. It says that reporting is a
condition to remain a partner and what the organisation reported last; it is recorded as a ``Reminder``.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from portal.catalogue import PermissionDenied, RuleViolation
from portal.catalogue.organisations import Contacts, contacts, mail_contacts
from portal.catalogue.permissions import moderates
from portal.catalogue.reporting import Period, ReportScope, current_year, partner_rows, reporting_period
from portal.catalogue.reporting.sql import ACTION_WORDS, NOT_COUNTED_STATES, REPORTING_ACTIONS
from portal.extensions import db
from portal.i18n import format_date
from portal.links import absolute_url
from portal.models import AuditEvent, Item, ItemProgramme, Programme, Reminder, User, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderOutcome:
    organisation_id: int
    organisation: str
    recipients: tuple[str, ...]  # everyone reached, the alternates (in copy) included
    skipped: str | None = None  # why no reminder went out

    @property
    def sent(self) -> bool:
        return self.skipped is None


def send_reminders(
    actor: User | None,
    programme: Programme,
    year: int | None = None,
    organisation_ids: list[int] | None = None,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> list[ReminderOutcome]:
    """Remind the programme's partners that have not reported this year (or only ``organisation_ids``).

    A partner reminded for this programme within ``REMINDER_INTERVAL_DAYS`` is skipped, and so is one
    with neither an active account nor a focal point. Each reminder mails the organisation's contacts
    and is recorded. ``actor`` None is the command line. With ``dry_run`` nothing is written.
    """
    if actor is not None and not moderates(actor, programme):
        raise PermissionDenied(_("You do not moderate this programme."))
    now = now or utcnow()
    this_year = current_year(now)
    if year is not None and year != this_year:
        raise RuleViolation(_("Reminders go out for the current reporting year (%(year)s) only.", year=this_year),
                            field="year")
    scope = ReportScope(programme, reporting_period(this_year), now)
    rows = {row.organisation_id: row for row in partner_rows(scope)}
    if organisation_ids is not None:
        unknown = [org_id for org_id in organisation_ids if org_id not in rows]
        if unknown:
            raise RuleViolation(_("That organisation is not a partner of %(programme)s.", programme=programme.name),
                                field="organisation")
        wanted = [rows[org_id] for org_id in organisation_ids]
    else:
        wanted = list(rows.values())
    wanted = [row for row in wanted if not row.reported]
    found = contacts(row.organisation_id for row in wanted)
    outcomes = []
    for row in wanted:
        reached = found[row.organisation_id]
        if row.next_reminder_from is not None:
            skipped = _("reminded on %(last)s; next reminder from %(next)s", last=format_date(row.last_reminder),
                        next=format_date(row.next_reminder_from))
        elif not reached.reachable:
            skipped = _("no active partner account and no reporting focal point")
        else:
            skipped = None
        outcomes.append(ReminderOutcome(row.organisation_id, row.name, tuple(reached.everyone), skipped))
    if not dry_run:
        sending = [outcome for outcome in outcomes if outcome.sent]
        last = last_reported([outcome.organisation_id for outcome in sending], programme)
        for outcome in sending:
            organisation_id = outcome.organisation_id
            _remind(found[organisation_id], last.get(organisation_id), programme, scope.period, actor, now)
        db.session.flush()
    return outcomes


def describe_outcomes(outcomes: list[ReminderOutcome]) -> list[tuple[str, str]]:
    """Flash messages, as (category, text), that say who was reminded and who was not, and why."""
    if not outcomes:
        return [("success", _("Every partner has reported: there is nobody to remind."))]
    messages = []
    sent = [outcome for outcome in outcomes if outcome.sent]
    if sent:
        people = sum(len(outcome.recipients) for outcome in sent)
        names = _(", ").join(outcome.organisation for outcome in sent[:5])
        if len(sent) > 5:
            names = _("%(names)s and others", names=names)
        partners = ngettext("%(num)s partner", "%(num)s partners", len(sent))
        messages.append(("success", ngettext("Reminder sent to %(partners)s (%(num)s person): %(names)s.",
                                             "Reminder sent to %(partners)s (%(num)s people): %(names)s.", people,
                                             partners=partners, names=names)))
    skipped = [outcome for outcome in outcomes if not outcome.sent]
    if skipped:
        reasons = _("; ").join(_("%(organisation)s: %(reason)s", organisation=outcome.organisation,
                                 reason=outcome.skipped) for outcome in skipped[:5])
        if len(skipped) > 5:
            reasons = ngettext("%(reasons)s; and %(num)s more", "%(reasons)s; and %(num)s more", len(skipped) - 5,
                               reasons=reasons)
        messages.append(("info", _("Not reminded: %(reasons)s.", reasons=reasons)))
    return messages


@dataclass(frozen=True)
class LastReport:
    """An organisation's latest contribution to a programme: which item, what it did, when."""

    title: str
    action: str
    at: datetime


def last_reported(organisation_ids: list[int], programme: Programme) -> dict[int, LastReport]:
    """Each organisation's latest contribution (any year) to ``programme``, for those that made one."""
    if not organisation_ids:
        return {}
    events = (
        select(
            Item.organisation_id.label("organisation_id"),
            Item.title.label("title"),
            AuditEvent.action.label("action"),
            AuditEvent.created_at.label("at"),
            func.row_number()
            .over(partition_by=Item.organisation_id, order_by=(AuditEvent.created_at.desc(), AuditEvent.id.desc()))
            .label("position"),
        )
        .join(Item, Item.id == AuditEvent.item_id)
        .join(ItemProgramme, ItemProgramme.item_id == Item.id)
        .where(
            Item.organisation_id.in_(organisation_ids),
            ItemProgramme.programme_id == programme.id,
            Item.state.not_in(NOT_COUNTED_STATES),
            AuditEvent.action.in_(REPORTING_ACTIONS),
        )
        .subquery()
    )
    rows = db.session.execute(
        select(events.c.organisation_id, events.c.title, events.c.action, events.c.at).where(events.c.position == 1)
    )
    return {organisation_id: LastReport(title, action, at) for organisation_id, title, action, at in rows}


def _remind(
    reached: Contacts, last: LastReport | None, programme: Programme, period: Period, actor: User | None, now: datetime
) -> None:
    def compose() -> tuple[str, str]:
        subject = _("Reminder: report your %(year)s work to %(programme)s", year=period.label,
                    programme=programme.name)
        if last is None:
            reported = _("%(organisation)s has not reported anything to %(programme)s yet.",
                         organisation=reached.name, programme=programme.name)
        else:
            reported = _("What %(organisation)s reported last: “%(title)s”, %(action)s on %(day)s.",
                         organisation=reached.name, title=last.title, action=ACTION_WORDS[last.action],
                         day=format_date(last.at))
        body = _(
            "Hello,\n\n%(organisation)s has not yet reported to the %(programme)s programme for %(year)s.\n\n"
            "Reporting is expected from each partner every year, and it is a condition to remain a partner of "
            "the programme.\n\n%(reported)s\n\n"
            "There is no separate report to write: what you upload is your report. Submit a new initiative or "
            "resource for %(programme)s, update one of your items, or confirm that an item is still active, "
            "before %(deadline)s.\n\nSee where your organisation stands: %(url)s\n\n— %(site)s\n",
            organisation=reached.name, programme=programme.name, year=period.label, reported=reported,
            deadline=format_date(period.last_day), url=absolute_url("partner.dashboard"),
            site=current_app.config["SITE_NAME"],
        )
        return subject, body

    mail_contacts(reached, compose, "reporting", alternates_in_copy=True)
    db.session.add(
        Reminder(
            organisation_id=reached.organisation_id,
            programme_id=programme.id,
            year=period.year,
            created_at=now,
            sent_by_id=actor.id if actor is not None else None,
        )
    )
    log.info("Reporting reminder to %s for %s (%d recipients)", reached.name, programme.slug, len(reached.everyone))
