"""The mail service.

Every message is written in its recipient's language (``queue_in_languages``) to the outbox table in
the same transaction as the change that caused it, so a rolled-back change sends nothing. After the
commit, when ``MAIL_SERVER`` is configured, the new messages are handed to SMTP; a message the server
refuses stays unsent in the outbox with its error until ``flask --app portal mail retry`` sends it.
Without SMTP the outbox is the mailbox: admins read it at ``/admin/outbox``.
"""

import logging
import smtplib
from collections.abc import Callable, Iterable
from email.message import EmailMessage
from email.utils import make_msgid

from flask import Flask, current_app
from flask_babel import force_locale
from sqlalchemy import Select, event, select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.i18n import DEFAULT, LANGUAGES
from portal.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
_PENDING = "portal.mail.pending"


def queue(recipient: str, subject: str, body: str, topic: str = "general", cc: Iterable[str] = ()) -> OutboxMessage:
    """Add a message to ``recipient`` (with ``cc`` in copy) to the outbox of the current transaction."""
    message = OutboxMessage(recipient=recipient, cc=", ".join(cc), subject=subject, body=body, topic=topic)
    db.session.add(message)
    return message


# (address, language): who gets a mail, and the language it is written in.
Recipient = tuple[str, str]


def queue_in_languages(
    recipients: Iterable[Recipient], compose: Callable[[], tuple[str, str]], topic: str = "general"
) -> None:
    """One mail per recipient, in the recipient's language: ``compose()`` gives (subject, body) and runs
    once per language, with that language as the interface's (``flask_babel.force_locale``)."""
    by_language: dict[str, list[str]] = {}
    for address, language in recipients:
        by_language.setdefault(language if language in LANGUAGES else DEFAULT, []).append(address)
    for language, addresses in by_language.items():
        with force_locale(language):
            subject, body = compose()
        for address in addresses:
            queue(address, subject, body, topic=topic)


def outbox_query() -> Select:
    """Every message, the newest first (the admins' outbox page)."""
    return select(OutboxMessage).order_by(OutboxMessage.id.desc())


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _send(smtp: smtplib.SMTP, message: OutboxMessage) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.recipient
    if message.cc:
        email["Cc"] = message.cc
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="oneplanet.catalogue")
    email.set_content(message.body)
    smtp.send_message(email)


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    if config["MAIL_USE_TLS"]:
        smtp.starttls()
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


def deliver(ids: list[int] | None = None) -> tuple[int, int]:
    """Send unsent messages (those ``ids``, or all that may be retried); return (sent, failed).

    Uses its own session, so it can run right after another transaction commits.
    """
    if not smtp_configured():
        return 0, 0
    sent = failed = 0
    with Session(db.engine) as session:
        query = select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        if ids is not None:
            query = query.where(OutboxMessage.id.in_(ids))
        messages = session.scalars(query.order_by(OutboxMessage.id)).all()
        if not messages:
            return 0, 0
        try:
            smtp = _connect()
        except (OSError, smtplib.SMTPException) as error:
            for message in messages:
                message.attempts += 1
                message.last_error = f"Could not connect: {error}"
            session.commit()
            log.warning("SMTP server unreachable, %d messages wait in the outbox: %s", len(messages), error)
            return 0, len(messages)
        with smtp:
            for message in messages:
                message.attempts += 1
                try:
                    _send(smtp, message)
                except (OSError, smtplib.SMTPException) as error:
                    message.last_error = str(error)
                    failed += 1
                else:
                    message.sent_at, message.last_error = utcnow(), None
                    sent += 1
                session.commit()
    return sent, failed


def _collect(session, flush_context) -> None:
    # In after_flush, session.new still lists what the flush inserted, now with ids.
    new_ids = [obj.id for obj in session.new if isinstance(obj, OutboxMessage)]
    if new_ids:
        session.info.setdefault(_PENDING, set()).update(new_ids)


def _after_commit(session) -> None:
    ids = session.info.pop(_PENDING, None)
    if ids and smtp_configured():
        deliver(sorted(ids))


def _after_rollback(session, _previous_transaction) -> None:
    session.info.pop(_PENDING, None)


def init_app(app: Flask) -> None:
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_flush", _collect):
        event.listen(session_class, "after_flush", _collect)
        event.listen(session_class, "after_commit", _after_commit)
        event.listen(session_class, "after_soft_rollback", _after_rollback)
