"""Match-making speed: the best public offers for one country need, on a big catalogue.

    .venv/bin/python benchmarks/matching.py --items 100000 [--data /tmp/portal-matching-100000] [--runs 200]

Builds the catalogue the way ``benchmarks/search.py`` does (its ``prepare``: demo items by bulk insert,
about 8 % of them offers, then the index rebuilt; kept in --data and reused when it holds N items), then,
in a fresh worker process, times ``matching.matches_for`` for random needs (a country, 1-3 themes, 0-3
SDGs besides 12, 1-2 programmes, half of them a kind of work, a title and description from the demo
topics): reading the public offers and their values (SQL), comparing them with the need, searching the
need's words, and the whole call, which also loads the ten best items. "Cold" empties the search's
per-index caches and the kept list of offers before each need (as after any change to the data), "warm"
keeps them. It prints p50/p95/p99 in milliseconds and how many offers fit; no assertion.
"""

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("search_benchmark", Path(__file__).with_name("search.py"))
search_benchmark = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(search_benchmark)


def random_needs(count: int, seed: int = 13) -> list[dict]:
    from portal import demo, vocab

    rng = random.Random(seed)
    countries = [code for code, _ in vocab.countries()]
    themes = [value for value, _ in vocab.THEMES]
    categories = [value for value, _ in vocab.ACTIVITY_CATEGORIES]
    needs = []
    for _ in range(count):
        programmes = rng.sample(list(demo.PROGRAMME_TOPICS), rng.choice((1, 1, 2)))
        topic = rng.choice(demo.PROGRAMME_TOPICS[programmes[0]])
        needs.append({
            "country": rng.choice(countries) if rng.random() < 0.9 else vocab.GLOBAL,
            "title": f"{rng.choice(('Training in', 'Support for', 'Tools for', 'Finance for'))} {topic}",
            "description": demo._text(rng, topic, 2),
            "themes": rng.sample(themes, rng.randint(1, 3)),
            "sdgs": rng.sample([n for n in range(1, 18) if n != vocab.HOME_SDG], rng.randint(0, 3)),
            "programmes": programmes,
            "category": rng.choice(categories) if rng.random() < 0.5 else None,
        })
    return needs


def measure(data: Path, runs: int) -> dict:
    """Runs in a fresh process, like a gunicorn worker that has read the index."""
    from sqlalchemy import func, select

    from portal import create_app, search
    from portal.catalogue import matching
    from portal.catalogue.visibility import public_clause
    from portal.extensions import db
    from portal.models import CountryNeed, Item, Programme, Sdg

    app = create_app(search_benchmark.config(data))
    report: dict = {}
    with app.app_context():
        search.warm()
        programmes = {p.slug: p for p in db.session.scalars(select(Programme))}
        sdgs = {s.number: s for s in db.session.scalars(select(Sdg))}
        report["public offers"] = db.session.scalar(
            select(func.count(Item.id)).where(Item.is_offer.is_(True), public_clause()))
        needs = []
        for values in random_needs(runs):
            need = CountryNeed(country=values["country"], title=values["title"], description=values["description"],
                               category=values["category"])  # transient: nothing is written
            need.programmes = [programmes[slug] for slug in values["programmes"]]
            need.sdgs = [sdgs[number] for number in sorted({12, *values["sdgs"]})]
            need.themes = values["themes"]
            needs.append(need)
        fits = []
        for warm in (False, True):
            timings: dict[str, list[float]] = {"offers read (SQL)": [], "shared values compared": [],
                                               "search: the need's words": [], "matches_for (whole)": []}
            for need in needs:
                if not warm:
                    search.service().snapshot().matches.clear()
                    app.extensions.pop("portal.reporting.offers", None)  # as after any change to the data
                start = time.perf_counter()
                offers = matching.public_offers()
                timings["offers read (SQL)"].append(time.perf_counter() - start)
                start = time.perf_counter()
                values = matching._NeedValues.of(need)
                [values.points(offer) for offer in offers.values()]
                timings["shared values compared"].append(time.perf_counter() - start)
                start = time.perf_counter()
                matching.word_matches(need.title, need.description)
                timings["search: the need's words"].append(time.perf_counter() - start)
                if not warm:
                    search.service().snapshot().matches.clear()
                    app.extensions.pop("portal.reporting.offers", None)
                start = time.perf_counter()
                found = matching.matches_for(need)
                timings["matches_for (whole)"].append(time.perf_counter() - start)
                fits.append(found.total)
                db.session.rollback()  # what ends a request: the loaded items leave the session
            report["warm" if warm else "cold"] = {
                name: search_benchmark.percentiles(samples) for name, samples in timings.items()}
        report["offers that fit (median)"] = sorted(fits)[len(fits) // 2]
        report["documents"] = search.service().snapshot().columns.n
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100000)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = args.data or Path(f"/tmp/portal-matching-{args.items}")
    if args.measure:
        print(json.dumps(measure(data, args.runs)))
        return
    timings = search_benchmark.prepare(args.items, data)
    worker = subprocess.run(
        [sys.executable, __file__, "--items", str(args.items), "--data", str(data), "--runs", str(args.runs),
         "--measure"],
        check=True, capture_output=True, text=True,
    )
    report = json.loads(worker.stdout.strip().splitlines()[-1])
    print(f"\nMatching benchmark: {args.items} items ({report['documents']} indexed), "
          f"{report['public offers']} public offers, {os.cpu_count()} cores, {args.runs} random needs")
    if "seed" in timings:
        print(f"seed: {timings['seed']:.1f} s, reindex: {timings['reindex']:.1f} s")
    print(f"offers that fit a need (median): {report['offers that fit (median)']}")
    print("\nms p50 / p95 / p99")
    for state in ("cold", "warm"):
        print(f"search caches {state}:")
        for name, (p50, p95, p99) in report[state].items():
            print(f"  {name:<28} {p50:7.1f} / {p95:7.1f} / {p99:7.1f}")


if __name__ == "__main__":
    main()
