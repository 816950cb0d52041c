"""How fast ``flask --app portal import items`` takes a big file: rows per second, end to end.

Writes a CSV of N generated records (both kinds, every column, spread over programmes, SDGs,
countries, themes, states, portfolio statuses and dates, some of them old enough to arrive
inactive) and runs the real command against a fresh, migrated SQLite database and search index in
a temporary folder: a dry run, the import, and the same file again (every row unchanged), then
``search check``. Target: 10 000 rows in under a minute. The command's CPU time is printed too: on a
machine shared with other work, the wall-clock time says more about the neighbours than the import.

    .venv/bin/python benchmarks/import.py [--rows 10000] [--database-url postgresql://...]
"""

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import vocab  # noqa: E402
from portal.catalogue.importing.items import COLUMNS  # noqa: E402

FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "portal"]


def generate(path: Path, rows: int, seed: int = 12) -> None:
    """A CSV like an export of the network's old platform."""
    rng = random.Random(seed)
    programmes = [slug for slug, _, _ in vocab.PROGRAMMES]
    countries = [code for code, _ in vocab.countries()]
    themes = [value for value, _ in vocab.THEMES]
    organisations = [f"Partner organisation {n}" for n in range(700)]
    now = datetime.now().replace(microsecond=0)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, COLUMNS)
        writer.writeheader()
        for n in range(rows):
            kind = "initiative" if n % 5 < 3 else "resource"
            chosen = rng.sample(programmes, rng.choice((1, 1, 2, 3)))
            state = rng.choices(("published", "submitted", "draft"), weights=(85, 10, 5))[0]
            updated = now - timedelta(days=rng.randrange(5 * 365), minutes=rng.randrange(1440))
            created = updated - timedelta(days=rng.randrange(600))
            portfolio = ";".join(f"{slug}:{rng.choice(('core', 'affiliated', 'none'))}" for slug in chosen)
            row = {
                "source_id": f"old-{n}",
                "kind": kind,
                "title": f"{rng.choice(('Pilot on', 'Guide to', 'Network for'))} {rng.choice(themes)} {n}",
                "summary": f"Record {n} of the old platform, about sustainable consumption and production.",
                "description": f"## Objectives\n\nRecord **{n}**.\n\n- one\n- two\n",
                "organisation": rng.choice(organisations),
                "organisation_country": rng.choice(countries),
                "programmes": ";".join(chosen),
                "sdgs": ";".join(str(s) for s in rng.sample(range(1, 18), rng.randint(0, 5)) if s != 12),
                "countries": "global" if rng.random() < 0.1 else ";".join(rng.sample(countries, rng.randint(1, 3))),
                "themes": ";".join(rng.sample(themes, rng.randint(0, 3))),
                "website": f"https://example.org/records/{n}",
                "language": rng.choice(("en", "en", "fr", "es")),
                "state": state,
                "portfolio": portfolio if state == "published" else "",
                "created_at": created.isoformat() + "Z",
                "updated_at": updated.isoformat() + "Z",
            }
            if kind == "initiative":
                row.update(category=rng.choice(vocab.ACTIVITY_CATEGORIES)[0],
                           status=rng.choice(vocab.INITIATIVE_STATUSES)[0], start_date=created.date().isoformat())
            else:
                row.update(resource_type=rng.choice(vocab.RESOURCE_TYPES)[0], publication_year=created.year,
                           authors="A. Author; B. Author", link=f"https://example.org/library/{n}.pdf")
            writer.writerow(row)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(label: str, args: list[str], env: dict, rows: int) -> None:
    """Wall-clock time and rows/s, and the CPU time of the command (steadier on a shared machine)."""
    started, cpu = time.perf_counter(), _cpu_seconds()
    done = subprocess.run([*FLASK, *args], env=env, capture_output=True, text=True, check=False)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    last = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    print(f"{label:<22} {seconds:7.1f} s  {rows / seconds:7.0f} rows/s  (CPU {cpu:5.1f} s)   exit {done.returncode}: "
          f"{last}")
    if done.returncode not in (0, 1):
        print(done.stderr[-2000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--database-url", help="an empty database to use instead of a temporary SQLite file")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-bench-") as folder:
        folder = Path(folder)
        env = {
            **os.environ,
            "PORTAL_DATABASE_URL": options.database_url or f"sqlite:///{folder / 'portal.sqlite'}",
            "PORTAL_SEARCH_INDEX_DIR": str(folder / "index"),
            "PORTAL_UPLOAD_DIR": str(folder / "uploads"),
            "PORTAL_SECRET_KEY": "benchmark",
        }
        subprocess.run([*FLASK, "db", "upgrade"], env=env, check=True, capture_output=True)
        path = folder / "records.csv"
        started = time.perf_counter()
        generate(path, options.rows)
        size = path.stat().st_size / 1024 / 1024
        print(f"Generated {options.rows} rows ({size:.1f} MB) in {time.perf_counter() - started:.1f} s")
        run("import --dry-run", ["import", "items", str(path), "--dry-run"], env, options.rows)
        run("import", ["import", "items", str(path)], env, options.rows)
        run("import again (same)", ["import", "items", str(path)], env, options.rows)
        check = subprocess.run([*FLASK, "search", "check"], env=env, capture_output=True, text=True, check=False)
        print(f"search check: exit {check.returncode}: {(check.stdout + check.stderr).strip()[:300]}")


if __name__ == "__main__":
    main()
