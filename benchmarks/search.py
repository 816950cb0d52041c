"""Search speed: the portal's /api/v1/items against raw Whoosh and SQLite FTS5 on the same data, or on
PostgreSQL full-text search (``--backend postgresql``).

    .venv/bin/python benchmarks/search.py --items 20000 [--data /tmp/portal-bench-20000] [--runs 200]
    .venv/bin/python benchmarks/search.py --items 20000 --backend postgresql --database-url postgresql://...
    .venv/bin/python benchmarks/search.py --items 20000 --backend whoosh --database-url postgresql://...

Seeds N demo items into a scratch instance (kept in --data, or the empty PostgreSQL database named by
--database-url, migrated first; reused when it already holds N items), rebuilds search (timed: the
full reindex), then, in a fresh worker process, runs each query class through the Flask test client
and prints p50/p95/p99 in milliseconds with every facet counted. With Whoosh on SQLite it also runs
the same text queries as raw Whoosh searches on the same index and as SQLite FTS5 queries on the
same data, and the ratios. It prints the time until one item's change is searchable (with Whoosh,
also on a second host: another app on the same database with its own index folder and its follower
running) and the worker's peak resident memory. The same seed gives the same items in every database, so the
PostgreSQL run and a Whoosh run on the same database compare the backends on the same data.
No assertion: it prints figures.
"""

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

from whoosh.idsets import DocIdSet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ["food waste", "procurement", "ecolabels", "tourism plastics", "school meals", "building retrofits",
         "green tendering", "youth engagement", "circular construction", "sustainable diets", "repairability",
         "low-carbon hotels", "agroecology", "behaviour change", "embodied carbon", "life-cycle costing"]
BROAD = ["sustainable", "sustainable consumption", "partners share methods", "governments"]
PROGRAMMES = ["spp", "ci", "st", "sle", "sbc", "sfs"]
STATUSES = ["core", "affiliated", "none"]


def config(data: Path, backend: str = "whoosh", database_url: str | None = None) -> dict:
    return {
        "DATABASE_URL": database_url or f"sqlite:///{data / 'portal.sqlite'}",
        "SEARCH_BACKEND": backend,
        "SEARCH_INDEX_DIR": str(data / "index"),
        "UPLOAD_DIR": str(data / "uploads"),
        "SECRET_KEY": "benchmark",
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "bench.local",
        "BASE_URL": "http://bench.local",  # the host the benchmark asks for is a trusted one
    }


