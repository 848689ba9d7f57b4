"""Text engines side by side: the same offers' terms in Whoosh and tantivy, the same queries.

    .venv/bin/python bench/engine_bench.py --database-url URL [--engines whoosh,tantivy]

Reads the offers already in the database (e.g. left there by reindex_bench.py), builds
each engine's index from the same documents, then times `engine.query()` alone for the
text words of bench/search_bench.py's query mix (each word's own term, as the fast path
asks it; plus the whole query's groups). Writes bench/results/engines.md. Never part of
the test suite.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search_bench import TEXTS, pct  # noqa: E402
from bench.yardstick import Yardstick, per_loop_cell, stored_seconds  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--engines", default="whoosh,tantivy")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--results", default=str(RESULTS), help="folder of engines.json and engines.md "
                        "(a trial run: anywhere but bench/results)")
    args = parser.parse_args()
    results = Path(args.results)

    from app import create_app
    from catalog.search_engine import make_engine

    work = Path(tempfile.mkdtemp(prefix="engine-bench-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SEARCH_INDEX_DIR": str(work / "app-index"),
                      "SEARCH_DRAIN": "sync"})
    from catalog.search_service import service_for
    from extensions import db

    with app.app_context():
        service = service_for(db.engine)
    with service.db_engine.connect() as conn:
        docs = list(service.docs(conn))
    lookups = []
    for text in TEXTS:
        groups = service.parse(text).groups
        lookups += [("word", [g[:1]]) for g in groups]
        lookups.append(("query", list(groups)))
    rows = []
    for name in args.engines.split(","):
        yardstick = Yardstick.start()
        engine = make_engine(name, work / name)
        engine.cache.max_ids = 0  # time every lookup cold
        t = time.perf_counter()
        engine.rebuild(docs)
        build_s = time.perf_counter() - t
        engine.query([["4090"]])  # open the reader
        times: dict[str, list[float]] = {"word": [], "query": []}
        hits = []
        for _ in range(args.rounds):
            for shape, groups in lookups:
                t = time.perf_counter()
                found = engine.query(groups)
                times[shape].append((time.perf_counter() - t) * 1000)
                hits.append(len(found))
        rows.append({"engine": name, "offers": len(docs), "load_avg_1m": round(os.getloadavg()[0], 2),
                     "build_s": round(build_s, 1),
                     **{f"{s}_p50": round(pct(v, 50), 2) for s, v in times.items()},
                     **{f"{s}_p95": round(pct(v, 95), 2) for s, v in times.items()},
                     **{f"{s}_max": round(max(v), 1) for s, v in times.items()},
                     "max_hits": max(hits), "yardstick": yardstick.finish().as_json()})
        engine.close()
        print(json.dumps(rows[-1]), flush=True)
    results.mkdir(parents=True, exist_ok=True)
    store = results / "engines.json"
    runs = json.loads(store.read_text()) if store.exists() else []
    new = {(r["engine"], r["offers"]) for r in rows}
    runs = sorted([r for r in runs if (r["engine"], r["offers"]) not in new] + rows,
                  key=lambda r: (r["offers"], r["engine"]))
    store.write_text(json.dumps(runs, indent=1) + "\n")
    lines = ["# Text engines side by side (bench/engine_bench.py)", "",
             "The same documents (the offers' terms from catalog.search_text) built into each engine in one "
             "process, then `engine.query()` alone timed for the words of the search benchmark's text queries "
             "(`word`: one word's own term, as the fast path asks; `query`: all of a query's groups, terms and "
             f"concepts, as the SQL path asks), {args.rounds} rounds, the engines' lookup cache off. Milliseconds. Build excludes reading and "
             "term building. Shared 2-core machine; load average at the end of each engine's run. Yardstick = seconds "
             "of bench/yardstick.py's 10-million-addition Python loop around each engine's run (mean of start and "
             "end); the last two columns are the build time and the query p95 in those loops ('–': run from "
             "before the yardstick).", "",
             "| engine | offers | load | build s | word p50 / p95 / max | query p50 / p95 / max | most hits | "
             "yardstick s | build in loops | query p95 in loops |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r['engine']} | {r['offers']:,} | {r['load_avg_1m']} | {r['build_s']} | "
                     f"{r['word_p50']} / {r['word_p95']} / {r['word_max']} | "
                     f"{r['query_p50']} / {r['query_p95']} / {r['query_max']} | {r['max_hits']:,} | "
                     f"{stored_seconds(r) or '–'} | {per_loop_cell(r['build_s'], r, 2)} | "
                     f"{per_loop_cell(r['query_p95'] / 1000, r, 4)} |")
    (results / "engines.md").write_text("\n".join(lines) + "\n", encoding="utf-8")

if __name__ == "__main__":
    main()
