"""End-to-end fixtures: the portal served from a thread, driven by Debian's Chromium through Playwright.

Never ``playwright install``: the browser is ``/usr/bin/chromium`` (``apt-get install chromium``).
Without it these tests are skipped, unless ``PORTAL_REQUIRE_E2E=1`` (CI), where that is a failure.
"""

import os
import shutil
import threading
from itertools import count

import pytest
from sqlalchemy.orm import close_all_sessions
from werkzeug.serving import make_server

from portal import create_app, search
from portal.catalogue import accounts
from portal.catalogue.reference import ensure_reference_data
from portal.extensions import db
from portal.models import Programme
from tests.helpers import PASSWORD, POSTGRES_URL, app_config, recreate_postgres_schema

CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("PORTAL_REQUIRE_E2E") == "1":
            raise pytest.UsageError(f"{CHROMIUM} is missing but PORTAL_REQUIRE_E2E=1: apt-get install chromium")
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium)")
        for item in items:
            if "tests/e2e/" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """One app and database for the whole browser session (tests create their own users and items)."""
    folder = tmp_path_factory.mktemp("live")
    app = create_app({**app_config(folder), "TESTING": False})
    with app.app_context():
        if POSTGRES_URL:
            recreate_postgres_schema()
        else:
            db.create_all()
        ensure_reference_data()
        db.session.commit()
        search.rebuild()  # as an operator does on a new host (README): the empty catalogue's index
    yield app
    app.extensions["search"].close()  # the index readers' files
    with app.app_context():
        close_all_sessions()
        db.engine.dispose()


def _closing_bodies(app):
    """``app`` answering with bodies read into memory, its own body closed at once.

    Werkzeug's development server closes a response body after sending it, but when the browser drops
    the connection first (Chromium cancels favicon and image requests) its clean-up fails before the
    close, and the file of a static response is left open: an unclosed-file warning, an error under
    ``filterwarnings = error``, in whichever test runs next.
    """

    def serve(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


@pytest.fixture(scope="session")
def live_server(live_app):
    """The base URL of the portal, served by Werkzeug from a daemon thread."""
    server = make_server("127.0.0.1", 0, _closing_bodies(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


_emails = count(1)


@pytest.fixture
def live_user(live_app):
    """Create an active account of a role in the live database; returns (email, password)."""

    def make(role: str = "partner", programmes=("spp",), organisation_name: str | None = None):
        with live_app.app_context():
            found = db.session.scalars(db.select(Programme).where(Programme.slug.in_(programmes))).all()
            organisation = None
            if role == "partner":
                organisation = accounts.get_or_create_organisation(
                    organisation_name or f"E2E Organisation {next(_emails)}", programmes=list(found)
                )
            user = accounts.create_user(f"e2e-{role}-{next(_emails)}@example.org", f"E2E {role.title()}", PASSWORD,
                                        role, organisation, list(found), check_password=False)
            db.session.commit()
            return user.email, PASSWORD

    return make


def log_in(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
