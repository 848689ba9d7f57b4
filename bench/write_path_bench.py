"""What a command-line import leaves behind: `flask import-sheet` in a fresh process, then the
outbox rows still pending, for this tree and (optionally) an older one.

Usage: .venv/bin/python bench/write_path_bench.py [--rows 10000] [--old /path/to/older/tree]
(an older tree: `git archive <commit> | tar -x -C /tmp/old`). SQLite; prints Markdown rows.
"""

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.import_bench import make_sheet  # noqa: E402

FLASK = [sys.executable, "-m", "flask", "--app", "app"]


def run(label: str, root: Path, rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp / 'b.db'}", "SEARCH_INDEX_DIR": str(tmp / "idx")}
        subprocess.run([*FLASK, "init-db"], cwd=root, env=env, check=True, capture_output=True)
        first, repriced = tmp / "s.csv", tmp / "r.csv"
        make_sheet(first, rows)
        make_sheet(repriced, rows, bump="1")
        for name, sheet in (("first import", first), ("re-priced", repriced)):
            start = time.perf_counter()
            proc = subprocess.run([*FLASK, "import-sheet", str(sheet), "--vendor", "bench"], cwd=root, env=env,
                                  capture_output=True, text=True, check=False)
            elapsed = time.perf_counter() - start
            with sqlite3.connect(tmp / "b.db") as conn:
                # Rows past the one node's position (catalog/outbox.py); all of them if it never registered.
                pending = conn.execute("SELECT count(*) FROM index_outbox WHERE id > "
                                       "COALESCE((SELECT max(position) FROM outbox_consumers), 0)").fetchone()[0]
            print(f"| {label} | {name} | {rows:,} | {elapsed:.1f} s | {pending:,} | {proc.returncode} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--old", type=Path)
    args = parser.parse_args()
    print("| tree | run | rows | wall time | outbox rows pending after exit | exit code |\n|---|---|---|---|---|---|")
    if args.old:
        run(f"old ({args.old.name})", args.old, args.rows)
    run("this tree", ROOT, args.rows)


if __name__ == "__main__":
    main()
