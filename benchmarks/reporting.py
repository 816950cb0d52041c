"""How long the pages take on a big catalogue: search, programme, item and home pages, the desk, the
partner's dashboard, the reporting dashboards (warm and cold) and their CSVs.

Seeds a temporary SQLite database (migrated like production) with the demo accounts, 10 000 organisations
and 100 000 demo items with their history (``portal/demo.py``), builds the search index (timed: the full
reindex), reads it as a gunicorn worker does at boot (timed), then requests the pages through the Flask
test client (anonymous, as the demo partner, the demo moderator and the admin) and prints p50/p95 over
several runs, and the process's peak resident memory. Issue 15's targets are printed beside them.
Each page is asked for again and again, except one line that asks for a different item page each
time, as visitors mostly do: what the process keeps per item (similar items, postings) is not kept yet.

    .venv/bin/python benchmarks/reporting.py [--items 100000] [--organisations 10000] [--runs 15]
        [--database /tmp/reporting-bench.sqlite]   # reuse a seeded file (and its index) between runs
        [--only pages|reporting]                   # only the public and desk pages, or only reporting
        [--detail]                                 # also time each part of the dashboard
        [--no-freeze]                              # without wsgi.py's gc.freeze() after warming
        [--profile URL]                            # where that page's time goes, rendered afresh

``--profile`` runs the page ``--runs`` times (page cache emptied) under cProfile and prints the busiest
functions by own and by cumulative time, as an anonymous visitor. cProfile slows Python calls more than
C code, so templates and escaping weigh about twice their share; compare shares between runs, and take
timings from the plain run.
"""

import argparse
import contextlib
import cProfile
import gc
import itertools
import os
import pstats
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import delete, func, insert, select

from portal import create_app, demo, search
from portal.catalogue import reporting
from portal.catalogue.reference import ensure_reference_data
from portal.catalogue.reporting.achievements import compute_achievements
from portal.catalogue.reporting.refresh import EXTENSION
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import AuditEvent, Item, Organisation, Partnership, Programme, ReportingFigures, User, utcnow

MODERATOR = ("moderator@example.org", "desk-demo-moderator-2026")
ADMIN = ("admin@example.org", "secretariat-demo-admin-2026")
PARTNER = ("partner@example.org", "partner-demo-account-2026")
HAS_PROC = Path("/proc/self/status").exists()  # Linux: the peak during a window of the run
# The search page with words, with words and filters, and with a value of every facet ticked.
SEARCHES = {
    "words": "/search?q=food+waste",
    "words + filters": "/search?q=food+waste&programme=sfs&programme=spp&sdg=2&status=core&status=affiliated",
    "every facet": "/search?q=sustainable&kind=initiative&programme=spp&sdg=12&status=core&country=global"
                   "&region=AF&category=capacity_building&theme=circular_economy&offer=yes&sort=newest",
    "no words, page 3": "/search?programme=st&page=3",
}


def seed(items: int, organisations: int) -> None:
    started = time.perf_counter()
    ensure_reference_data()
    demo.seed_accounts()
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.position)))
    missing = organisations - db.session.scalar(select(func.count(Organisation.id)))
    if missing > 0:  # seed_items would add only items // 40 of them
        demo._extra_organisations(random.Random(7), missing, programmes)
    db.session.commit()
    done = 0

    def progress(count: int) -> None:
        nonlocal done
        done += count
        if done % 20000 == 0:
            print(f"  {done} items", flush=True)

    demo.seed_items(items, progress=progress)
    db.session.commit()
    print(f"Seeded in {time.perf_counter() - started:.0f} s")


def describe() -> None:
    count = db.session.scalar
    print(
        f"Catalogue: {count(select(func.count(Item.id)))} items, {count(select(func.count(Organisation.id)))} "
        f"organisations, {count(select(func.count()).select_from(Partnership))} partnerships, "
        f"{count(select(func.count(AuditEvent.id)))} audit events"
    )


