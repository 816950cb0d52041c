"""Reminding the partners that have not reported yet (the desk's button and ``reporting remind``).

Who has reported is ``reporting.partner_rows``; a partner reminded for a programme within
``REMINDER_INTERVAL_DAYS`` is not reminded again. Each reminder is mailed through the mail service
and recorded as a ``Reminder``.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from portal import mail
from portal.catalogue import PermissionDenied, RuleViolation, notifications
from portal.catalogue.permissions import moderates
from portal.catalogue.reporting import Period, ReportScope, current_year, partner_rows, reporting_period
from portal.extensions import db
from portal.i18n import format_date
from portal.links import absolute_url
from portal.models import Programme, Reminder, User, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderOutcome:
    organisation_id: int
    organisation: str
    recipients: tuple[str, ...]
    skipped: str | None = None  # why no reminder went out
    languages: tuple[str, ...] = ()  # each recipient's language

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
    without an active account. Each reminder mails the organisation's active partner accounts and is
    recorded. ``actor`` None is the command line. With ``dry_run`` nothing is written.
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
    recipients = notifications.partner_accounts([row.organisation_id for row in wanted])
    outcomes = []
    for row in wanted:
        accounts = recipients.get(row.organisation_id, [])
        if row.next_reminder_from is not None:
            skipped = _("reminded on %(last)s; next reminder from %(next)s", last=format_date(row.last_reminder),
                        next=format_date(row.next_reminder_from))
        elif not accounts:
            skipped = _("no active partner account")
        else:
            skipped = None
        outcomes.append(ReminderOutcome(row.organisation_id, row.name, tuple(email for email, _lang in accounts),
                                        skipped, tuple(language for _email, language in accounts)))
    if not dry_run:
        for outcome in outcomes:
            if outcome.sent:
                _remind(outcome, programme, scope.period, actor, now)
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


def _remind(outcome: ReminderOutcome, programme: Programme, period: Period, actor: User | None, now: datetime) -> None:
    def compose() -> tuple[str, str]:
        values = {"year": period.label, "programme": programme.name, "organisation": outcome.organisation}
        subject = _("Reminder: report your %(year)s work to %(programme)s", **values)
        body = _(
            "Hello,\n\n%(organisation)s has not yet reported to the %(programme)s programme for %(year)s.\n\n"
            "There is no separate report to write: what you upload is your report. Submit a new initiative or "
            "resource for %(programme)s, update one of your items, or confirm that an item is still active, before "
            "%(last_day)s.\n\nSee where your organisation stands: %(link)s\n\n— %(site)s\n",
            last_day=format_date(period.last_day), link=absolute_url("partner.dashboard"),
            site=current_app.config["SITE_NAME"], **values,
        )
        return subject, body

    mail.queue_in_languages(zip(outcome.recipients, outcome.languages, strict=True), compose, topic="reporting")
    db.session.add(
        Reminder(
            organisation_id=outcome.organisation_id,
            programme_id=programme.id,
            year=period.year,
            created_at=now,
            sent_by_id=actor.id if actor is not None else None,
        )
    )
    log.info(
        "Reporting reminder to %s for %s (%d recipients)", outcome.organisation, programme.slug, len(outcome.recipients)
    )
