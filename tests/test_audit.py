"""The vulnerability audit of the lock file (.ci/audit.py) fails on findings and never passes an audit
it could not do for a clean one; the vulnerability services are replaced by their answers here."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("ci_audit", ROOT / ".ci" / "audit.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


@pytest.fixture
def lock(tmp_path):
    path = tmp_path / "constraints.txt"
    path.write_text("# pinned\nFlask==3.1.3\nWhoosh_Reloaded==2.7.5\nboolean.py==5.0\n")
    return path


def answers(monkeypatch, by_service: dict):
    monkeypatch.setattr(audit, "ask", lambda service, path: by_service[service])


def run(monkeypatch, lock, capsys) -> tuple[int, str]:
    monkeypatch.setattr("sys.argv", ["audit.py", str(lock)])
    status = audit.main()
    return status, capsys.readouterr().out


def test_the_lock_files_names_are_read_as_pip_audit_reports_them(lock):
    assert audit.pinned(lock) == ["flask", "whoosh-reloaded", "boolean-py"]
    assert "flask" in audit.pinned(ROOT / "requirements" / "constraints.txt")


def test_a_clean_audit_of_every_package_passes(monkeypatch, lock, capsys):
    answers(monkeypatch, {"pypi": ({"flask": [], "whoosh-reloaded": [], "boolean-py": []}, "")})
    status, output = run(monkeypatch, lock, capsys)
    assert status == 0 and "no known vulnerabilities in the 3 pinned packages" in output


def test_a_known_vulnerability_fails_the_build(monkeypatch, lock, capsys):
    vuln = {"id": "PYSEC-2099-1", "fix_versions": ["3.1.4"]}
    answers(monkeypatch, {"pypi": ({"flask": [vuln], "whoosh-reloaded": [], "boolean-py": []}, "")})
    status, output = run(monkeypatch, lock, capsys)
    assert status == 1 and "VULNERABLE: flask: PYSEC-2099-1 (fixed in: 3.1.4)" in output


def test_an_unreachable_database_is_said_loudly_without_failing_unless_strict(monkeypatch, lock, capsys):
    answers(monkeypatch, {"pypi": ({}, "ConnectionError"), "osv": ({}, "ConnectionError")})
    status, output = run(monkeypatch, lock, capsys)
    assert status == 0
    assert "AUDIT INCOMPLETE: 3 of 3 pinned packages could not be checked" in output
    assert "no known vulnerabilities" not in output
    monkeypatch.setenv("AUDIT_STRICT", "1")
    assert run(monkeypatch, lock, capsys)[0] == 2


def test_the_second_service_checks_what_the_first_could_not(monkeypatch, lock, capsys):
    answers(monkeypatch, {"pypi": ({"flask": []}, ""), "osv": ({"whoosh-reloaded": [], "boolean-py": []}, "")})
    status, output = run(monkeypatch, lock, capsys)
    assert status == 0 and "AUDIT INCOMPLETE" not in output