def index(app) -> None:
    """Build the search index once (timed: the full reindex), then time what a worker does at boot."""
    with app.app_context():
        if not search.warm():
            started = time.perf_counter()
            search.rebuild()
            print(f"Full reindex of the catalogue: {time.perf_counter() - started:.0f} s")
        search.service().reader.close()
        started = time.perf_counter()
        search.warm()
        print(f"Worker boot (wsgi.py reads the index): {(time.perf_counter() - started) * 1000:.0f} ms")


def login(client, email: str, password: str) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, "login failed"


def measure(label: str, call, runs: int, prepare=None) -> None:
    """Wall-clock p50/p95 and the median CPU time of this process (the server is in-process); ``prepare``
    runs before each call, untimed."""
    call()  # warm up caches (SQLite pages, Jinja templates)
    times, cpu = [], []
    for _ in range(runs):
        if prepare is not None:
            prepare()
        started, started_cpu = time.perf_counter(), time.process_time()
        size = call()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else times[0]
    print(
        f"{label:<56} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
        f"cpu p50 {statistics.median(cpu) * 1000:6.1f} ms  ({size} bytes; {resident_mb()})",
        flush=True,
    )


def resident_mb() -> str:
    """This process's resident memory now and at its peak."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        now = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux
        return f"peak {peak:.0f} MB"
    return f"{now:.0f} MB, peak {peak:.0f} MB"


def start_peak_window() -> None:
    """Start measuring this process's peak resident memory afresh (Linux: its high-water mark reset)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def window_peak_mb() -> str:
    """This process's peak resident memory since ``start_peak_window`` (Linux), else since it started."""
    found = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text()) if HAS_PROC else None
    if found is None:
        return f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (since it started)"
    return f"{int(found.group(1)) / 1024:.0f} MB"


