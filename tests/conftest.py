"""Fixtures: an app on a real SQLite file (or PostgreSQL) with a real search index, in temp folders.

Each test's SQLite file is a copy of an empty catalogue made once per run (``empty_catalogue``).

Set ``PORTAL_TEST_DATABASE_URL`` to run the suite against PostgreSQL: the schema is created once per
run by the migrations (as ``flask db upgrade`` does, with the full-text search objects) and every table
is emptied before each test.

Search backends: a test's app uses ``PORTAL_SEARCH_BACKEND`` (default ``whoosh``). A module marked
``pytest.mark.search_backends()`` runs each of its tests on every backend (``postgresql`` only when
the database is PostgreSQL, skipped otherwise), or only on the one ``PORTAL_SEARCH_BACKEND`` names;
``search_backends("whoosh")`` keeps a module on one (the Whoosh index's own tests).
"""

import contextvars
import re
import shutil
from datetime import date, timedelta
from itertools import count
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import close_all_sessions

from portal import create_app, search
from portal.catalogue import accounts
from portal.catalogue.reference import ensure_reference_data
from portal.extensions import db
from portal.models import Item, Organisation, Partnership, PortfolioEntry, Sdg, User, utcnow
from portal.search.postgresql.schema import metadata as postgresql_search_metadata
from tests.helpers import (
    ASKED_SEARCH_BACKEND,
    DEFAULT_SEARCH_BACKEND,
    PASSWORD,
    POSTGRES_URL,
    app_config,
    programme,
    recreate_postgres_schema,
)

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|name="csrf-token" content="([^"]+)"')


class PortalClient(FlaskClient):
    """A test client whose requests run like production ones, and that fills in CSRF tokens.

    Each request runs in an empty context, so it gets its own app context, ``g`` and database session
    instead of reusing the test's (Flask reuses a pushed app context). Afterwards the test's session
    starts a new transaction, so it sees what the request committed.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.rollback()
        return response

    def csrf_token(self, page: str = "/") -> str:
        match = _CSRF.search(self.get(page).text)
        assert match, f"no CSRF token on {page}"
        return match.group(1) or match.group(2)

    def submit(self, url: str, data: dict | None = None, *, page: str | None = None, **kwargs):
        """POST ``data`` to ``url`` with the token found on ``page`` (default: ``url`` itself)."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(page or url))
        return self.post(url, data=data, **kwargs)


def pytest_generate_tests(metafunc):
    """Run the tests of modules marked ``search_backends`` once per backend named (default: both), or
    only on the one ``PORTAL_SEARCH_BACKEND`` asks for."""
    marker = metafunc.definition.get_closest_marker("search_backends")
    if marker is None or "search_backend" not in metafunc.fixturenames:
        return
    needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL search needs PORTAL_TEST_DATABASE_URL")
    not_asked = pytest.mark.skip(reason=f"PORTAL_SEARCH_BACKEND={ASKED_SEARCH_BACKEND} runs that backend only")
    names = marker.args or search.BACKENDS
    if ASKED_SEARCH_BACKEND in names:
        names = (ASKED_SEARCH_BACKEND,)
    params = [pytest.param(name, marks=(not_asked,) if ASKED_SEARCH_BACKEND not in (None, name) else
                           (needs_postgres,) if name == "postgresql" else ()) for name in names]
    metafunc.parametrize("search_backend", params, indirect=True)


@pytest.fixture
def search_backend(request) -> str:
    """The test app's SEARCH_BACKEND (see the module docstring)."""
    return getattr(request, "param", DEFAULT_SEARCH_BACKEND)


@pytest.fixture(scope="session")
def empty_catalogue(tmp_path_factory) -> Path | None:
    """The SQLite file of an empty catalogue (the schema and the reference data), made once per run:
    each test's app starts from a copy of it. Creating the schema is some 180 statements, each its own
    transaction written through to disk; a copy is one file."""
    if POSTGRES_URL:
        return None
    folder = tmp_path_factory.mktemp("empty-catalogue")
    template = create_app(app_config(folder))
    with template.app_context():
        db.create_all()
        ensure_reference_data()
        db.session.commit()
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))  # everything in the file itself
        close_all_sessions()
        db.engine.dispose()
    template.extensions["search"].close()
    return folder / "portal.sqlite"


