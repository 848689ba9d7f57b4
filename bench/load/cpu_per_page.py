"""CPU milliseconds per answer of each page of the load mix, measured in one process (no server, no wrk).

    .venv/bin/python bench/load/cpu_per_page.py [--database URL] [--requests 200] [--profile browse]

On a shared machine wall-clock req/s moves with the neighbours' load; the CPU time one answer
costs does not (much). Builds the app as production does, draws the same paths as
bench/load/run_load.py (its sample_paths), warms each page up, then answers N requests of each
and divides time.process_time(). This process's CPU only: the database's own work (PostgreSQL
in another process) is not in it. --profile LABEL writes a cProfile of that page's requests
(sorted by cumulative time, to stdout).
"""

import argparse
import cProfile
import os
import pstats
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.load.run_load import MIX, sample_paths  # noqa: E402
from bench.services import app_env  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=None, help="SQLAlchemy URL; default: the load run's PostgreSQL")
    parser.add_argument("--index-dir", default=None, help="SEARCH_INDEX_DIR; default: the load run's")
    parser.add_argument("--requests", type=int, default=200, help="answers measured per page")
    parser.add_argument("--warm", type=int, default=50, help="answers per page before measuring")
    parser.add_argument("--profile", default=None, help="a label of the mix to cProfile")
    parser.add_argument("--lang", default=None, help="zh or en (the lang cookie); default: the browser's")
    args = parser.parse_args()

    env = app_env(**({} if args.database is None else {"DATABASE_URL": args.database}))
    if args.index_dir:
        env["SEARCH_INDEX_DIR"] = args.index_dir
    os.environ.update(env)
    from app import create_app

    app = create_app()
    rng = random.Random(42)
    paths = sample_paths(env, rng)
    client = app.test_client()
    if args.lang:
        client.set_cookie("lang", args.lang)
    weights = dict(MIX)
    total_weight = sum(weights.values())
    mixed = 0.0
    print(f"{'page':<12} {'ms CPU/answer':>14} {'statuses'}")
    for label, items in paths.items():
        picks = [rng.choice(items) for _ in range(args.warm + args.requests)]
        statuses: dict[int, int] = {}
        for path in picks[:args.warm]:
            client.get(path)
        profiler = cProfile.Profile(time.process_time) if label == args.profile else None
        start = time.process_time()
        if profiler:
            profiler.enable()
        for path in picks[args.warm:]:
            status = client.get(path).status_code
            statuses[status] = statuses.get(status, 0) + 1
        if profiler:
            profiler.disable()
        ms = (time.process_time() - start) * 1000 / args.requests
        mixed += ms * weights[label] / total_weight
        print(f"{label:<12} {ms:>14.2f} {statuses}", flush=True)
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(40)
    print(f"{'mix':<12} {mixed:>14.2f} (weighted: {', '.join(f'{k} {v}' for k, v in MIX)})")


if __name__ == "__main__":
    main()
