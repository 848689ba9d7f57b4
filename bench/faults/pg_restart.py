"""Fault: stop and restart PostgreSQL under load. Requests must fail cleanly (503) and the app recover by itself.

    .venv/bin/python bench/faults/pg_restart.py [--seconds 45] [--clients 8]

Starts gunicorn (production mode) on the private PostgreSQL cluster, drives it from
--clients threads on 127.0.0.1 for --seconds, and meanwhile: stops PostgreSQL for 5 s
(pg_ctl stop -m fast, then start), and later restarts it (pg_ctl restart -m fast). gunicorn
is never restarted. Every answer is recorded; the figures go to bench/results/faults-pg-restart.md.
Pass: no 500, no failed connection to gunicorn, only 200 or 503 during the outages, and
only 200 again within a few seconds of PostgreSQL being back.
"""

import argparse
import http.client
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.services import (  # noqa: E402
    Gunicorn,
    app_env,
    ensure_postgres,
    flask,
    machine_note,
    pg_ctl,
    pg_running,
)
from bench.yardstick import Yardstick  # noqa: E402

RESULTS = ROOT / "bench" / "results"
RESTART_DB = "market_restart"


def paths(env: dict) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM offers ORDER BY random() LIMIT 200"))]
    engine.dispose()
    found = [f"/api/v1/offers/{i}" for i in ids] + ["/api/v1/offers?kind=gpu&sort=unit_price", "/healthz",
                                                    "/api/v1/fx-rates"]
    return found


def client_loop(port: int, choices: list[str], until: float, log: list, lock: threading.Lock, seed: int) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    while (now := time.monotonic()) < until:
        path = rng.choice(choices)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0  # the connection to gunicorn itself failed
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        with lock:
            log.append((now, time.monotonic() - now, status, path))
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=45)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--out", default=str(RESULTS / "faults-pg-restart.md"))
    args = parser.parse_args()

    # Its own small database (the 690-offer seed catalog) and index, made afresh each run.
    ensure_postgres(RESTART_DB, fresh=True)
    env = app_env(RESTART_DB, SEARCH_INDEX_DIR=str(Path(tempfile.mkdtemp(prefix="market-restart-")) / "index"))
    for command in ("init-db", "seed", "reindex"):
        flask(command, env=env, stdout=subprocess_devnull(), stderr=subprocess_devnull())
    note = machine_note()
    yardstick = Yardstick.start()
    events: list[tuple[str, float]] = []
    log: list = []
    lock = threading.Lock()
    with Gunicorn(env, port=8766) as server:
        choices = paths(env)
        start = time.monotonic()
        until = start + args.seconds
        threads = [threading.Thread(target=client_loop, args=(server.port, choices, until, log, lock, i))
                   for i in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(args.seconds * 0.2)
        events.append(("stop", time.monotonic()))
        pg_ctl("stop", "-m", "fast")
        time.sleep(5)
        events.append(("start", time.monotonic()))
        pg_ctl("start")
        events.append(("up", time.monotonic()))
        time.sleep(args.seconds * 0.3)
        events.append(("restart", time.monotonic()))
        pg_ctl("restart", "-m", "fast")
        events.append(("up again", time.monotonic()))
        for t in threads:
            t.join()
        workers_after = server.worker_pids()
    if not pg_running():
        pg_ctl("start")

    t0 = log[0][0] if log else start
    ev = {name: at for name, at in events}
    windows = [("before", t0, ev["stop"]), ("down 5 s (stop → start)", ev["stop"], ev["up"]),
               ("back, until the restart", ev["up"], ev["restart"]),
               ("restart -m fast", ev["restart"], ev["up again"]), ("after", ev["up again"], until)]
    rows = []
    for name, a, b in windows:
        part = [e for e in log if a <= e[0] < b]
        statuses = Counter(e[2] for e in part)
        slowest = max((e[1] for e in part), default=0)
        rows.append(f"| {name} | {b - a:.1f} | {len(part):,} | {dict(sorted(statuses.items()))} | {slowest * 1000:.0f} |")

    def recovery(after: float, before: float) -> str:
        # Requests sent in the last half second before the next fault may meet that fault: not counted here.
        bad = [e for e in log if after <= e[0] < before - 0.5 and e[2] != 200]
        last_bad = max((e[0] + e[1] for e in bad), default=after)
        return f"{last_bad - after:.2f} s"

    total = Counter(e[2] for e in log)
    ok = total.get(500, 0) == 0 and total.get(0, 0) == 0 and set(total) <= {200, 503}
    tail = [e for e in log if e[0] >= ev["up again"] + 3]
    ok = ok and all(e[2] == 200 for e in tail) and len(workers_after) > 0
    yardstick.finish()
    lines = [
        "# Fault: PostgreSQL stopped and restarted under load",
        "",
        f"Written by `bench/faults/pg_restart.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {note}. " + yardstick.line(ratios=False),
        f"gunicorn (production mode, {len(workers_after)} workers, never restarted) on the private PostgreSQL 15 "
        f"cluster (the 690-offer seed catalog); {args.clients} keep-alive clients on 127.0.0.1 for {args.seconds} s, GETs of offer pages of the "
        "JSON API, a filtered search, the FX table and /healthz.",
        "",
        "| window | seconds | requests | answers by status (0 = connection to gunicorn failed) | slowest ms |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"Until every answer is 200 again, counted from PostgreSQL accepting connections: after the 5 s outage "
        f"{recovery(ev['up'], ev['restart'])}; after the fast restart {recovery(ev['up again'], until)}.",
        "",
        f"All answers: {dict(sorted(total.items()))}. Result: **{'clean (200/503 only, recovered without a restart)' if ok else 'FAILED'}**.",
    ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    sys.exit(0 if ok else 1)


def subprocess_devnull():
    import subprocess

    return subprocess.DEVNULL


if __name__ == "__main__":
    main()
