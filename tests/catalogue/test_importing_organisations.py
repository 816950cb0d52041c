"""Importing organisations with ``flask import organisations``: partnerships with their dates, re-runs, errors."""

from datetime import date

from portal.extensions import db
from portal.models import AuditEvent, Organisation
from tests.conftest import programme

HEADER = "name,type,country,website,programmes,focal_point,alternates\n"


def run(runner, tmp_path, text: str, *options):
    path = tmp_path / "organisations.csv"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["import", "organisations", str(path), *options])
    db.session.rollback()
    return result


def organisation(name: str) -> Organisation:
    return db.session.scalar(db.select(Organisation).where(Organisation.name == name))


def test_organisations_and_their_partnerships_import_and_update_by_name(runner, tmp_path, make_organisation):
    make_organisation("Green Procurement Alliance", programmes=("spp",), joined_on=date(2020, 1, 1), type="business")
    result = run(runner, tmp_path, HEADER + "Kenya Food Systems Network,civil_society,KE,https://example.org/k,"
                 "sfs:2019-03-01;spp:2021-06-15,focal@kfsn.example.org,a@kfsn.example.org;b@kfsn.example.org\n"
                 "green procurement alliance,civil_society,DE,,spp:2018-01-10,,\n")
    assert result.exit_code == 0, result.output
    assert "1 created, 1 updated, 0 unchanged, 0 failed" in result.output
    kenya = organisation("Kenya Food Systems Network")
    assert (kenya.type, kenya.country, kenya.website) == ("civil_society", "KE", "https://example.org/k")
    assert {p.programme.slug: p.joined_on for p in kenya.partnerships} == {"sfs": date(2019, 3, 1),
                                                                        "spp": date(2021, 6, 15)}
    assert (kenya.focal_point_email, kenya.alternate_emails) == ("focal@kfsn.example.org",
                                                                 ["a@kfsn.example.org", "b@kfsn.example.org"])
    alliance = organisation("Green Procurement Alliance")
    assert (alliance.type, alliance.country) == ("civil_society", "DE")
    assert [(p.programme, p.joined_on) for p in alliance.partnerships] == [(programme("spp"), date(2018, 1, 10))]
    again = run(runner, tmp_path, HEADER + "Kenya Food Systems Network,civil_society,KE,https://example.org/k,"
                "sfs:2019-03-01;spp:2021-06-15,focal@kfsn.example.org,a@kfsn.example.org;b@kfsn.example.org\n")
    assert "0 created, 0 updated, 1 unchanged, 0 failed" in again.output
    assert db.session.scalar(db.select(db.func.count(Organisation.id))) == 2
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "import.organisations")
                              .order_by(AuditEvent.id))
    assert (event.details["created"], event.details["updated"]) == (1, 1)


def test_bad_organisation_rows_are_reported_and_skipped(runner, tmp_path):
    result = run(runner, tmp_path, HEADER
                 + "Good one,government,FR,,ci:2020-01-01,,\n"
                 + "Bad type,club,FR,,,,\n"
                 + "Bad country,other,France,,,,\n"
                 + "Bad website,other,,ftp://x,,,\n"
                 + "Bad programme,other,,,tourism:2020-01-01,,\n"
                 + "Bad date,other,,,spp:01/02/2020,,\n"
                 + "Future,other,,,spp:2999-01-01,,\n"
                 + "Bad email,other,,,,not-an-email,\n"
                 + "Two focal points,other,,,,a@example.org;b@example.org,\n"
                 + "good one,other,,,,,\n"
                 + "Alternates alone,other,,,,,a@example.org\n")
    assert result.exit_code == 1
    assert "1 created, 0 updated, 0 unchanged, 10 failed" in result.output
    for line, column in ((3, "type"), (4, "country"), (5, "website"), (6, "programmes"), (7, "programmes"),
                         (8, "programmes"), (9, "focal_point"), (10, "focal_point"), (11, "name"), (12, "focal_point")):
        assert f": line {line}: {column}: " in result.output, result.output
    assert [o.name for o in db.session.scalars(db.select(Organisation))] == ["Good one"]


def test_the_organisations_sample_imports(runner):
    result = runner.invoke(args=["import", "organisations", "docs/import-organisations-sample.csv"])
    assert result.exit_code == 0 and "3 created" in result.output, result.output
