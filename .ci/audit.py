"""Vulnerability audit of the pinned dependency tree (requirements/constraints.txt) with pip-audit.

Run by `make audit` (and so by .ci/run). pip-audit alone says "No known vulnerabilities found" and
exits 0 when the database could not answer for a single package (it "skips" them): that must never
read as a clean audit. So each vulnerability service is asked in turn (PyPI's, then OSV's) until every
pinned package has been checked, and the outcome is one of:

- vulnerabilities found: they are listed and the audit exits 1 (the build fails);
- every package checked, none vulnerable: exit 0;
- some or all packages could not be checked (no network, a registry mirror without PyPI's JSON API):
  an "AUDIT INCOMPLETE" banner names them and the audit exits 0, because a build must not fail only
  for a missing network. AUDIT_STRICT=1 (release builds) makes it exit 2 instead.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SERVICES = ("pypi", "osv")
TIMEOUT_SECONDS = 600


def pinned(path: Path) -> list[str]:
    """The package names of the constraints file, normalised as pip-audit reports them."""
    names = []
    for line in path.read_text().splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            names.append(re.sub(r"[-_.]+", "-", requirement.split("==", 1)[0].strip()).lower())  # PEP 503
    return names


def ask(service: str, path: Path) -> tuple[dict[str, list[dict]], str]:
    """(vulnerabilities by checked package, error text) from one service; unchecked packages are absent."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [sys.executable, "-m", "pip_audit", "--requirement", str(path), "--no-deps", "--disable-pip",
                   "--vulnerability-service", service, "--format", "json", "--output", str(report),
                   "--progress-spinner", "off"]
        try:
            done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
                command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            return {}, f"no answer within {TIMEOUT_SECONDS} s"
        if not report.exists():
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            return {}, lines[-1] if lines else f"pip-audit exited with {done.returncode}"
        dependencies = json.loads(report.read_text())["dependencies"]
    checked = {entry["name"]: entry.get("vulns", []) for entry in dependencies if "skip_reason" not in entry}
    return checked, ""


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "requirements/constraints.txt")
    names = pinned(path)
    found: dict[str, list[dict]] = {}
    for service in SERVICES:
        checked, error = ask(service, path)
        found.update(checked)
        answered = f"{len(checked)} of {len(names)} packages checked"
        print(f"audit: {service} vulnerability service: {answered}" + (f" ({error})" if error else ""))
        if set(names) <= set(found):
            break
    vulnerable = {name: vulns for name, vulns in found.items() if vulns}
    unchecked = sorted(set(names) - set(found))
    for name, vulns in sorted(vulnerable.items()):
        for vuln in vulns:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            print(f"VULNERABLE: {name}: {vuln['id']} (fixed in: {fixed})")
    if unchecked:
        print("=" * 78)
        print(f"AUDIT INCOMPLETE: {len(unchecked)} of {len(names)} pinned packages could not be checked, because")
        print("no vulnerability database could be reached or answer for them. They are NOT known to be safe:")
        print("  " + ", ".join(unchecked))
        print("Run `make audit` again with network access to PyPI (pypi.org/pypi/<name>/<version>/json) or OSV.")
        print("=" * 78)
    if vulnerable:
        print(f"audit: {len(vulnerable)} pinned packages have known vulnerabilities: update {path}")
        return 1
    if unchecked:
        return 2 if os.environ.get("AUDIT_STRICT") == "1" else 0
    print(f"audit: no known vulnerabilities in the {len(names)} pinned packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
