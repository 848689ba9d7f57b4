"""Fault: two web nodes on one PostgreSQL, each with its own search index fed from the outbox.

    .venv/bin/python bench/faults/two_nodes.py [--changes 50] [--outbox-changes 10000]

Starts two gunicorn nodes (A and B: their own SEARCH_INDEX_DIR and NODE_NAME) on the seed
catalog in the private PostgreSQL cluster (bench/services.py).

1. Visibility: `--changes` times, a process with node A's environment (its index, its name)
   gives one offer a new title word and a new price through the app's ORM write path and
   commits — what a save on node A does; node A's own index is drained by that process after
   the commit. The clock runs from the commit until node B's JSON API finds the offer by that
   word with the new price (node B learns of it only through the outbox). p50 / max; max < 2 s.
2. Outbox: node B is stopped; `--outbox-changes` changes are committed the same way (re-prices
   in batches of 100), node A applies them, and node A's pruning runs with no keep age
   (`flask outbox --prune`, OUTBOX_KEEP_SECONDS=0): it must delete the rows both nodes are past
   and none that node B still needs. Node B restarts; the time until it has applied every row
   is its catch-up. Then `flask check-index` on node B must find its index equal to the database,
   and its log must show it caught up rather than rebuilt.

Writes bench/results/faults-two-nodes.md.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.services import Gunicorn, app_env, ensure_postgres, flask, get, machine_note  # noqa: E402
from bench.yardstick import Yardstick  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DATABASE = "market_nodes"
LIMIT_SECONDS = 2.0


def node_env(base: dict, name: str, index_root: Path) -> dict:
    return {**base, "NODE_NAME": name, "SEARCH_INDEX_DIR": str(index_root / name)}


def visible_on(node: Gunicorn, offer_id: int, word: str, price: Decimal, deadline: float) -> float | None:
    """Poll node's API until a search for `word` gives the offer at `price`; the moment it did, or None."""
    while time.monotonic() < deadline:
        status, body = get(f"{node.url}/api/v1/offers?q={word}&per_page=5", timeout=5)
        if status == 200:
            items = json.loads(body)["items"]
            if any(i["id"] == offer_id and Decimal(i["unit_price"]) == price for i in items):
                return time.monotonic()
        time.sleep(0.02)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--outbox-changes", type=int, default=10_000)
    parser.add_argument("--ports", default="8111,8112")
    parser.add_argument("--out", default=str(RESULTS / "faults-two-nodes.md"))
    args = parser.parse_args()
    port_a, port_b = (int(p) for p in args.ports.split(","))

    ensure_postgres(DATABASE, fresh=True)
    index_root = Path(app_env()["SEARCH_INDEX_DIR"]).with_name("two-nodes")
    base = app_env(DATABASE)
    env_a, env_b = node_env(base, "node-a", index_root), node_env(base, "node-b", index_root)
    shutil.rmtree(index_root, ignore_errors=True)
    flask("init-db", env=env_a, stdout=subprocess.DEVNULL)
    flask("seed", env=env_a, stdout=subprocess.DEVNULL)
    for env in (env_a, env_b):
        flask("reindex", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    note = machine_note()
    yardstick = Yardstick.start()

    # This process writes as node A: its commits drain into node A's index, as a request on A would.
    os.environ.update({k: v for k, v in env_a.items() if k in ("DATABASE_URL", "SEARCH_INDEX_DIR", "NODE_NAME",
                                                                "REDIS_URL", "SECRET_KEY")})
    from sqlalchemy import func, select, update

    from app import create_app
    from catalog import outbox
    from catalog.models import Offer
    from extensions import db

    app = create_app({"SECRET_KEY": env_a["SECRET_KEY"]})
    rng = random.Random(19)
    node_a = Gunicorn(env_a, port=port_a, workers=2, log=Path(f"/tmp/market-two-nodes-a-{port_a}.log"))
    node_b = Gunicorn(env_b, port=port_b, workers=2, log=Path(f"/tmp/market-two-nodes-b-{port_b}.log"))
    lags, misses = [], []
    failures = []
    with app.app_context(), node_a, node_b:
        ids = db.session.scalars(select(Offer.id).where(Offer.status == "active")).all()
        # 1. visibility on node B of changes made through node A
        for n in range(args.changes):
            offer = db.session.get(Offer, rng.choice(ids))
            word = f"zqnode{n}x"
            offer.title = f"{offer.title.split(' zqnode')[0]} {word}"
            offer.unit_price = (offer.unit_price * Decimal("1.01")).quantize(Decimal("0.000001"))
            price, offer_id = offer.unit_price, offer.id
            db.session.commit()
            committed = time.monotonic()
            seen = visible_on(node_b, offer_id, word, price, committed + 10)
            if seen is None:
                misses.append(offer_id)
                if len(misses) >= 3:
                    break
            else:
                lags.append(seen - committed)

        # 2. node B away while node A takes 10,000 changes and prunes
        engine = db.engine

        def behind(name: str) -> int:
            with engine.connect() as conn:
                return outbox.pending(conn, name)

        deadline = time.monotonic() + 30
        while (behind("node-a") or behind("node-b")) and time.monotonic() < deadline:
            time.sleep(0.1)
        node_b.stop()
        with engine.connect() as conn:
            b_position = outbox.read_position(conn, "node-b").position
        started = time.monotonic()
        done = 0
        while done < args.outbox_changes:
            batch = rng.sample(ids, min(100, args.outbox_changes - done, len(ids)))
            db.session.execute(update(Offer).where(Offer.id.in_(batch))
                               .values(unit_price=Offer.unit_price * Decimal("1.001")))
            db.session.commit()
            done += len(batch)
        write_seconds = time.monotonic() - started
        deadline = time.monotonic() + 60
        while behind("node-a") and time.monotonic() < deadline:
            time.sleep(0.1)
        a_behind = behind("node-a")
        pruned = flask("outbox", "--prune", env={**env_a, "OUTBOX_KEEP_SECONDS": "0"}, capture_output=True,
                       text=True, check=False)
        with engine.connect() as conn:
            after_b = conn.execute(select(func.count()).select_from(outbox.IndexOutbox)
                                   .where(outbox.IndexOutbox.id > b_position)).scalar_one()
            at_or_below_b = conn.execute(select(func.count()).select_from(outbox.IndexOutbox)
                                         .where(outbox.IndexOutbox.id <= b_position)).scalar_one()
        b_needs = behind("node-b")

        # node B comes back
        restarted = time.monotonic()
        node_b.start()
        answering = time.monotonic()
        deadline = answering + 120
        while behind("node-b") and time.monotonic() < deadline:
            time.sleep(0.05)
        caught_up = time.monotonic()
        b_left = behind("node-b")
        check = flask("check-index", env=env_b, check=False, capture_output=True, text=True)
        rebuilt = "rebuilding it from the database" in node_b.log_path.read_text(errors="replace")
        health = get(node_b.url + "/healthz")[1].decode()

    lags.sort()
    p50 = statistics.median(lags) if lags else float("nan")
    worst = max(lags) if lags else float("nan")
    if misses or worst >= LIMIT_SECONDS:
        failures.append(f"visibility: {len(misses)} changes never seen on node B, max {worst:.2f} s")
    if a_behind:
        failures.append(f"node A still {a_behind} rows behind after its drains")
    if after_b != done or b_needs != done:
        failures.append(f"pruning took rows node B needed: {after_b} rows past its position, {b_needs} needed, "
                        f"{done} changes made")
    if at_or_below_b:
        failures.append(f"pruning left {at_or_below_b} rows both nodes were past")
    if b_left or check.returncode != 0 or rebuilt:
        failures.append(f"node B after restart: {b_left} rows behind, check-index exit {check.returncode}, "
                        f"rebuilt={rebuilt}")
    yardstick.finish()
    ok = not failures
    lines = [
        "# Fault: two web nodes on one PostgreSQL, one search index each",
        "",
        f"Written by `bench/faults/two_nodes.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {note}. "
        + yardstick.line(ratios=False),
        f"Seed catalog ({len(ids)} active offers) in PostgreSQL (private cluster); nodes A and B are gunicorn with 2 "
        "workers each, their own `SEARCH_INDEX_DIR` and `NODE_NAME`, polling the outbox every 0.5 s.",
        "",
        f"**Visibility.** {args.changes} changes (a new title word and a 1% re-price of one offer), each committed "
        "through the app's ORM write path by a separate process with node A's environment (its index, its name), "
        "as a save on node A; the clock runs from the commit until node B's `/api/v1/offers?q=<word>` returns the "
        f"offer at the new price: p50 **{p50:.2f} s**, max **{worst:.2f} s** (limit {LIMIT_SECONDS:g} s); "
        f"never seen: {len(misses)}.",
        "",
        f"**Outbox with node B stopped.** {done:,} changes (re-prices, 100 offers a commit) in {write_seconds:.1f} s; "
        f"node A applied them (rows it is still behind: {a_behind}). Node A's pruning with no keep age "
        f"(`flask outbox --prune`: {(pruned.stdout or pruned.stderr).strip().splitlines()[0] if (pruned.stdout or pruned.stderr).strip() else '–'}): "
        f"rows both nodes were past left: {at_or_below_b}; rows past node B's position kept: {after_b:,} of {done:,} "
        f"(node B needs {b_needs:,}).",
        "",
        f"**Node B restarts** and catches up: {answering - restarted:.1f} s until gunicorn answered, then "
        f"**{caught_up - answering:.1f} s** until it had applied all {b_needs:,} rows (rows left: {b_left}); "
        f"it {'REBUILT its index instead of catching up' if rebuilt else 'caught up from its position (no rebuild)'}. "
        f"`flask check-index` on node B: exit {check.returncode} ({check.stdout.strip().splitlines()[-1] if check.stdout.strip() else check.stderr.strip()[-200:]}).",
        "",
        f"/healthz on node B afterwards: `{health.strip()}`",
        "",
        f"Result: **{'every node current, nothing a stopped node needs pruned' if ok else 'FAILED: ' + '; '.join(failures)}**.",
    ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
