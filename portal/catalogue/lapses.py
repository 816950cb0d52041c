"""Lapse warnings: telling an organisation that some of its items become inactive soon.

An item becomes inactive ``INACTIVE_AFTER_DAYS`` after its last update (``visibility``); within
``INACTIVE_WARNING_DAYS`` of that day it is *about to lapse*. ``send_lapse_warnings`` (the command
``reminders lapse``, for a daily job) mails each organisation once about each item and lapse: its
partner accounts and its reporting focal point, with the link to confirm the items are still active.
Each warning is recorded (``LapseWarning``), so a second run sends nothing; once the item is confirmed or
updated its lapse moves to a later day, which a later run warns about again.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, func, select, tuple_

from portal.catalogue.organisations import contacts, mail_contacts
from portal.catalogue.visibility import becomes_inactive_soon_clause, inactive_after_update
from portal.extensions import db
from portal.i18n import format_date
from portal.links import absolute_url
from portal.models import Item, LapseWarning, utcnow

log = logging.getLogger(__name__)


def lapsing_items(organisation_id: int, now: datetime | None = None) -> Select:
    """The organisation's items about to lapse, the soonest first (for ``/my/items?lapsing=1``)."""
    return (
        select(Item)
        .where(Item.organisation_id == organisation_id, becomes_inactive_soon_clause(now))
        .order_by(Item.updated_at, Item.id)
    )


def lapsing_count(organisation_id: int, now: datetime | None = None) -> int:
    return db.session.scalar(
        select(func.count(Item.id)).where(Item.organisation_id == organisation_id, becomes_inactive_soon_clause(now))
    )


@dataclass(frozen=True)
class Lapse:
    item_id: int
    title: str
    lapses_on: date


@dataclass(frozen=True)
class LapseOutcome:
    organisation_id: int
    organisation: str
    lapses: tuple[Lapse, ...]
    recipients: tuple[str, ...]

    @property
    def sent(self) -> bool:
        return bool(self.recipients)


def unwarned_lapses(now: datetime) -> dict[int, list[Lapse]]:
    """Organisation id → the lapses of its items not warned about yet, the soonest first."""
    rows = db.session.execute(
        select(Item.id, Item.organisation_id, Item.title, Item.updated_at)
        .where(becomes_inactive_soon_clause(now))
        .order_by(Item.updated_at, Item.id)
    ).all()
    lapses = [(organisation_id, Lapse(item_id, title, inactive_after_update(updated_at).date()))
              for item_id, organisation_id, title, updated_at in rows]
    warned: set[tuple[int, date]] = set()
    keys = [(lapse.item_id, lapse.lapses_on) for _, lapse in lapses]
    for start in range(0, len(keys), 500):
        rows = db.session.execute(
            select(LapseWarning.item_id, LapseWarning.lapses_on).where(
                tuple_(LapseWarning.item_id, LapseWarning.lapses_on).in_(keys[start : start + 500])
            )
        )
        warned.update((item_id, lapses_on) for item_id, lapses_on in rows)
    found: dict[int, list[Lapse]] = {}
    for organisation_id, lapse in lapses:
        if (lapse.item_id, lapse.lapses_on) not in warned:
            found.setdefault(organisation_id, []).append(lapse)
    return found


def send_lapse_warnings(now: datetime | None = None, *, dry_run: bool = False) -> list[LapseOutcome]:
    """Warn each organisation about its items that lapse within INACTIVE_WARNING_DAYS and that it was not
    warned about for that lapse. An organisation with neither an active account nor a focal point is
    reported with no recipients and not recorded (it is warned once it has one). ``dry_run`` writes nothing."""
    now = now or utcnow()
    pending = unwarned_lapses(now)
    found = contacts(pending)
    outcomes = []
    for organisation_id, lapses in sorted(pending.items(), key=lambda pair: found[pair[0]].name.lower()):
        reached = found[organisation_id]
        outcome = LapseOutcome(organisation_id, reached.name, tuple(lapses), tuple(reached.primary))
        outcomes.append(outcome)
        if dry_run or not outcome.sent:
            continue
        mail_contacts(reached, lambda outcome=outcome: _warning(outcome), "lapse", alternates_in_copy=False)
        db.session.add_all(
            LapseWarning(item_id=lapse.item_id, organisation_id=organisation_id, lapses_on=lapse.lapses_on,
                         created_at=now)
            for lapse in lapses
        )
        log.info("Lapse warning to %s about %d items", reached.name, len(lapses))
    db.session.flush()
    return outcomes


def _warning(outcome: LapseOutcome) -> tuple[str, str]:
    """(subject, body) of the warning."""
    count = len(outcome.lapses)
    subject = ngettext(
        "%(num)d item of %(organisation)s becomes inactive soon",
        "%(num)d items of %(organisation)s become inactive soon",
        count,
        organisation=outcome.organisation,
    )
    lines = "\n".join(
        f"- {lapse.title}\n  " + _("inactive from %(day)s", day=format_date(lapse.lapses_on))
        + f": {absolute_url('partner.item', item_id=lapse.item_id)}"
        for lapse in outcome.lapses
    )
    body = _(
        "Hello,\n\nthese items of %(organisation)s have not been updated for a long time. On the day shown they "
        "become inactive and leave public view:\n\n%(lines)s\n\nIf they are still active, confirm it (one button "
        "per item), or update them: %(url)s\n\n— %(site)s\n",
        organisation=outcome.organisation,
        lines=lines,
        url=absolute_url("partner.items", lapsing=1),
        site=current_app.config["SITE_NAME"],
    )
    return subject, body
