"""How OAI-PMH and DCAT hold up on a big catalogue: time per page and the memory one page takes.

Seeds a temporary SQLite database (migrated like production) with N demo items (``portal/demo.py``),
then requests through the Flask test client: DCAT pages (Turtle and JSON-LD, DCAT_PAGE_SIZE items
each), OAI-PMH ListRecords pages (100 records) walked with their resumption tokens, and a selective
ListIdentifiers (a set and a ``from`` date). Prints p50/max per page and the peak of Python memory
allocated while answering one page (tracemalloc), which stays flat however big the catalogue is.

    .venv/bin/python benchmarks/open_data.py [--items 100000] [--pages 20]
"""

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from xml.etree import ElementTree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from portal import create_app, demo
from portal.catalogue.reference import ensure_reference_data
from portal.extensions import db

OAI = "{http://www.openarchives.org/OAI/2.0/}"


def timed(client, path: str) -> tuple[float, float, bytes]:
    """Seconds, peak MB allocated, body."""
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get(path)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    assert response.status_code == 200, (path, response.status_code)
    return seconds, peak, response.data


def report(label: str, runs: list[tuple[float, float]]) -> None:
    seconds = [run[0] for run in runs]
    peaks = [run[1] for run in runs]
    print(f"{label:<44} p50 {statistics.median(seconds) * 1000:7.0f} ms  max {max(seconds) * 1000:7.0f} ms  "
          f"peak memory {max(peaks):6.1f} MB  ({len(runs)} pages)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=10, help="pages of each kind to time")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="open-data-bench-"))
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite'}", "SECRET_KEY": "bench",
                      "SEARCH_INDEX_DIR": str(folder / "index"), "UPLOAD_DIR": str(folder / "uploads"),
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        ensure_reference_data()
        demo.seed_accounts()
        started = time.perf_counter()
        demo.seed_items(options.items)
        db.session.commit()
        print(f"Seeded {options.items} items in {time.perf_counter() - started:.0f} s")
    client = app.test_client()

    for fmt in ("ttl", "jsonld"):
        runs = []
        for page in range(1, options.pages + 1):
            seconds, peak, _body = timed(client, f"/catalog.{fmt}?page={page}")
            runs.append((seconds, peak))
        report(f"DCAT /catalog.{fmt} ({app.config['DCAT_PAGE_SIZE']} items a page)", runs)

    runs, token = [], None
    for _ in range(options.pages):
        query = f"resumptionToken={token}" if token else "metadataPrefix=oai_dc"
        seconds, peak, body = timed(client, f"/oai?verb=ListRecords&{query}")
        runs.append((seconds, peak))
        token = ElementTree.fromstring(body).findtext(f"{OAI}ListRecords/{OAI}resumptionToken")  # noqa: S314
        if not token:
            break
    report("OAI-PMH ListRecords, walking tokens", runs)

    runs = []
    for slug in ("spp", "ci", "st", "sle", "sbc", "sfs"):
        seconds, peak, _body = timed(client, f"/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&set=programme:{slug}"
                                             "&from=2025-01-01")
        runs.append((seconds, peak))
    report("OAI-PMH ListIdentifiers, a set and from=", runs)


if __name__ == "__main__":
    main()
