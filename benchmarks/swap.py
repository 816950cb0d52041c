"""The first searches of a worker after another process rebuilt the index and swapped the folder in.

    .venv/bin/python benchmarks/swap.py --items 60000 [--data /tmp/portal-bench-60000]

Uses the catalogue `benchmarks/search.py` seeds (run that first, or this seeds it the same way). A
worker reads the index and answers searches; `search reindex` runs in another process and swaps a
new folder in; the worker then searches every 20 ms. Prints the latency of the first search after the
swap, the slowest one, and how long until the worker searched the new folder. No assertion.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from search import config, prepare  # noqa: E402  (benchmarks/search.py: the same catalogue)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=60000)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--seconds", type=float, default=30, help="how long to keep searching after the swap")
    args = parser.parse_args()
    data = args.data or Path(f"/tmp/portal-bench-{args.items}")
    if not (data / "portal.sqlite").exists():
        prepare(args.items, data, "whoosh", None)  # the swap is a Whoosh folder swap

    from portal import create_app, search
    from portal.search.store import Store

    app = create_app(config(data))
    client = app.test_client()
    with app.app_context():
        start = time.perf_counter()
        search.warm()
        boot = time.perf_counter() - start
        before = Store(config(data)["SEARCH_INDEX_DIR"]).current_name()
        client.get("/api/v1/items?q=food+waste")
        subprocess.run(
            [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); from search import config; "
             "from pathlib import Path; from portal import create_app, search; "
             "app = create_app(config(Path(sys.argv[2]))); app.app_context().push(); search.rebuild()",
             str(ROOT / "benchmarks"), str(data)],
            cwd=ROOT, capture_output=True, text=True, check=True)
        swapped = time.perf_counter()
        after = Store(config(data)["SEARCH_INDEX_DIR"]).current_name()
        latencies, switched = [], None
        while time.perf_counter() - swapped < args.seconds:
            start = time.perf_counter()
            assert client.get("/api/v1/items?q=food+waste&programme=sfs").status_code == 200
            latencies.append(time.perf_counter() - start)
            if switched is None and search.service().snapshot().name == after:
                switched = time.perf_counter() - swapped
                if len(latencies) > 5:
                    break
            time.sleep(0.02)
    print(f"\n{args.items} items: worker boot {boot:.1f} s; folder {before} -> {after}")
    print(f"first search after the swap: {latencies[0] * 1000:.0f} ms; slowest of {len(latencies)}: "
          f"{max(latencies) * 1000:.0f} ms; median {sorted(latencies)[len(latencies) // 2] * 1000:.0f} ms")
    print(f"the worker searched the new folder {switched:.1f} s after the swap" if switched is not None
          else "the worker never searched the new folder")


if __name__ == "__main__":
    main()