def get(client, url: str):
    def call() -> int:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(response.data)

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database", help="SQLite file to create, or to reuse when it exists")
    parser.add_argument("--detail", action="store_true", help="also time each part of the dashboard")
    parser.add_argument("--only", choices=("pages", "reporting"), help="only the pages, or only reporting")
    parser.add_argument("--no-freeze", action="store_true", help="leave out wsgi.py's gc.freeze() after warming")
    parser.add_argument("--profile", metavar="URL", help="profile that page rendered afresh instead of timing pages")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="reporting-bench-"))
    database = Path(args.database) if args.database else scratch / "portal.sqlite"
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{database}",
            "SECRET_KEY": "benchmark",
            "SEARCH_INDEX_DIR": f"{database}-index",
            "SEARCH_SYNC_SECONDS": 0,  # nothing else writes
            "UPLOAD_DIR": str(scratch / "uploads"),
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        upgrade()  # also brings a reused file up to date
        if not db.session.scalar(select(Item.id).limit(1)):
            print(f"Seeding {args.items} items and {args.organisations} organisations into {database} ...")
            seed(args.items, args.organisations)
        describe()
        year = reporting.current_year()
        spp = db.session.scalar(select(Programme).where(Programme.slug == "spp"))
        scope = reporting.ReportScope(spp, reporting.reporting_period(year), utcnow())
        print(f"spp has {len(reporting.partner_rows(scope))} partners in {year}; {args.runs} runs after one warm-up")
        public_items = db.session.scalars(
            select(Item.id).where(public_clause()).order_by(Item.id.desc()).limit(args.runs + 1)
        ).all()
        public_item = public_items[0]
    index(app)
    with app.app_context():  # as wsgi.py does when a worker boots: the stored figures brought up to date
        reporting.warm()
    for keeper in app.extensions[EXTENSION].values():
        keeper.wait()
    if not args.no_freeze:
        gc.collect()  # as wsgi.py does then
        gc.freeze()
    load = " ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"Load average before measuring: {load} on {os.cpu_count()} cores (shared with other work: "
          "compare ratios and repeated runs, not single figures)\n")

    # Requests run outside any pushed app context, each in its own, like in production.
    moderator, admin, partner, anonymous = (app.test_client() for _ in range(4))
    if args.profile:
        return profile(app, anonymous, args.profile, args.runs)
    login(moderator, *MODERATOR)
    login(admin, *ADMIN)
    login(partner, *PARTNER)
    if args.only != "reporting":
        print("Pages (targets: /search p50 <= 3.5 ms at 20 000 items; programme, item, home p50 <= 5 ms at 20 000 "
              "and <= 50 ms at 100 000; /desk/, /desk/monitoring, /my/ <= 100 ms at 100 000):")
        pages = [(f"GET /search ({name})", anonymous, url) for name, url in SEARCHES.items()]
        pages += [
            ("GET /programmes/spp", anonymous, "/programmes/spp"),
            (f"GET /items/{public_item}", anonymous, f"/items/{public_item}"),
            ("GET / (home)", anonymous, "/"),
            ("GET /api/v1/items (words + filters)", anonymous,
             "/api/v1/items" + SEARCHES["words + filters"].removeprefix("/search")),
            ("GET /my/ (partner)", partner, "/my/"),
            ("GET /desk/ (moderator)", moderator, "/desk/"),
            ("GET /desk/monitoring (moderator)", moderator, "/desk/monitoring"),
            ("GET /desk/monitoring?q=food+waste&inactive=1", moderator, "/desk/monitoring?q=food+waste&inactive=1"),
        ]
        for label, client, url in pages:
            measure(label, get(client, url), args.runs)
        # Most item pages are seldom asked for: each request here asks for another one.
        others = itertools.cycle(get(anonymous, f"/items/{item_id}") for item_id in public_items)
        measure(f"GET /items/<id> ({len(public_items)} items in turn)", lambda: next(others)(), args.runs)
        print("The same pages rendered afresh (this process's page cache emptied before each request):")
        for name, url in SEARCHES.items():
            measure(f"GET /search ({name}, rendered)", rendered(app, anonymous, url), args.runs)
        measure("GET /programmes/spp (rendered)", rendered(app, anonymous, "/programmes/spp"), args.runs)
    if args.only != "pages":
        print("\nReporting (targets at 100 000 items: CSVs <= 0.2 s; cold <= 0.3 s for a programme, <= 1 s for "
              "the network):")
        pages = [
            ("GET /desk/reporting?programme=spp (dashboard)", moderator, "/desk/reporting?programme=spp"),
            ("GET /desk/reporting.csv?programme=spp (main CSV)", moderator, "/desk/reporting.csv?programme=spp"),
            ("GET /desk/reporting/sdgs.csv?programme=spp", moderator, "/desk/reporting/sdgs.csv?programme=spp"),
            ("GET /desk/reporting?programme=all (network, admin)", admin, "/desk/reporting?programme=all"),
            ("GET /desk/reporting.csv?programme=all (network CSV)", admin, "/desk/reporting.csv?programme=all"),
        ]
        for label, client, url in pages:
            measure(label, get(client, url), args.runs)
        print(f"Peak resident memory so far (every page, dashboard and CSV asked for; figures computed in this "
              f"process only by warm): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        cold(app, moderator, admin, anonymous, args.runs)
    print(f"\nPeak resident memory of this process (one worker, caches warm, figures computed in it): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if args.detail:
        detail(app, args.runs)


def rendered(app, client, url):
    """A page as the first visitor after a change gets it: searched and rendered, no kept body."""

    def call() -> int:
        app.extensions["portal.pages"].pages.clear()
        return get(client, url)()

    return call


def profile(app, client, url: str, runs: int) -> None:
    """Where one page's time goes: ``runs`` requests, each rendered afresh, under cProfile."""
    call = rendered(app, client, url)
    call()
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [call() for _ in range(runs)])
    stats = pstats.Stats(profiler)
    for order in ("tottime", "cumulative"):
        stats.sort_stats(order).print_stats(30)


def cold(app, moderator, admin, anonymous, runs: int) -> None:
    """The first views after a change, and in a process or a language that never showed a scope.

    Dashboards and the public achievements are stored in the database once computed (``refresh``): after
    a change they are shown at once, and the refresher thread computes the new ones once the page is
    answered (timed too). Another worker or language reads the stored figures; only a scope the database
    never had figures for is computed inside the request (before ``warm`` has run at the first boot).
    Before each first view (untimed) the refresh the previous one asked for is done: in this process it
    would otherwise run during the next request."""
    def keepers():
        return list(app.extensions.get(EXTENSION, {}).values())

    def settled() -> None:
        for keeper in keepers():
            keeper.wait()

    def stored(statement) -> None:
        with app.app_context():
            db.session.execute(statement)
            db.session.commit()

    def after_a_change(client, url):
        def call() -> int:
            stored(insert(AuditEvent).values(action="benchmark.change"))  # a new data_version, the same figures
            app.extensions["portal.pages"].pages.clear()  # a change gives programme pages a new tag
            return get(client, url)()

        return call

    def refreshed(client, url):
        def call() -> int:
            size = after_a_change(client, url)()
            settled()
            return size

        return call

    languages = itertools.cycle(("fr", "es", "ar", "zh", "ru", "en"))

    def new_worker(client, url):
        def call() -> int:
            for keeper in keepers():
                keeper.decoded.clear()  # nothing decoded in this process yet
            return get(client, f"{url}&lang={next(languages)}")()

        return call

    def never_computed(client, url):
        def call() -> int:
            stored(delete(ReportingFigures))
            return get(client, url)()

        return call

    start_peak_window()
    print("\nFirst view after a change (the stored dashboard and achievements, refreshed after the answer):")
    for slug, client in (("spp", moderator), ("all", admin)):
        url = f"/desk/reporting?programme={slug}"
        measure(f"GET {url} (cold)", after_a_change(client, url), runs, settled)
        measure(f"GET /desk/reporting.csv?programme={slug} (cold)", after_a_change(client, url.replace("?", ".csv?")),
                runs, settled)
        measure("  the same and its refresh in the background", refreshed(client, url), max(3, runs // 3))
        measure("  first view in a new worker, in a new language (read from the database)", new_worker(client, url),
                runs, settled)
    measure("GET /programmes/spp (cold)", after_a_change(anonymous, "/programmes/spp"), runs, settled)
    settled()
    print(f"Resident memory after the first views after a change and their refreshes: {resident_mb()}; "
          f"peak during them {window_peak_mb()}")
    for slug, client in (("spp", moderator), ("all", admin)):
        measure(f"GET /desk/reporting?programme={slug}, first view ever of the scope (computed inline; warm does "
                "it at boot)", never_computed(client, f"/desk/reporting?programme={slug}"), max(3, runs // 3), settled)
    settled()  # a refresh cut short would leave its claim on the stored figures for the next run


def detail(app, runs: int) -> None:
    with app.app_context():
        print("\nParts of the spp dashboard:")
        spp = db.session.scalar(select(Programme).where(Programme.slug == "spp"))
        scope = reporting.ReportScope(spp, reporting.reporting_period(reporting.current_year()), utcnow())
        activity = reporting.partner_activity(scope)
        partner = db.session.scalar(select(User).where(User.email == "partner@example.org"))
        parts = {
            "data_version": lambda: len(reporting.data_version()),
            "partner_activity (one pass, 5 years)": lambda: len(reporting.partner_activity(scope)),
            "partner_rows": lambda: len(reporting.partner_rows(scope, activity)),
            "year_breakdowns": lambda: len(reporting.year_breakdowns(scope).categories),
            "public_achievements (uncached)": lambda: compute_achievements(spp, utcnow()).items,
            "partner_status (/my/)": lambda: len(reporting.partner_status(partner.organisation).programmes),
        }
        for label, call in parts.items():
            measure(f"  {label}", call, max(3, runs // 3))


if __name__ == "__main__":
    main()
