"""/admin/import: upload, the dry run's report, "Import", chunks across requests, and bad uploads."""

import io

import pytest

from portal.catalogue import importing
from portal.extensions import db
from portal.models import AuditEvent, ImportJob, Item
from tests.catalogue.test_importing import record, resource

HEADER = ",".join(importing.columns("items"))


def csv_bytes(rows: list[dict]) -> bytes:
    lines = [HEADER] + [",".join(f'"{str(row.get(c, "")).replace(chr(34), chr(34) * 2)}"'
                                 for c in importing.columns("items")) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def upload(client, content: bytes, name: str = "records.csv", **fields):
    data = {"kind": "items", "create_organisations": "y", "file": (io.BytesIO(content), name), **fields}
    return client.submit("/admin/import/", data, content_type="multipart/form-data")


def job() -> ImportJob:
    return db.session.scalars(db.select(ImportJob).order_by(ImportJob.id.desc())).first()


def test_upload_shows_the_dry_run_then_import_writes(client, admin):
    response = upload(client, csv_bytes([record(), resource(), record(source_id="old-3", sdgs="1;2;3;4;5;6;7")]))
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    assert "Checked, waiting for “Import”" in page and "Nothing has been written yet" in page
    assert "Choose at most 5 SDGs besides SDG 12: you chose 7." in page
    assert db.session.scalar(db.select(db.func.count(Item.id))) == 0
    confirm = client.submit(f"/admin/import/{job().id}/import", page=f"/admin/import/{job().id}")
    assert confirm.status_code == 303
    page = client.get(confirm.headers["Location"]).text
    assert "Imported" in page and "What the import did" in page
    assert db.session.scalar(db.select(db.func.count(Item.id))) == 2
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "import.items"))
    assert event.actor_id == admin.id and event.details["file"] == "records.csv"
    assert (event.details["created"], event.details["failed"], event.details["origin"]) == (2, 1, "admin page")
    assert "imported initiatives and resources from records.csv (admin page): 2 created" in client.get(
        "/admin/audit").text


def test_a_large_file_goes_in_chunks_one_request_each(client, admin, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    rows = [record(source_id=f"old-{n}", title=f"Record {n}") for n in range(5)]
    location = upload(client, csv_bytes(rows)).headers["Location"]
    page = client.get(location).text
    assert "Checking: 2 of 5 rows" in page and 'data-auto-continue' in page and "js/import.js" in page
    steps = 0
    while "data-auto-continue" in page:
        position = job().position
        client.submit(f"{location}/step", {"position": position}, page=location)
        page = client.get(location).text
        steps += 1
    assert steps == 2 and db.session.scalar(db.select(db.func.count(Item.id))) == 0
    client.submit(f"{location}/import", page=location)
    while "data-auto-continue" in (page := client.get(location).text):
        client.submit(f"{location}/step", {"position": job().position}, page=location)
    assert db.session.scalar(db.select(db.func.count(Item.id))) == 5
    assert job().finished_at is not None and job().content == b""


def test_a_stale_step_does_not_import_rows_twice(client, admin, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 1)
    location = upload(client, csv_bytes([record(source_id="a"), record(source_id="b"), record(source_id="c")])
                      ).headers["Location"]
    client.submit(f"{location}/step", {"position": 1}, page=location)
    client.submit(f"{location}/step", {"position": 1}, page=location)
    assert "being handled by another request" in client.get(location).text
    assert job().position == 2


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        ("source_id,kind\nx,initiative\n".encode("utf-16"), "records.csv", "not UTF-8"),
        (b"old-1,initiative,Title\n", "records.csv", "header"),
        (HEADER.encode() + b",colour\n", "records.csv", "Unknown columns: colour"),
        (b"", "records.csv", "The file is empty."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_400(client, admin, content, name, words):
    response = upload(client, content, name)
    assert response.status_code == 400 and words in response.text
    assert db.session.scalar(db.select(db.func.count(ImportJob.id))) == 0


def test_a_50_mb_upload_gets_a_413_with_the_import_limit(client, admin):
    response = upload(client, b"x" * (50 * 1024 * 1024))
    response.request.input_stream.close()  # the test client spooled the request body to a temporary file
    assert response.status_code == 413, response.text
    assert "Import files may be at most 10 MB" in response.text


@pytest.mark.parametrize("role", ["partner", "moderator"])
def test_only_admins_import(client, auth, role):
    auth.login(role)
    assert client.get("/admin/import/").status_code == 403
