"""Measure `import-prices` on the two real token price feeds: wall time of each run, SQLite and PostgreSQL.

Usage: .venv/bin/python bench/import_prices_bench.py [--pg URL] [--out PATH]
Each run is a fresh `flask import-prices` process (start-up included): the first import of a
feed into an empty catalog (all created), then the same file again (all unchanged). The feeds
are read from ../shared/data/real, never copied into the repo. Writes bench/out/import-prices.md.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"
FLASK = [sys.executable, "-m", "flask", "--app", "app"]
FEEDS = (("litellm", "litellm_model_prices_chat.json"), ("genai-prices", "genai_prices_data.json"))


def run(env: dict, source: str, path: Path) -> tuple[float, dict]:
    start = time.perf_counter()
    proc = subprocess.run([*FLASK, "import-prices", source, str(path), "--as-of", "2026-12-01"], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"import failed: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
    return elapsed, json.loads(proc.stdout.strip().splitlines()[-1])


def bench(label: str, env: dict) -> list[str]:
    subprocess.run([*FLASK, "init-db"], cwd=ROOT, env=env, check=True, capture_output=True)
    lines = []
    for source, name in FEEDS:
        path = REAL / name
        for run_name, expect in (("first import", "created"), ("re-run", "unchanged")):
            elapsed, summary = run(env, source, path)
            lines.append(f"| {label} | {name} ({path.stat().st_size:,} B) | {run_name} | {summary[expect]:,} {expect}, "
                         f"{summary['skipped']:,} skipped, {summary['vendors']} vendors | {elapsed:.2f} s |")
            print(lines[-1], flush=True)
    return lines


def in_process(env: dict) -> list[str]:
    """The import alone (app already started): connector + validation + writes, first run and re-run."""
    sys.path.insert(0, str(ROOT))
    from datetime import date

    from app import create_app
    from catalog.context import catalog_context
    from extensions import db
    from offers.price_feed_import import import_feed

    app = create_app(environ=env)
    lines = []
    with app.app_context():
        db.create_all()
        for source, name in FEEDS:
            for run_name, expect in (("first import", "created"), ("re-run", "unchanged")):
                start = time.perf_counter()
                report = import_feed(db.session, source, REAL / name, catalog_context(db.session),
                                     as_of=date(2026, 12, 1))
                elapsed = time.perf_counter() - start
                lines.append(f"| SQLite, in process | {name} | {run_name} | {report.summary()[expect]:,} {expect} | "
                             f"{elapsed:.2f} s |")
                print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="", help="a PostgreSQL URL of a database this run may empty")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "import-prices.md"))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}", "SEARCH_INDEX_DIR": str(tmp / "idx")}
        rows += in_process({**env, "DATABASE_URL": f"sqlite:///{tmp / 'in-process.db'}"})
        rows += bench("SQLite", env)
        if args.pg:
            rows += bench("PostgreSQL", {**env, "DATABASE_URL": args.pg})
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join([
        "# Token price feed import", "",
        f"`flask import-prices` in a fresh process, wall time including the app's start-up; 'in process' times "
        f"`import_feed` alone in a started app. Machine: {os.cpu_count()} cores, shared.", "",
        "| database | feed | run | result | time |", "|---|---|---|---|---|", *rows]) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
