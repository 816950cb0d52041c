"""Reminding the partners that have not reported yet (the desk's button and ``reporting remind``).

Who has reported is ``reporting.partner_rows``; a partner reminded for a programme within
``REMINDER_INTERVAL_DAYS`` is not reminded again. Each reminder is mailed through the mail service
and recorded as a ``Reminder``.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from portal import mail
from portal.catalogue import PermissionDenied, RuleViolation, notifications
from portal.catalogue.permissions import moderates
from portal.catalogue.reporting import Period, ReportScope, current_year, partner_rows, reporting_period
from portal.extensions import db
from portal.models import Programme, Reminder, User, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderOutcome:
    organisation_id: int
    organisation: str
    recipients: tuple[str, ...]
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
    without an active account. Each reminder mails the organisation's active partner accounts and is
    recorded. ``actor`` None is the command line. With ``dry_run`` nothing is written.
    """
    if actor is not None and not moderates(actor, programme):
        raise PermissionDenied("You do not moderate this programme.")
    now = now or utcnow()
    this_year = current_year(now)
    if year is not None and year != this_year:
        raise RuleViolation(f"Reminders go out for the current reporting year ({this_year}) only.", field="year")
    scope = ReportScope(programme, reporting_period(this_year), now)
    rows = {row.organisation_id: row for row in partner_rows(scope)}
    if organisation_ids is not None:
        unknown = [org_id for org_id in organisation_ids if org_id not in rows]
        if unknown:
            raise RuleViolation(f"That organisation is not a partner of {programme.name}.", field="organisation")
        wanted = [rows[org_id] for org_id in organisation_ids]
    else:
        wanted = list(rows.values())
    wanted = [row for row in wanted if not row.reported]
    recipients = _recipients([row.organisation_id for row in wanted])
    outcomes = []
    for row in wanted:
        emails = tuple(recipients.get(row.organisation_id, ()))
        if row.next_reminder_from is not None:
            skipped = f"reminded on {row.last_reminder:%d %b %Y}; next reminder from {row.next_reminder_from:%d %b %Y}"
        elif not emails:
            skipped = "no active partner account"
        else:
            skipped = None
        outcomes.append(ReminderOutcome(row.organisation_id, row.name, emails, skipped))
    if not dry_run:
        for outcome in outcomes:
            if outcome.sent:
                _remind(outcome, programme, scope.period, actor, now)
        db.session.flush()
    return outcomes


def describe_outcomes(outcomes: list[ReminderOutcome]) -> list[tuple[str, str]]:
    """Flash messages, as (category, text), that say who was reminded and who was not, and why."""
    if not outcomes:
        return [("success", "Every partner has reported: there is nobody to remind.")]
    messages = []
    sent = [outcome for outcome in outcomes if outcome.sent]
    if sent:
        people = sum(len(outcome.recipients) for outcome in sent)
        names = ", ".join(outcome.organisation for outcome in sent[:5]) + (" and others" if len(sent) > 5 else "")
        messages.append(
            (
                "success",
                f"Reminder sent to {len(sent)} partner{'s' if len(sent) != 1 else ''} "
                f"({people} {'person' if people == 1 else 'people'}): {names}.",
            )
        )
    skipped = [outcome for outcome in outcomes if not outcome.sent]
    if skipped:
        reasons = "; ".join(f"{outcome.organisation}: {outcome.skipped}" for outcome in skipped[:5])
        more = f"; and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        messages.append(("info", f"Not reminded: {reasons}{more}."))
    return messages


def _recipients(organisation_ids: list[int]) -> dict[int, list[str]]:
    """Active partner accounts per organisation."""
    found: dict[int, list[str]] = {}
    if not organisation_ids:
        return found
    rows = db.session.execute(
        select(User.organisation_id, User.email)
        .where(User.organisation_id.in_(organisation_ids), User.role == "partner", User.active.is_(True))
        .order_by(User.email)
    )
    for organisation_id, email in rows:
        found.setdefault(organisation_id, []).append(email)
    return found


def _remind(outcome: ReminderOutcome, programme: Programme, period: Period, actor: User | None, now: datetime) -> None:
    subject = f"Reminder: report your {period.label} work to {programme.name}"
    body = (
        f"Hello,\n\n{outcome.organisation} has not yet reported to the {programme.name} programme for "
        f"{period.label}.\n\nThere is no separate report to write: what you upload is your report. Submit a new "
        f"initiative or resource for {programme.name}, update one of your items, or confirm that an item is still "
        f"active, before {period.last_day:%d %B %Y}.\n\nSee where your organisation stands: "
        f"{notifications.absolute_url('partner.dashboard')}\n\n— {current_app.config['SITE_NAME']}\n"
    )
    for email in outcome.recipients:
        mail.queue(email, subject, body, topic="reporting")
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