@pytest.fixture
def app(tmp_path, search_backend, empty_catalogue):
    if empty_catalogue is not None:
        shutil.copyfile(empty_catalogue, tmp_path / "portal.sqlite")
    app = create_app({**app_config(tmp_path), "SEARCH_BACKEND": search_backend})
    app.test_client_class = PortalClient
    with app.app_context():
        if POSTGRES_URL:
            _reset_postgres()
            ensure_reference_data()
            db.session.commit()
        search.rebuild()  # as an operator does on a new host (README): the empty catalogue's index
        yield app
        app.extensions["search"].close()  # the index readers' files
        close_all_sessions()
        db.engine.dispose()


_postgres_schema_ready = False


def _reset_postgres() -> None:
    """Create the schema once per run by the migrations, then empty every table before each test."""
    global _postgres_schema_ready
    if not _postgres_schema_ready:
        recreate_postgres_schema()
        _postgres_schema_ready = True
    tables = [*postgresql_search_metadata.sorted_tables, *db.metadata.sorted_tables]
    for table in reversed(tables):  # DELETE is faster than TRUNCATE on small tables
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def make_app(app):
    """Another app on the same database and folders (a second worker, an HTTPS deployment...)."""
    made = []

    def make(**overrides):
        other = create_app({**app.config, **overrides})
        other.test_client_class = PortalClient
        made.append(other)
        return other

    yield make
    for other in made:
        other.extensions["search"].close()
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app) -> PortalClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_numbers = count(1)


@pytest.fixture
def make_organisation(app):
    def make(name: str | None = None, programmes=("spp",), joined_on: date | None = None, **fields) -> Organisation:
        organisation = Organisation(name=name or f"Organisation {next(_numbers)}", **fields)
        for slug in programmes:
            organisation.partnerships.append(
                Partnership(programme=programme(slug), joined_on=joined_on or date(2020, 1, 1))
            )
        db.session.add(organisation)
        db.session.commit()
        return organisation

    return make


@pytest.fixture
def make_user(app, make_organisation):
    """An active account; partners get an organisation, moderators the programmes given."""

    def make(role: str = "partner", email: str | None = None, organisation=None, programmes=("spp",),
             active: bool = True, password: str = PASSWORD) -> User:
        if role == "partner" and organisation is None:
            organisation = make_organisation(programmes=programmes)
        user = accounts.create_user(
            email or f"{role}{next(_numbers)}@example.org",
            f"Test {role.title()}",
            password,
            role,
            organisation if role == "partner" else None,
            [programme(slug) for slug in programmes] if role == "moderator" else [],
            active=active,
            check_password=False,
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_item(app, make_organisation):
    """An item straight in the database (state, dates and portfolio as given); the services are not used."""

    def make(kind: str = "initiative", *, organisation=None, programmes=("spp",), sdgs=(), countries=("KE",),
             state: str = "published", hidden: bool = False, updated_days_ago: int = 1, portfolio=None,
             **fields) -> Item:
        organisation = organisation or make_organisation(programmes=programmes)
        updated_at = utcnow() - timedelta(days=updated_days_ago)
        values = {
            "title": f"Test {kind} {next(_numbers)}",
            "summary": "A test item about sustainable consumption.",
            "description": "Some **Markdown**.",
        }
        if kind == "initiative":
            values.update(activity_category="implementation", initiative_status="ongoing")
        else:
            values.update(resource_type="publication", link_url="https://example.org/report.pdf")
        values.update(fields)
        item = Item(kind=kind, organisation=organisation, state=state, hidden=hidden, created_at=updated_at,
                    updated_at=updated_at, **values)
        item.programmes = [programme(slug) for slug in programmes]
        item.sdgs = [db.session.get(Sdg, number) for number in sorted({12, *sdgs})]
        item.countries = list(countries)
        for slug, status in (portfolio or {}).items():
            item.portfolio_entries.append(PortfolioEntry(programme=programme(slug), status=status))
        db.session.add(item)
        db.session.commit()
        return item

    return make


class Auth:
    """Log a test client in as a fresh user of a role, through the real login form."""

    def __init__(self, client: PortalClient, make_user):
        self.client = client
        self.make_user = make_user

    def login(self, role: str = "partner", **kwargs) -> User:
        user = kwargs.pop("user", None) or self.make_user(role, **kwargs)
        response = self.client.submit("/login", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.text
        return user

    def logout(self) -> None:
        self.client.submit("/logout", page="/")


@pytest.fixture
def auth(client, make_user) -> Auth:
    return Auth(client, make_user)


@pytest.fixture
def partner(auth) -> User:
    return auth.login("partner")


@pytest.fixture
def moderator(auth) -> User:
    return auth.login("moderator")


@pytest.fixture
def admin(auth) -> User:
    return auth.login("admin")
