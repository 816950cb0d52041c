"""GET /healthz (DESIGN.md): 200 with every part ok; 503 naming the part that cannot answer; public, never
cached, never rate limited."""

import shutil

import pytest
from sqlalchemy import text

from portal.extensions import db

pytestmark = pytest.mark.search_backends()


def test_a_healthy_host_says_so_to_anyone(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "search": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def break_search(app, backend: str):
    """Make search unable to answer, as a lost index folder or a database without the migration would."""
    if backend == "whoosh":
        shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
        return lambda: None
    db.session.execute(text("ALTER TABLE search_documents RENAME TO search_documents_away"))
    db.session.commit()

    def repair():
        db.session.rollback()
        db.session.execute(text("ALTER TABLE search_documents_away RENAME TO search_documents"))
        db.session.commit()

    return repair


def test_search_that_cannot_answer_is_named(app, client, search_backend):
    repair = break_search(app, search_backend)
    try:
        response = client.get("/healthz")
    finally:
        repair()
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "ok", "search": "unavailable"}
    assert response.headers["Cache-Control"] == "no-store"


def test_a_database_that_cannot_answer_is_named(make_app, search_backend):
    unreachable = "postgresql://nobody@127.0.0.1:1/nothing" if search_backend == "postgresql" else \
        "sqlite:////nonexistent-folder/portal.sqlite"
    response = make_app(DATABASE_URL=unreachable).test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["database"] == "unavailable"
    # Whoosh still reads its index; PostgreSQL search lives in the database that is gone.
    assert body["search"] == ("ok" if search_backend == "whoosh" else "unavailable")


def test_load_balancers_are_never_rate_limited(make_app):
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute").test_client()
    assert {client.get("/healthz").status_code for _ in range(5)} == {200}
