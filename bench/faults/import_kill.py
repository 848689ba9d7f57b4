"""Fault: kill -9 the process running a sheet import, mid-import. The database must hold all or none of it.

    .venv/bin/python bench/faults/import_kill.py [--rows 20000] [--trials 6]

Runs `flask import-sheet` (the same importer and transaction as the vendor upload) on a
generated sheet against the private PostgreSQL cluster: once to the end to time it, then
`--trials` times killed with SIGKILL at spread-out moments of that time. After each kill
it checks that the vendor's offers number 0 or all rows (never a part), that no price
history or outbox rows were left behind, that PostgreSQL holds no orphaned transaction,
and, where this build has it, that `flask check-index` is clean. Writes
bench/results/faults-import.md.
"""

import argparse
import csv
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.services import PYTHON, app_env, ensure_postgres, flask, machine_note  # noqa: E402

RESULTS = ROOT / "bench" / "results"
HEADER = ["sku", "kind", "title", "region", "billing", "gpu_model", "gpu_count", "gpu_memory_gb", "price",
          "currency", "price_unit", "stock"]


def write_sheet(rows: int) -> Path:
    path = Path(tempfile.mkdtemp(prefix="market-fault-")) / "big-sheet.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            writer.writerow([f"fault-{i}", "gpu", f"A10 ×1 节点 {i}", "cn-hangzhou", "按量", "NVIDIA A10", 1, 24,
                             f"{5 + (i % 700) / 100:.2f}", "CNY", "hour", i % 50])
    return path


def counts(env: dict, slug: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        vendor = conn.execute(text("SELECT id FROM vendors WHERE slug = :s"), {"s": slug}).scalar()
        offers = conn.execute(text("SELECT count(*) FROM offers WHERE vendor_id = :v"), {"v": vendor}).scalar()
        history = conn.execute(text(
            "SELECT count(*) FROM price_history h JOIN offers o ON o.id = h.offer_id WHERE o.vendor_id = :v"),
            {"v": vendor}).scalar()
        outbox = None
        if conn.execute(text("SELECT to_regclass('index_outbox')")).scalar():
            outbox = conn.execute(text(
                "SELECT count(*) FROM index_outbox x LEFT JOIN offers o ON o.id = x.offer_id WHERE o.id IS NULL "
                "AND x.op <> 'delete'")).scalar()
        idle = conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%'")).scalar()
    engine.dispose()
    return {"vendor": vendor is not None, "offers": offers, "history": history, "orphan_outbox": outbox,
            "idle_in_tx": idle}


def run_import(env: dict, sheet: Path, slug: str, kill_after: float | None) -> tuple[float, int]:
    started = time.monotonic()
    proc = subprocess.Popen([PYTHON, "-m", "flask", "--app", "app", "import-sheet", str(sheet), "--vendor", slug],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    if kill_after is None:
        code = proc.wait(timeout=1800)
        return time.monotonic() - started, code
    try:
        code = proc.wait(timeout=kill_after)  # finished before the kill came
        return time.monotonic() - started, code
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return time.monotonic() - started, -9


def check_index(env: dict) -> str:
    probe = flask("--help", env=env, check=False, capture_output=True, text=True)
    if "check-index" not in probe.stdout:
        return "not in this build"
    result = flask("check-index", env=env, check=False, capture_output=True, text=True)
    last = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
    return f"exit {result.returncode}: {last}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--out", default=str(RESULTS / "faults-import.md"))
    args = parser.parse_args()

    ensure_postgres()
    env = app_env(SEARCH_DRAIN=os.environ.get("SEARCH_DRAIN", "sync"))
    flask("init-db", env=env, stdout=subprocess.DEVNULL)
    sheet = write_sheet(args.rows)
    run = datetime.now(UTC).strftime("%H%M%S")
    note = machine_note()

    full_slug = f"fault-full-{run}"
    full_time, code = run_import(env, sheet, full_slug, None)
    full = counts(env, full_slug)
    print(f"full import: {full_time:.1f}s exit {code} {full}")
    rows = [("to the end", f"{full_time:.1f}", code, full)]
    ok = code == 0 and full["offers"] == args.rows
    for k in range(args.trials):
        at = full_time * (0.15 + 0.7 * k / max(args.trials - 1, 1))
        slug = f"fault-kill-{run}-{k}"
        took, code = run_import(env, sheet, slug, at)
        time.sleep(1.0)  # PostgreSQL notices the dead client and aborts its transaction
        found = counts(env, slug)
        print(f"kill at {at:.1f}s: exit {code} {found}")
        rows.append((f"SIGKILL at {at:.1f}s", f"{took:.1f}", code, found))
        whole_or_none = found["offers"] in (0, args.rows) and (found["offers"] == 0) == (not found["vendor"])
        ok = ok and whole_or_none and found["idle_in_tx"] == 0 and not found["orphan_outbox"]
    index = check_index(env)
    ok = ok and not index.startswith("exit 1")

    lines = [
        "# Fault: kill -9 mid sheet import",
        "",
        f"Written by `bench/faults/import_kill.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {note}.",
        f"Sheet: {args.rows:,} valid GPU rows (CSV), imported with `flask import-sheet` into PostgreSQL 15 "
        "(the private bench cluster). All-or-nothing mode, one transaction.",
        "",
        "| run | seconds | exit | vendor row | offers | price history | outbox rows without offer | idle in tx |",
        "|---|---|---|---|---|---|---|---|",
        *[f"| {label} | {t} | {c} | {f['vendor']} | {f['offers']:,} | {f['history']:,} | {f['orphan_outbox']} | "
          f"{f['idle_in_tx']} |" for label, t, c, f in rows],
        "",
        f"`flask check-index` after the kills: {index}.",
        "",
        f"Result: **{'all or none every time' if ok else 'FAILED: see the table'}**.",
    ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
