"""How long ``flask --app portal mail digests`` takes for many saved searches.

Seeds a temporary SQLite database (migrated like production) with demo items (``portal/demo.py``) and
their search index, publishes ``--new`` of them in the last day, and saves ``--searches`` daily searches
of random filters and words for ``--users`` accounts, all due. Then times one ``send_digests`` run
(matching, mails and records, committed) and a second run (nothing is due: nothing is sent). Target: 10 000
saved searches in under a minute.

    .venv/bin/python benchmarks/digests.py [--items 20000] [--searches 10000] [--users 2500] [--new 300]
        [--database /tmp/digests-bench.sqlite]   # reuse a seeded file (and its index) between runs
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import delete, func, insert, select, update

from portal import create_app, demo, search, vocab
from portal.catalogue import digests
from portal.catalogue.reference import ensure_reference_data
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import Item, OutboxMessage, SavedSearch, SavedSearchDigest, User, utcnow

WORDS = ["waste", "food", "procurement", "tourism", "buildings", "plastic", "energy", "circular", "training",
         "policy", "consumers", "schools", "cities", "textiles", "water", "climate", "ecolabel*", "guidelines",
         '"public procurement"', "food OR waste", "tourism -hotels", "sme*", "lifestyles", "construction"]


def random_query(rng: random.Random) -> str:
    """Filters like those people save: a few words and/or a few facets."""
    args: dict[str, list[str]] = {}
    if rng.random() < 0.6:
        args["q"] = [" ".join(rng.sample(WORDS, rng.choice((1, 1, 2))))]
    facets = {
        "programme": [slug for slug, _, _ in vocab.PROGRAMMES],
        "sdg": [str(number) for number, _ in vocab.SDGS],
        "kind": [value for value, _ in vocab.KINDS],
        "theme": [value for value, _ in vocab.THEMES],
        "country": ["KE", "BR", "FR", "IN", "CN", "global"],
        "status": ["core", "affiliated"],
    }
    for facet in rng.sample(sorted(facets), rng.choice((0, 1, 1, 2, 3))):
        args[facet] = rng.sample(facets[facet], rng.choice((1, 1, 2)))
    return urlencode(args, doseq=True)


def seed(items: int, searches: int, users: int, new: int) -> None:
    started = time.perf_counter()
    ensure_reference_data()
    demo.seed_accounts()
    db.session.commit()
    demo.seed_items(items)
    db.session.commit()
    rng = random.Random(14)
    now = utcnow()
    public = list(db.session.scalars(select(Item.id).where(public_clause(now))))
    for item_id in rng.sample(public, min(new, len(public))):
        moment = now - timedelta(minutes=rng.randrange(1, 23 * 60))
        db.session.execute(update(Item).where(Item.id == item_id).values(published_at=moment, updated_at=moment))
    first_user = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    db.session.execute(insert(User), [
        {"id": first_user + n, "email": f"reader{n}@example.org", "name": f"Reader {n}", "password_hash": "x",
         "role": "partner" if n % 3 else "moderator", "active": True, "created_at": now - timedelta(days=30)}
        for n in range(users)
    ])
    saved_at = now - timedelta(days=2)
    db.session.execute(insert(SavedSearch), [
        {"user_id": first_user + n % users, "name": f"Search {n}", "query": random_query(rng), "frequency": "daily",
         "created_at": saved_at, "last_digest_at": saved_at}
        for n in range(searches)
    ])
    db.session.commit()
    search.rebuild()
    print(f"Seeded {items} items, {users} users and {searches} saved searches in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--searches", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=2_500)
    parser.add_argument("--new", type=int, default=300, help="items published in the last day")
    parser.add_argument("--database", help="SQLite file to create, or to reuse when it exists")
    args = parser.parse_args()

    database = Path(args.database) if args.database else Path(tempfile.mkdtemp(prefix="digests-bench-")) / "p.sqlite"
    reuse = database.exists()
    app = create_app({
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "benchmark",
        "SEARCH_INDEX_DIR": f"{database}.index",
        "UPLOAD_DIR": f"{database}.uploads",
    })
    with app.app_context():
        upgrade()
        if reuse:  # every search due again, as after seeding
            db.session.execute(delete(SavedSearchDigest))
            db.session.execute(delete(OutboxMessage))
            db.session.execute(update(SavedSearch).values(last_digest_at=SavedSearch.created_at))
            db.session.commit()
        else:
            seed(args.items, args.searches, args.users, args.new)
        distinct = db.session.scalar(select(func.count(func.distinct(SavedSearch.query))))
        print(f"{distinct} distinct sets of filters; load average {' '.join(f'{n:.1f}' for n in os.getloadavg())} "
              f"on {os.cpu_count()} cores\n")
        search.warm()

        started = time.perf_counter()
        if os.environ.get("PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            run = profiler.runcall(digests.send_digests)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        else:
            run = digests.send_digests()
        db.session.commit()
        elapsed = time.perf_counter() - started
        print(f"mail digests: {run.due} due, {run.sent} digests listing {run.items} new items in all, "
              f"{run.empty} with nothing new, in {elapsed:.1f} s ({elapsed / max(run.due, 1) * 1000:.2f} ms "
              "per saved search)")
        outbox = db.session.scalar(select(func.count(OutboxMessage.id)))
        records = db.session.scalar(select(func.count(SavedSearchDigest.id)))
        print(f"  outbox: {outbox} messages, {records} digests recorded")

        started = time.perf_counter()
        again = digests.send_digests()
        db.session.commit()
        print(f"second run: {again.due} due, {again.sent} sent, in {time.perf_counter() - started:.2f} s")
        app.extensions["search"].close()
    if not args.database:
        shutil.rmtree(database.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
