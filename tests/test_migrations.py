"""The Alembic history upgrades an empty database to head and matches the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from portal import create_app
from portal.extensions import db
from portal.models import Programme, Sdg
from tests.helpers import POSTGRES_URL


def _empty_postgres_database() -> str:
    """A database of its own, next to the test database, emptied: the other tests keep theirs."""
    server, _, name = POSTGRES_URL.rpartition("/")
    url = f"{server}/{name}_migrations"
    engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}_migrations" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}_migrations"'))
    engine.dispose()
    return url


def _fresh_app(tmp_path):
    url = _empty_postgres_database() if POSTGRES_URL else f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "SEARCH_INDEX_DIR": str(tmp_path / "index"),
                       "UPLOAD_DIR": str(tmp_path / "uploads")})


def test_upgrade_from_empty_to_head_matches_the_models_and_seeds_reference_data(tmp_path):
    app = _fresh_app(tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
        assert db.session.scalar(db.select(db.func.count(Programme.id))) == 6
        assert db.session.get(Sdg, 7).label == "SDG 7 – Affordable and clean energy"
        db.session.remove()  # release the read locks before tables are dropped (PostgreSQL waits for them)
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