def prepare(items: int, data: Path, backend: str, database_url: str | None, keep_index: bool = False) -> dict:
    """Seed (unless already there) and rebuild the index (unless ``keep_index`` and the items were there);
    returns timings in seconds."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from portal import create_app, demo, search
    from portal.catalogue.reference import ensure_reference_data
    from portal.extensions import db
    from portal.models import Item

    data.mkdir(parents=True, exist_ok=True)
    app = create_app(config(data, backend, database_url))
    timings = {}
    with app.app_context():
        if database_url:
            upgrade()  # PostgreSQL: the schema and its full-text search objects, as `flask db upgrade`
        else:
            db.create_all()
        have = db.session.scalar(select(func.count(Item.id)))
        if have != items:
            if have:
                raise SystemExit(f"{data} holds {have} items, not {items}: choose another --data folder")
            ensure_reference_data()
            demo.seed_accounts()
            db.session.commit()
            start = time.perf_counter()
            demo.seed_items(items)
            db.session.commit()
            timings["seed"] = time.perf_counter() - start
        if keep_index and "seed" not in timings:
            return timings
        start = time.perf_counter()
        search.rebuild()
        timings["reindex"] = time.perf_counter() - start
        if not database_url:
            build_fts(data)
    return timings


def build_fts(data: Path) -> None:
    """The same items in an FTS5 table beside plain facet tables, in a separate SQLite file."""
    target = data / "fts.sqlite"
    if target.exists():
        return
    source = sqlite3.connect(data / "portal.sqlite")
    fts = sqlite3.connect(target)
    fts.executescript(
        """
        CREATE VIRTUAL TABLE docs USING fts5(title, text, tokenize='porter');
        CREATE TABLE items (id INTEGER PRIMARY KEY, kind TEXT, state TEXT, hidden INT, updated_at TEXT);
        CREATE TABLE facets (item_id INT, facet TEXT, value TEXT);
        CREATE INDEX ix_facets ON facets (facet, value, item_id);
        CREATE INDEX ix_facets_item ON facets (item_id);
        CREATE INDEX ix_items_public ON items (state, hidden, updated_at);
        """
    )
    rows = source.execute("SELECT id, kind, title, summary, description, state, hidden, updated_at FROM items")
    for id_, kind, title, summary, description, state, hidden, updated in rows:
        fts.execute("INSERT INTO docs (rowid, title, text) VALUES (?, ?, ?)", (id_, title, f"{summary}\n{description}"))
        fts.execute("INSERT INTO items VALUES (?, ?, ?, ?, ?)", (id_, kind, state, hidden, updated))
        fts.execute("INSERT INTO facets VALUES (?, 'kind', ?)", (id_, kind))
    for table, facet, column in (("item_sdgs", "sdg", "sdg_number"), ("item_countries", "country", "code"),
                                 ("item_themes", "theme", "theme")):
        fts.executemany(
            "INSERT INTO facets VALUES (?, ?, ?)",
            ((i, facet, str(v)) for i, v in source.execute(f"SELECT item_id, {column} FROM {table}")),  # noqa: S608
        )
    links = source.execute(
        "SELECT l.item_id, p.slug, coalesce(e.status, 'none') FROM item_programmes l "
        "JOIN programmes p ON p.id = l.programme_id "
        "LEFT JOIN portfolio_entries e ON e.item_id = l.item_id AND e.programme_id = l.programme_id"
    ).fetchall()
    fts.executemany("INSERT INTO facets VALUES (?, 'programme', ?)", ((i, slug) for i, slug, _ in links))
    fts.executemany("INSERT INTO facets VALUES (?, 'status', ?)", ((i, status) for i, _, status in links))
    fts.commit()
    fts.close()
    source.close()


def queries(runs: int, seed: int = 7) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    classes: dict[str, list[dict]] = {}
    classes["words"] = [{"q": rng.choice(WORDS)} for _ in range(runs)]
    classes["words + 3 filters"] = [
        {"q": rng.choice(WORDS), "programme": rng.choice(PROGRAMMES), "sdg": str(rng.randint(1, 17)),
         "status": rng.choice(STATUSES)}
        for _ in range(runs)
    ]
    classes["browse by date"] = [
        {"programme": rng.choice(PROGRAMMES), "sdg": str(rng.randint(1, 17)), "sort": "newest"} for _ in range(runs)
    ]
    classes["broad words"] = [{"q": rng.choice(BROAD)} for _ in range(runs)]
    classes["deep page"] = [
        {"programme": rng.choice(PROGRAMMES), "sort": "newest", "page": str(rng.randint(40, 60))} for _ in range(runs)
    ]
    return classes


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)

    def at(p):
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    return at(50), at(95), at(99)


def measure(data: Path, runs: int, backend: str = "whoosh", database_url: str | None = None) -> dict:
    """Runs in a fresh process: the worker whose speed and memory are reported."""
    import numpy as np
    from werkzeug.datastructures import MultiDict

    from portal import create_app, search
    from portal.catalogue.filters import parse_filters
    from portal.search.query import parse

    app = create_app(config(data, backend, database_url))
    client = app.test_client()
    report: dict = {"portal": {}, "portal (cold cache)": {}, "whoosh": {}, "fts5": {}, "backend": backend}
    classes = queries(runs)
    with app.app_context():
        if backend == "postgresql" or database_url:
            return measure_api(client, classes, report, data, database_url)
        time_portal(client, classes, report)

        # Raw Whoosh: the same text query on the same index, top 20 scored, filters as a docnum set.
        snap = search.service().snapshot()
        searcher, columns = snap.searcher, snap.columns
        from portal.catalogue.visibility import inactive_cutoff, public_rule
        from portal.search.columns import unpack
        from portal.search.matching import selections

        public = unpack(columns.public(public_rule()), columns.n)
        for name, params in classes.items():
            samples = []
            for args in params:
                filters = parse_filters(MultiDict(args))
                parsed = parse(filters.q)
                start = time.perf_counter()
                allowed = public.copy()
                for mask in selections(columns, filters).values():
                    allowed &= unpack(mask, columns.n)
                query = parsed.query if parsed.query is not None else __import__("whoosh.query").query.Every()
                if filters.sort == "newest":
                    searcher.search(query, filter=Allowed(allowed), limit=filters.page * 20, sortedby=None,
                                    scored=False)
                else:
                    searcher.search(query, filter=Allowed(allowed), limit=filters.page * 20)
                samples.append(time.perf_counter() - start)
            report["whoosh"][name] = percentiles(samples)

        # SQLite FTS5 on the same data, with the same facets counted by GROUP BY.
        fts = sqlite3.connect(data / "fts.sqlite")
        cutoff = inactive_cutoff().isoformat(sep=" ")
        for name, params in classes.items():
            samples = []
            for args in params:
                start = time.perf_counter()
                fts_query(fts, args, cutoff)
                samples.append(time.perf_counter() - start)
            report["fts5"][name] = percentiles(samples)

        report["change searchable"] = change_latency(client)
        report["other host"] = other_host_latency(data, database_url)
    report["documents"] = int(np.count_nonzero(columns.alive))
    return report


class Allowed(DocIdSet):
    """A set of document numbers backed by a byte per document, for raw Whoosh's ``filter=``."""

    def __init__(self, mask):
        self._bytes = mask.astype("uint8").tobytes()

    def __contains__(self, docnum: int) -> bool:
        return 0 <= docnum < len(self._bytes) and self._bytes[docnum] == 1

    def __bool__(self) -> bool:  # Whoosh treats a falsy filter as "no filter": never be falsy
        return True

    def __len__(self) -> int:
        return self._bytes.count(1)

    def __iter__(self):
        return (docnum for docnum, flag in enumerate(self._bytes) if flag)


