"""Mail through a real SMTP server (aiosmtpd on 127.0.0.1, started by the test), not a mock.

A desk decision queues the partner's mail in the outbox in the decision's transaction; after the
commit it goes to SMTP. A message the server refuses stays in the outbox with its error until
``flask --app portal mail retry`` sends it.
"""

import socket
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from portal.extensions import db
from portal.models import OutboxMessage


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts, or refuses every recipient while ``refusing``."""

    def __init__(self):
        self.messages = []
        self.refusing = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox(app):
    """A real SMTP server on 127.0.0.1, and the app configured to use it."""
    handler = Mailbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    yield handler
    controller.stop()


@pytest.fixture
def decision(client, auth, make_item, make_user):
    """Request changes to a submitted item through the desk page: returns a function doing it."""
    item = make_item(programmes=("spp",), state="submitted", title="Food waste dataset")
    partner = make_user("partner", organisation=item.organisation, email="paula@partner.example")
    auth.login("moderator", programmes=("spp",))

    def decide():
        response = client.submit(
            f"/desk/items/{item.id}/decision",
            {"decision": "request_changes", "message": "Please add the licence."},
            page=f"/desk/items/{item.id}",
        )
        assert response.status_code == 302
        return item, partner

    return decide


def test_a_decision_is_delivered_by_smtp_after_the_commit(mailbox, decision):
    _, partner = decision()
    assert len(mailbox.messages) == 1
    delivered = mailbox.messages[0]
    assert delivered["To"] == partner.email
    assert delivered["Subject"] == "Changes requested: Food waste dataset"
    assert "Please add the licence." in delivered.get_payload(decode=True).decode()
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.sent_at is not None and message.last_error is None and message.attempts == 1


def test_a_refused_message_stays_in_the_outbox_until_mail_retry_sends_it(mailbox, decision, runner):
    mailbox.refusing = True
    item, partner = decision()
    db.session.refresh(item)
    assert item.state == "changes_requested"  # the decision stands even though the mail bounced
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.sent_at is None and message.attempts == 1
    assert "550" in message.last_error and "Mailbox unavailable" in message.last_error
    assert mailbox.messages == []

    result = runner.invoke(args=["mail", "retry"])  # the server still refuses
    assert result.exit_code == 1 and "Sent 0, still waiting 1." in result.output

    mailbox.refusing = False
    result = runner.invoke(args=["mail", "retry"])
    assert result.exit_code == 0 and "Sent 1, still waiting 0." in result.output
    db.session.refresh(message)
    assert message.sent_at is not None and message.last_error is None and message.attempts == 3
    assert [m["To"] for m in mailbox.messages] == [partner.email]
    assert runner.invoke(args=["mail", "retry"]).output.strip() == "Sent 0, still waiting 0."  # never twice


def test_an_unreachable_server_keeps_the_message_for_later(app, decision):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)  # nobody listens
    decision()
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.sent_at is None and message.last_error.startswith("Could not connect")


def test_without_smtp_the_outbox_is_the_mailbox(client, auth, decision):
    decision()
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.sent_at is None and message.attempts == 0 and message.last_error is None
    auth.logout()
    auth.login("admin")
    assert "Changes requested: Food waste dataset" in client.get("/admin/outbox").text
