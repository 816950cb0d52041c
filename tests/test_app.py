"""The app factory's configuration layers and the embedded defaults."""

from portal import create_app


def test_instance_config_then_environment_then_mapping(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("INACTIVE_AFTER_DAYS = 100\nSITE_NAME = 'From instance'\n")
    monkeypatch.setenv("PORTAL_INACTIVE_AFTER_DAYS", "365")
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(instance))
    app = create_app({"SITE_NAME": "From mapping"})
    assert app.config["INACTIVE_AFTER_DAYS"] == 365
    assert app.config["SITE_NAME"] == "From mapping"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'portal.sqlite'}"
    assert app.config["SEARCH_INDEX_DIR"] == str(instance / "search-index")


def test_a_secret_key_is_generated_once_and_shared(tmp_path, monkeypatch):
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
    first, second = create_app(), create_app()
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_postgresql_url_uses_the_installed_psycopg_driver(tmp_path):
    app = create_app({"DATABASE_URL": "postgresql://portal@localhost/portal", "SECRET_KEY": "x",
                      "SEARCH_INDEX_DIR": str(tmp_path / "i"), "UPLOAD_DIR": str(tmp_path / "u")})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one(make_app):
    from flask import request

    app = make_app(PROXY_COUNT=1)
    seen = {}

    @app.get("/address")
    def address():
        seen["address"] = request.remote_addr
        return ""

    app.test_client().get("/address", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                          headers={"X-Forwarded-For": "203.0.113.9"})
    assert seen["address"] == "203.0.113.9"