def time_similar(client, runs: int) -> tuple[float, float, float]:
    """An item page's similar items, for one different public item after another (nothing kept for them)."""
    from portal import search

    ids = [item["id"] for item in client.get("/api/v1/items?sort=newest&per_page=100").get_json()["items"]]
    samples = []
    for item_id in (ids * (runs // len(ids) + 1))[:runs] if ids else []:
        start = time.perf_counter()
        search.similar(item_id)
        samples.append(time.perf_counter() - start)
    return percentiles(samples) if samples else (0.0, 0.0, 0.0)


def time_portal(client, classes: dict[str, list[dict]], report: dict) -> None:
    """A worker's boot, its first query, then the portal's API per query class, with nothing kept between
    searches (cold) and with what the backend keeps (warm); the worker's peak memory."""
    from urllib.parse import urlencode

    from portal import search

    start = time.perf_counter()
    search.warm()  # what wsgi.py does when a gunicorn worker boots
    report["worker boot (reads the index)"] = time.perf_counter() - start
    start = time.perf_counter()
    client.get("/api/v1/items")
    report["first query after boot"] = time.perf_counter() - start
    for cold in (True, False):
        for name, params in classes.items():
            samples = []
            for args in params:
                if cold:
                    forget_results()
                start = time.perf_counter()
                response = client.get("/api/v1/items?" + urlencode(args))
                samples.append(time.perf_counter() - start)
                assert response.status_code == 200, response.text
            report["portal (cold cache)" if cold else "portal"][name] = percentiles(samples)
    report["similar items"] = time_similar(client, min(len(next(iter(classes.values()))), 100))
    report["peak rss mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_api(client, classes: dict[str, list[dict]], report: dict, data: Path, database_url: str | None) -> dict:
    """The portal's API per query class, and how soon a change is searchable (any backend, any database)."""
    time_portal(client, classes, report)
    report["change searchable"] = change_latency(client)
    if report["backend"] == "whoosh":
        report["other host"] = other_host_latency(data, database_url)
    report["documents"] = client.get("/api/v1/items?per_page=1").get_json()["total"]
    return report


def forget_results() -> None:
    """Drop what the backend and the page cache (``portal.views.caching``) keep between searches, so that
    the next one computes everything."""
    from flask import current_app

    from portal import search
    from portal.views.caching import PageCache

    pages = current_app.extensions["portal.pages"]
    current_app.extensions["portal.pages"] = PageCache(pages.limit)
    backend = search.service()
    if backend.name == "whoosh":
        snapshot = backend.snapshot()
        snapshot.matches.clear()
        snapshot.memo.clear()
    else:
        backend.results.clear()


def change_latency(client) -> tuple[float, float]:
    """One item's change: commit (which indexes, or writes the search row) until a search finds it."""
    latencies = searchable_after(client, 10, "benchmarkword")
    return statistics.median(latencies), max(latencies)


def searchable_after(client, changes: int, marker: str, pause: float = 0.0) -> list[float]:
    """Seconds from the commit of a new word in a public item's title until ``client``'s search finds it,
    for ``changes`` items."""
    from portal.catalogue.visibility import public_clause
    from portal.extensions import db
    from portal.models import Item

    latencies = []
    item_ids = [i for (i,) in db.session.execute(db.select(Item.id).where(public_clause()).limit(changes))]
    for n, item_id in enumerate(item_ids):
        word = f"{marker}{n}x{os.getpid()}"
        item = db.session.get(Item, item_id)
        start = time.perf_counter()
        item.title = f"{item.title.split(' ' + marker)[0]} {word}"
        db.session.commit()
        while client.get(f"/api/v1/items?q={word}").get_json()["total"] != 1:
            if time.perf_counter() - start > 30:
                raise SystemExit(f"item {item_id} was not searchable after 30 s")
            time.sleep(pause)
        latencies.append(time.perf_counter() - start)
    return latencies


def other_host_latency(data: Path, database_url: str | None, changes: int = 20) -> dict:
    """Whoosh on two hosts: a second app on the same database with its own index folder and its follower
    running (``SEARCH_SYNC_SECONDS``, as each gunicorn worker starts it), and how long until a change
    committed on the first host is found by a search on the second (median and max over ``changes``).
    Its index is built first (timed), and the host is forgotten afterwards so that the benchmark's
    database keeps no queue for it."""
    from sqlalchemy import delete

    from portal import create_app, search
    from portal.extensions import db
    from portal.models import SearchHost

    settings = config(data, "whoosh", database_url)
    other = create_app({**settings, "SEARCH_INDEX_DIR": str(data / "other-host-index")})
    with other.app_context():
        start = time.perf_counter()
        search.rebuild()
        built = time.perf_counter() - start
        assert search.warm()  # starts the follower, as wsgi.py does in each worker
        host_id = search.service().host_id
    delays = searchable_after(other.test_client(), changes, "otherhostword", pause=0.01)
    with other.app_context():
        search.service().close()
        db.session.execute(delete(SearchHost).where(SearchHost.host_id == host_id))
        db.session.commit()
    return {"build": built, "median": statistics.median(delays), "max": max(delays), "changes": len(delays),
            "sync seconds": other.config["SEARCH_SYNC_SECONDS"]}


def fts_query(fts: sqlite3.Connection, args: dict, cutoff: str) -> None:
    """Top 20, total and facet counts; the full-text match is materialised once, then joined."""
    where = ["i.state = 'published'", "i.hidden = 0", "i.updated_at >= ?"]
    values: list = [cutoff]
    cte, source, order = "", "items i", "ORDER BY i.updated_at DESC"
    if args.get("q"):
        cte = "WITH m AS MATERIALIZED (SELECT rowid AS id, rank FROM docs WHERE docs MATCH ?) "
        values.insert(0, " ".join(f'"{w}"' for w in args["q"].replace("-", " ").split()))
        source = "m JOIN items i ON i.id = m.id"
        if args.get("sort") != "newest":
            order = "ORDER BY m.rank"
    for facet in ("programme", "sdg", "status"):
        if args.get(facet):
            where.append("i.id IN (SELECT item_id FROM facets WHERE facet = ? AND value = ?)")
            values += [facet, args[facet]]
    matched = f"SELECT i.id FROM {source} WHERE {' AND '.join(where)}"  # noqa: S608
    page = int(args.get("page", 1))
    fts.execute(f"{cte}{matched} {order} LIMIT 20 OFFSET ?", (*values, (page - 1) * 20)).fetchall()
    fts.execute(f"{cte}SELECT count(*) FROM ({matched})", values).fetchall()  # noqa: S608
    fts.execute(
        f"{cte}SELECT f.facet, f.value, count(*) FROM ({matched}) x "  # noqa: S608
        "JOIN facets f ON f.item_id = x.id GROUP BY f.facet, f.value",
        values,
    ).fetchall()


def print_api_report(items: int, timings: dict, report: dict, database: str) -> None:
    print(f"\nSearch benchmark: {items} items ({report['documents']} public), {os.cpu_count()} cores, "
          f"{report['backend']} search on {database}")
    if "seed" in timings:
        print(f"seed-demo bulk insert: {timings['seed']:.1f} s")
    print(f"full reindex: {timings['reindex']:.1f} s" if "reindex" in timings else "full reindex: not run")
    boot, first = report["worker boot (reads the index)"] * 1000, report["first query after boot"] * 1000
    print(f"worker boot (search.warm): {boot:.0f} ms; first query after it: {first:.0f} ms")
    print("\n/api/v1/items with every facet counted, ms p50 / p95 / p99")
    print(f"{'query class':<22} {'cold (nothing kept)':>24} {'warm (results kept)':>24}")
    for name in report["portal"]:
        cells = [report[key][name] for key in ("portal (cold cache)", "portal")]
        print(f"{name:<22} " + " ".join(f"{p50:6.1f} /{p95:6.1f} /{p99:6.1f}".rjust(24) for p50, p95, p99 in cells))
    print_latencies(report)
    print(f"peak resident memory of the worker: {report['peak rss mb']:.0f} MB")


def print_latencies(report: dict) -> None:
    """An item page's similar items; how soon a change is searchable: on the host that made it, and
    (Whoosh) on another host."""
    p50, p95, p99 = report["similar items"]
    print(f"\nsimilar items of one new item after another (what an item page asks): ms p50 {p50:.1f} / p95 "
          f"{p95:.1f} / p99 {p99:.1f}")
    median, worst = report["change searchable"]
    print(f"\none item's change searchable after: {median * 1000:.0f} ms median, {worst * 1000:.0f} ms max")
    other = report.get("other host")
    if other:
        print(f"on another host (own index, built in {other['build']:.1f} s, follower every "
              f"{other['sync seconds']} s): {other['median'] * 1000:.0f} ms median, {other['max'] * 1000:.0f} ms max "
              f"over {other['changes']} changes")


def print_report(items: int, timings: dict, report: dict) -> None:
    print(f"\nSearch benchmark: {items} items ({report['documents']} indexed), {os.cpu_count()} cores")
    if "seed" in timings:
        print(f"seed-demo bulk insert: {timings['seed']:.1f} s")
    print(f"full reindex: {timings['reindex']:.1f} s" if "reindex" in timings else "full reindex: not run")
    boot, first = report["worker boot (reads the index)"] * 1000, report["first query after boot"] * 1000
    print(f"worker boot (wsgi.py reads the index and its columns): {boot:.0f} ms; first query after it: {first:.0f} ms")
    print("\nms p50 / p95 / p99")
    titles = ("portal API (cache warm)", "portal API (cold)", "raw Whoosh", "SQLite FTS5")
    print(f"{'query class':<22} " + " ".join(title.rjust(20 if i else 24) for i, title in enumerate(titles)))
    for name in report["portal"]:
        cells = [report[key][name] for key in ("portal", "portal (cold cache)", "whoosh", "fts5")]
        print(f"{name:<22} " + " ".join(f"{p50:6.1f} /{p95:6.1f} /{p99:6.1f}".rjust(20 if i else 24)
                                        for i, (p50, p95, p99) in enumerate(cells)))
    print("\nratios at p95: portal (cold) / raw Whoosh, portal (cold) / FTS5")
    for name in report["portal"]:
        cold, whoosh, fts5 = (report[key][name][1] for key in ("portal (cold cache)", "whoosh", "fts5"))
        print(f"{name:<22} {cold / whoosh:6.2f}  {cold / fts5:6.2f}")
    print_latencies(report)
    print(f"peak resident memory of the worker after every portal query above (caches warm): "
          f"{report['peak rss mb']:.0f} MB")
    print("(portal = /api/v1/items through the Flask test client, with every facet counted; raw Whoosh = the same")
    print(" query scored on the same index, filters as a document set, no facet counts; FTS5 = porter-tokenised")
    print(" FTS5 table on the same data with the public rule, filters, top 20, count and GROUP BY facet counts)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--backend", choices=("whoosh", "postgresql"), default="whoosh")
    parser.add_argument("--database-url", help="an empty PostgreSQL database you own (default: SQLite in --data)")
    parser.add_argument("--keep-index", action="store_true",
                        help="measure the index as it is, without a full reindex first (a settled server: right "
                             "after a reindex, PostgreSQL is still writing the rebuilt rows out)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.backend == "postgresql" and not args.database_url:
        parser.error("--backend postgresql needs --database-url postgresql://...")
    data = args.data or Path(f"/tmp/portal-bench-{args.items}")
    if args.measure:
        print(json.dumps(measure(data, args.runs, args.backend, args.database_url)))
        return
    timings = prepare(args.items, data, args.backend, args.database_url, args.keep_index)
    command = [sys.executable, __file__, "--items", str(args.items), "--data", str(data), "--runs", str(args.runs),
               "--backend", args.backend, "--measure"]
    if args.database_url:
        command += ["--database-url", args.database_url]
    worker = subprocess.run(command, check=True, capture_output=True, text=True)
    report = json.loads(worker.stdout.strip().splitlines()[-1])
    if args.database_url:
        print_api_report(args.items, timings, report, args.database_url.rsplit("@", 1)[-1])
    else:
        print_report(args.items, timings, report)


if __name__ == "__main__":
    main()
