"""Load on a real server: gunicorn workers, partners writing through the real forms, visitors searching.

    .venv/bin/python benchmarks/load.py --items 20000 [--seconds 60] [--workers 4] [--writers 6]
        [--searchers 2] [--kill-workers] [--kill-reindex] [--port 8765] [--data /tmp/portal-load-20000]

Seeds N demo items once into --data (kept and reused), copies that catalogue (database and index) into a
scratch folder, serves the copy with gunicorn on 127.0.0.1 only, and for a bounded time runs writers
(partners logged in through /login who submit initiatives through /my/items/new/initiative and edit
them through /items/<id>/edit) and searchers (/search and /api/v1/items). Optionally kills a random
worker with SIGKILL every 8 s (--kill-workers), and starts `search reindex` every 12 s to kill it with
SIGKILL 1 to 5 s later (--kill-reindex). Then it waits for the queue to be applied and prints: 5xx
answers (must be 0), rebuilds inside requests counted from the workers' log (must be 0), search
p50/p95/p99, and lost writes (committed items missing from or stale in the index, by `search check`,
plus writes the client saw succeed that the index does not find: must be 0). No assertion: figures.
"""

import argparse
import http.client
import http.cookiejar
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import child_processes, process_alive  # noqa: E402

PARTNER = ("partner@example.org", "partner-demo-account-2026")  # portal.demo's account
WORDS = ["food waste", "procurement", "ecolabels", "tourism plastics", "school meals", "building retrofits",
         "sustainable", "green tendering", "circular construction", "repairability", "agroecology"]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|name="csrf-token" content="([^"]+)"')
SUBMISSION = re.compile(r'name="submission_token"[^>]*value="([^"]*)"')
FORM = {"summary": "Load test initiative about school meals and food waste.",
        "description": "Written by the load test.", "lead_programme": "sfs", "sdgs": "2", "countries": "KE",
        "activity_category": "implementation",
        "initiative_status": "ongoing", "language": "en", "submit_review": "Submit for review"}


def environment(data: Path, port: int) -> dict:
    env = dict(os.environ)
    env.update({
        "PORTAL_DATABASE_URL": f"sqlite:///{data / 'portal.sqlite'}",
        "PORTAL_SEARCH_INDEX_DIR": str(data / "index"),
        "PORTAL_UPLOAD_DIR": str(data / "uploads"),
        "PORTAL_SECRET_KEY": "load-test",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "PORTAL_RATELIMIT_ENABLED": "false",
    })
    return env


def portal_app(env: dict):
    from portal import create_app

    return create_app({key[len("PORTAL_"):]: value for key, value in env.items() if key.startswith("PORTAL_")})


def partner_items(env: dict) -> list[int]:
    """Published items of the demo partner's organisation: what writers edit besides their own."""
    from sqlalchemy import select

    from portal import demo
    from portal.extensions import db
    from portal.models import Item, Organisation

    with portal_app(env).app_context():
        statement = (select(Item.id).join(Organisation).where(Organisation.name == demo.DEMO_ACCOUNTS[2][4])
                     .where(Item.state == "published").order_by(Item.id).limit(300))
        return list(db.session.scalars(statement))


def indexed_titles(env: dict, ids) -> dict[int, str | None]:
    """The title each item has in the index now (None: not in it), read from the index files."""
    from portal import search

    with portal_app(env).app_context():
        snapshot = search.service().snapshot()
        titles = {}
        for item_id in ids:
            docnum = snapshot.columns.docnum_of(item_id)
            titles[item_id] = None if docnum is None else snapshot.card(docnum)["title"]
        search.service().close()
        return titles


def seed(items: int, base: Path) -> None:
    """The catalogue every run copies: demo accounts, N items, its index (built once)."""
    if (base / "ready").exists():
        return
    from portal import demo, search
    from portal.catalogue.reference import ensure_reference_data
    from portal.extensions import db

    base.mkdir(parents=True, exist_ok=True)
    with portal_app(environment(base, 0)).app_context():
        db.create_all()
        ensure_reference_data()
        demo.seed_accounts()
        demo.seed_items(items)
        db.session.commit()
        search.rebuild()
    (base / "ready").write_text(str(items))


