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

from bench.services import FAULTS_DB, PYTHON, app_env, ensure_postgres, flask, machine_note  # noqa: E402
from bench.yardstick import Yardstick  # noqa: E402

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


def _writing(engine, app_name: str) -> bool:
    """Whether the import's connection holds an open transaction that has written (it has an xid)."""
    from sqlalchemy import text

    with engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = :a AND backend_xid IS NOT NULL"),
            {"a": app_name}).scalar())


def run_import(env: dict, sheet: Path, slug: str, kill_into_tx: float | None) -> tuple[float, float, int]:
    """Run one import; kill it `kill_into_tx` seconds after its write transaction opened.

    Returns (seconds the write transaction was seen open, seconds in all, exit code).
    """
    from sqlalchemy import create_engine

    app_name = f"market-import-{slug}"[:60]
    engine = create_engine(env["DATABASE_URL"])
    started = time.monotonic()
    proc = subprocess.Popen([PYTHON, "-m", "flask", "--app", "app", "import-sheet", str(sheet), "--vendor", slug],
                            cwd=ROOT, env={**env, "PGAPPNAME": app_name}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    opened = closed = None
    try:
        while proc.poll() is None:
            writing = _writing(engine, app_name)
            now = time.monotonic()
            if writing and opened is None:
                opened = now
            if opened is not None and not writing and closed is None:
                closed = now
            if kill_into_tx is not None and writing and opened is not None and now - opened >= kill_into_tx:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                return now - opened, now - started, -9
            time.sleep(0.02)
        end = time.monotonic()
        return ((closed or end) - opened if opened else 0.0), end - started, proc.returncode
    finally:
        engine.dispose()


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

    # A fresh database and index of their own, so check-index compares exactly what the imports left.
    ensure_postgres(FAULTS_DB, fresh=True)
    index_dir = Path(tempfile.mkdtemp(prefix="market-fault-index-"))
    # No drain at commit: the import's own transaction is all that runs, and the index catches
    # up from the outbox afterwards (check-index drains it first), as after a crash.
    env = app_env(FAULTS_DB, SEARCH_DRAIN=os.environ.get("SEARCH_DRAIN", "off"),
                  SEARCH_INDEX_DIR=str(index_dir / "search-index"))
    flask("init-db", env=env, stdout=subprocess.DEVNULL)
    sheet = write_sheet(args.rows)
    run = datetime.now(UTC).strftime("%H%M%S")
    note = machine_note()
    yardstick = Yardstick.start()

    full_slug = f"fault-full-{run}"
    tx_time, full_time, code = run_import(env, sheet, full_slug, None)
    full = counts(env, full_slug)
    print(f"full import: {full_time:.1f}s, write transaction open {tx_time:.1f}s, exit {code} {full}")
    rows = [("to the end", f"{tx_time:.1f}", f"{full_time:.1f}", code, full)]
    ok = code == 0 and full["offers"] == args.rows
    killed = 0
    for k in range(args.trials):
        into = tx_time * (0.1 + 0.6 * k / max(args.trials - 1, 1))
        slug = f"fault-kill-{run}-{k}"
        seen, took, code = run_import(env, sheet, slug, into)
        time.sleep(1.0)  # PostgreSQL notices the dead client and aborts its transaction
        found = counts(env, slug)
        print(f"kill {into:.1f}s into the write transaction: exit {code} {found}")
        rows.append((f"SIGKILL {into:.1f}s into it", f"{seen:.1f}", f"{took:.1f}", code, found))
        whole_or_none = found["offers"] in (0, args.rows) and (found["offers"] == 0) == (not found["vendor"])
        killed += code == -9
        ok = ok and whole_or_none and found["idle_in_tx"] == 0 and not found["orphan_outbox"]
    index = check_index(env)
    # A run that finished before its kill time is still all-or-none, but most must really be killed.
    ok = ok and not index.startswith("exit 1") and killed * 2 >= args.trials

    yardstick.finish()
    lines = [
        "# Fault: kill -9 mid sheet import",
        "",
        f"Written by `bench/faults/import_kill.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {note}. " + yardstick.line(ratios=False),
        f"Sheet: {args.rows:,} valid GPU rows (CSV), imported with `flask import-sheet` into PostgreSQL 15 "
        "(the private bench cluster). All-or-nothing mode, one transaction.",
        "",
        "The kill lands while the import's write transaction is open (seen in pg_stat_activity with an xid), "
        "spread from 10% to 70% of how long it stayed open in the full run (exit 0: it finished first).",
        "",
        "| run | write transaction open (s) | process ran (s) | exit | vendor row | offers | price history | "
        "outbox rows without offer | idle in tx |",
        "|---|---|---|---|---|---|---|---|---|",
        *[f"| {label} | {tx} | {t} | {c} | {f['vendor']} | {f['offers']:,} | {f['history']:,} | "
          f"{f['orphan_outbox']} | {f['idle_in_tx']} |" for label, tx, t, c, f in rows],
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
