"""Security logging: JSON lines with a request id, the events that matter, audit records tied to the
request, and never a password or a token in a log line."""

import json
import re

import pytest

from portal.catalogue import resets
from portal.extensions import db
from portal.models import AuditEvent
from tests.helpers import PASSWORD


def events(caplog, name: str | None = None) -> list[dict]:
    return [record.fields for record in caplog.records if record.name == "portal.security"
            and (name is None or record.fields["event"] == name)]


def log_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_every_answer_carries_a_request_id_and_a_well_formed_incoming_one_is_kept(client):
    generated = client.get("/").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert client.get("/", headers={"X-Request-ID": "proxy-id-1234abcd"}).headers["X-Request-ID"] == "proxy-id-1234abcd"
    for bad in ("short", "x" * 65, "id with spaces", "id\u00e9-123456", "<script>alert(1)</script>"):
        kept = client.get("/", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert kept != bad and re.fullmatch(r"[0-9a-f]{32}", kept)


def test_log_lines_are_json_with_the_request_id(client, capsys):
    response = client.get("/search?q=water", headers={"X-Request-ID": "trace-0123456789"})
    line = [entry for entry in log_lines(capsys.readouterr().err) if entry["logger"] == "portal.request"][-1]
    assert line["request_id"] == response.headers["X-Request-ID"] == "trace-0123456789"
    assert line["path"] == "/search" and line["status"] == 200 and line["method"] == "GET"
    assert "water" not in json.dumps(line)  # no query strings in the request log


def test_logins_failures_and_throttles_are_logged(client, make_user, caplog):
    user = make_user()
    client.submit("/login", {"email": user.email, "password": "wrong"})
    assert events(caplog, "login.failed")[-1] == {
        "event": "login.failed", "email": user.email, "known_account": True, "address": "127.0.0.1"}
    for _ in range(4):
        client.submit("/login", {"email": user.email, "password": "wrong"})
    client.submit("/login", {"email": user.email, "password": PASSWORD})
    assert events(caplog, "login.throttled")[-1]["retry_after"] > 800
    client.submit("/login", {"email": user.email, "password": PASSWORD},
                  environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert events(caplog, "login.succeeded")[-1] == {
        "event": "login.succeeded", "user_id": user.id, "role": "partner", "address": "203.0.113.7"}


@pytest.mark.parametrize("url, status", [("/admin/", 403), ("/desk/items/2147483647", 404)])
def test_denials_on_staff_urls_are_logged(client, auth, caplog, url, status):
    partner = auth.login("moderator") if status == 404 else auth.login("partner")
    assert client.get(url).status_code == status
    assert events(caplog, "access.denied")[-1] == {
        "event": "access.denied", "status": status, "path": url, "user_id": partner.id, "address": "127.0.0.1"}


def test_a_public_404_is_not_a_security_event(client, caplog):
    assert client.get("/items/2147483647").status_code == 404
    assert events(caplog, "access.denied") == []


def test_role_changes_are_logged_and_audited_with_the_address_and_request_id(client, auth, make_user, caplog):
    auth.login("admin")
    target = make_user("partner")
    response = client.submit(f"/admin/users/{target.id}", {"role": "moderator", "programmes": ["spp"]},
                             environ_base={"REMOTE_ADDR": "198.51.100.4"}, headers={"X-Request-ID": "audit-req-12345"})
    assert response.status_code == 302, response.text
    assert events(caplog, "audit.user.role_changed")[-1]["details"] == {"before": "partner", "after": "moderator"}
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert (event.address, event.request_id) == ("198.51.100.4", "audit-req-12345")
    assert "198.51.100.4" in client.get("/admin/audit").text


def test_no_password_or_token_ever_reaches_a_log_line(app, client, make_user, make_organisation, capsys):
    secret, new = "the exact secret phrase 4711", "another secret phrase 0815"
    user = make_user(password=secret)
    client.submit("/login", {"email": user.email, "password": "wrong " + secret})
    client.submit("/login", {"email": user.email, "password": secret})
    client.submit("/account/password", {"current_password": secret, "password": new, "confirm": new})
    client.submit("/register", {"name": "Rosa", "email": "rosa@example.org", "password": secret + "!",
                                "confirm": secret + "!", "organisation": str(make_organisation().id)})
    token = resets.reset_token(user)
    client.get(f"/password/reset?token={token}")
    client.submit("/password/reset", {"token": token, "password": secret + "?", "confirm": secret + "?"},
                  page=f"/password/reset?token={token}")
    output = capsys.readouterr().err
    assert "login.succeeded" in output and "audit.user.password_reset" in output  # the logs were captured
    for value in (secret, new, token, token.split(".")[-1], user.password_hash):
        assert value not in output


def test_fields_with_secret_sounding_names_are_masked(app, capsys):
    from portal import logs

    logs.event("test.masking", password="p4ssw0rd-value", reset_token="t0ken-value", email="a@example.org")
    line = log_lines(capsys.readouterr().err)[-1]
    assert line["password"] == line["reset_token"] == "[hidden]" and line["email"] == "a@example.org"