class Client:
    """One browser: its own cookies, CSRF token, timings."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())

    def request(self, path: str, data: dict | None = None, timeout: float = 60) -> tuple[int, str, str]:
        if data is not None:
            data = {key: value for key, value in data.items() if value is not None}
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=timeout) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")

    def token(self, html: str) -> str:
        match = CSRF.search(html)
        return (match.group(1) or match.group(2)) if match else ""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Run:
    def __init__(self, args, base_url: str, deadline: float, published: list[int]):
        self.args = args
        self.published = published
        self.base_url = base_url
        self.deadline = deadline
        self.lock = threading.Lock()
        self.statuses: dict[int, int] = {}
        self.dropped = 0  # connections a killed worker closed (no answer at all)
        self.search_times: list[float] = []
        self.written: dict[int, str] = {}  # item id → the last title the client saw committed
        self.kills = {"workers": 0, "reindex": 0, "orphans": 0}

    def count(self, status: int) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def call(self, client: Client, path: str, data: dict | None = None):
        try:
            status, location, body = client.request(path, data)
        except (OSError, http.client.HTTPException):  # a killed worker's connection
            with self.lock:
                self.dropped += 1
            return None
        self.count(status)
        return status, location, body

    def writer(self, number: int) -> None:
        client = Client(self.base_url)
        while time.monotonic() < self.deadline:  # log in (again after a killed worker lost the answer)
            page = self.call(client, "/login")
            answer = page and self.call(client, "/login", {"csrf_token": client.token(page[2]),
                                                           "email": PARTNER[0], "password": PARTNER[1]})
            if answer and answer[0] in (302, 303):
                break
        mine: list[int] = []
        theirs = self.published[number :: self.args.writers]  # published items this writer edits
        for round_ in range(10**9):
            if time.monotonic() >= self.deadline:
                return
            title = f"Load w{number}r{round_} zq{number}x{round_}"
            if round_ % 3 == 2 and (mine or theirs):
                item_id = random.choice(mine if mine and (round_ % 2 or not theirs) else theirs)
                page = self.call(client, f"/items/{item_id}/edit")
                if page is None or page[0] != 200:
                    continue
                answer = self.call(client, f"/items/{item_id}/edit", {
                    **FORM, "title": title, "csrf_token": client.token(page[2]), "submit_review": None,
                    "save_changes": "Save changes"})
            else:
                page = self.call(client, "/my/items/new/initiative")
                if page is None or page[0] != 200:
                    continue
                submission = SUBMISSION.search(page[2])
                answer = self.call(client, "/my/items/new/initiative", {
                    **FORM, "title": title, "csrf_token": client.token(page[2]),
                    "submission_token": submission.group(1) if submission else ""})
            if answer and answer[0] in (302, 303) and (found := re.search(r"/items/(\d+)", answer[1])):
                item_id = int(found.group(1))
                with self.lock:
                    self.written[item_id] = title
                if item_id not in mine and item_id not in theirs:
                    mine.append(item_id)

    def searcher(self, number: int) -> None:
        client = Client(self.base_url)
        rng = random.Random(number)
        while time.monotonic() < self.deadline:
            words = urllib.parse.quote(rng.choice(WORDS))
            path = f"/api/v1/items?q={words}" if rng.random() < 0.5 else f"/search?q={words}&programme=sfs"
            start = time.perf_counter()
            answer = self.call(client, path)
            if answer is not None:
                with self.lock:
                    self.search_times.append(time.perf_counter() - start)

    def kill_workers(self, master: int) -> None:
        while self.wait(8):
            workers = child_processes(master)
            if workers:
                os.kill(random.choice(workers), signal.SIGKILL)
                self.kills["workers"] += 1

    def kill_reindex(self, env: dict) -> None:
        while self.wait(12):
            reindex = subprocess.Popen(flask("search", "reindex"), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            time.sleep(random.uniform(1, 5))
            writers = child_processes(reindex.pid)
            reindex.send_signal(signal.SIGKILL)
            reindex.wait()
            self.kills["reindex"] += 1
            time.sleep(3)
            self.kills["orphans"] += sum(1 for pid in writers if process_alive(pid))

    def wait(self, seconds: float) -> bool:
        time.sleep(min(seconds, max(0.0, self.deadline - time.monotonic())))
        return time.monotonic() < self.deadline


def flask(*command: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "portal", *command]


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000 if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--searchers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--kill-workers", action="store_true")
    parser.add_argument("--kill-reindex", action="store_true")
    args = parser.parse_args()
    base = args.data or Path(f"/tmp/portal-load-{args.items}")
    seed(args.items, base)
    data = base.parent / f"{base.name}-run"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(base, data)
    env = environment(data, args.port)
    log_path = data / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--no-control-socket", "--workers", str(args.workers),
             "--bind", f"127.0.0.1:{args.port}", "--timeout", "30", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{args.port}"
    try:
        ready = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base_url + "/api/v1/items", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > ready:
                    raise SystemExit(f"gunicorn did not answer; see {log_path}") from None
                time.sleep(0.5)
        run = Run(args, base_url, time.monotonic() + args.seconds, partner_items(env))
        threads = [threading.Thread(target=run.writer, args=(n,)) for n in range(args.writers)]
        threads += [threading.Thread(target=run.searcher, args=(n,)) for n in range(args.searchers)]
        if args.kill_workers:
            threads.append(threading.Thread(target=run.kill_workers, args=(server.pid,)))
        if args.kill_reindex:
            threads.append(threading.Thread(target=run.kill_reindex, args=(env,)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        time.sleep(5)  # the followers apply what killed workers left in the queue
        check = subprocess.run(flask("search", "check"), cwd=ROOT, env=env, capture_output=True, text=True)
        indexed = indexed_titles(env, run.written)
        unseen = sum(1 for item_id in run.written if indexed[item_id] is None)
        start = time.perf_counter()
        final = subprocess.run(flask("search", "reindex"), cwd=ROOT, env=env, capture_output=True, timeout=600)
        reindex_seconds = time.perf_counter() - start
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    text = log_path.read_text()
    report(args, run, check, unseen, final.returncode, reindex_seconds, text)


def report(args, run: Run, check, unseen: int, final_status: int, reindex_seconds: float, log_text: str) -> None:
    drift = [line for line in check.stderr.splitlines() if re.match(r"(missing|stale|extra|duplicates):", line)]
    lost = sum(len(line.split(":", 1)[1].split(",")) for line in drift)
    in_request = log_text.count("(in a request)")
    rebuilds = log_text.count("Rebuilding the missing, unreadable or outdated search index")
    fives = sum(count for status, count in run.statuses.items() if status >= 500)
    print(f"\nLoad: {args.items} items, {args.workers} gunicorn workers, {args.writers} writers, {args.searchers} "
          f"searchers, {args.seconds:.0f} s, kills: workers {run.kills['workers']}, reindex {run.kills['reindex']}")
    print(f"answers by status: {dict(sorted(run.statuses.items()))}; connections dropped by killed workers: "
          f"{run.dropped}")
    print(f"5xx answers: {fives}")
    print(f"rebuilds inside requests (from the log): {in_request}; rebuilds by workers at all: {rebuilds}")
    print(f"search p50 / p95 / p99: {percentile(run.search_times, 50):.0f} / {percentile(run.search_times, 95):.0f}"
          f" / {percentile(run.search_times, 99):.0f} ms over {len(run.search_times)} searches")
    print(f"items the client saw written: {len(run.written)}; missing from the index: {unseen}")
    print(f"lost writes (search check: committed items missing or stale in the index): {lost}"
          f" (check exit status {check.returncode})")
    print(f"sub-writers alive after their reindex was killed: {run.kills['orphans']}; a last full reindex: "
          f"exit {final_status} in {reindex_seconds:.1f} s")
    errors = log_text.count('"level": "ERROR"')
    print(f"errors in the workers' log: {errors}")
    if drift:
        print("\n".join(drift))


if __name__ == "__main__":
    main()
