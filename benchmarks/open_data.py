"""How OAI-PMH and DCAT hold up on a big catalogue: time per page and the memory one page takes.

Seeds a temporary SQLite database (migrated like production) with N demo items (``portal/demo.py``),
then requests through the Flask test client: DCAT pages (Turtle and JSON-LD, DCAT_PAGE_SIZE items
each), OAI-PMH ListRecords pages (100 records) walked with their resumption tokens, and a selective
ListIdentifiers (a set and a ``from`` date). Prints p50/max per page, and the peak of Python memory
allocated while answering a page (tracemalloc, on one more request of the first page: tracing slows
everything down), which stays flat however big the catalogue is.

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


def timed(client, path: str) -> tuple[float, bytes]:
    """Seconds, body."""
    started = time.perf_counter()
    response = client.get(path)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code)
    return seconds, response.data


def peak_mb(client, path: str) -> float:
    tracemalloc.start()
    client.get(path)
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return peak


def report(label: str, seconds: list[float], peak: float) -> None:
    print(f"{label:<44} p50 {statistics.median(seconds) * 1000:7.0f} ms  max {max(seconds) * 1000:7.0f} ms  "
          f"peak memory {peak:6.1f} MB  ({len(seconds)} pages)")


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
        pages = [f"/catalog.{fmt}?page={page}" for page in range(1, options.pages + 1)]
        report(f"DCAT /catalog.{fmt} ({app.config['DCAT_PAGE_SIZE']} items a page)",
               [timed(client, path)[0] for path in pages], peak_mb(client, pages[0]))

    runs, token = [], None
    first = "/oai?verb=ListRecords&metadataPrefix=oai_dc"
    for _ in range(options.pages):
        seconds, body = timed(client, f"/oai?verb=ListRecords&resumptionToken={token}" if token else first)
        runs.append(seconds)
        token = ElementTree.fromstring(body).findtext(f"{OAI}ListRecords/{OAI}resumptionToken")  # noqa: S314
        if not token:
            break
    report("OAI-PMH ListRecords, walking tokens", runs, peak_mb(client, first))

    paths = [f"/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&set=programme:{slug}&from=2025-01-01"
             for slug in ("spp", "ci", "st", "sle", "sbc", "sfs")]
    report("OAI-PMH ListIdentifiers, a set and from=", [timed(client, path)[0] for path in paths],
           peak_mb(client, paths[0]))


if __name__ == "__main__":
    main()
