"""Fault: two web nodes on one PostgreSQL, each with its own search index fed from the outbox.

    .venv/bin/python bench/faults/two_nodes.py [--changes 50] [--outbox-changes 10000]

Starts two gunicorn nodes (A and B: their own SEARCH_INDEX_DIR and NODE_NAME) and two task-queue
workers (`flask worker` on Redis, SEARCH_DRAIN=off, one of them without the periodic tasks) on the
seed catalog in the private PostgreSQL cluster (bench/services.py); nodes and workers share one UPLOAD_DIR.

1. Visibility: `--changes` times, a process with node A's environment (its index, its name)
   gives one offer a new title word and a new price through the app's ORM write path and
   commits — what a save on node A does; node A's own index is drained by that process after
   the commit. The clock runs from the commit until node B's JSON API finds the offer by that
   word with the new price (node B learns of it only through the outbox), and until node B's offer
   page shows the new title and price. p50 / max of each; max < 2 s.
2. Sheet across nodes: a vendor member logs in over HTTP on node A and uploads a `--sheet-rows`
   sheet at the stall; a worker previews it, and the job's status JSON polled on node B must show
   the rows done rising while it runs, then done. The member applies it through node A; node B's
   status JSON follows the apply to done, and the vendor then has the sheet's offers and one
   landed import run.
3. Outbox: node B is stopped; `--outbox-changes` changes are committed the same way (re-prices
   in batches of 100), node A applies them, and node A's pruning runs with no keep age
   (`flask outbox --prune`, OUTBOX_KEEP_SECONDS=0): it must delete the rows both nodes are past
   (below both floors: a node keeps the rows above a gap of rolled-back ids while it waits the
   gap out, and the sheet preview's trial apply leaves one) and none that node B still needs. Node B restarts; the time until it has applied every row
   is its catch-up. Then `flask check-index` on node B must find its index equal to the database,
   and its log must show it caught up rather than rebuilt.

Writes bench/results/faults-two-nodes.md.
"""

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.faults.import_kill import write_sheet  # noqa: E402
from bench.services import PYTHON, Gunicorn, app_env, ensure_postgres, flask, get, machine_note  # noqa: E402
from bench.stall_client import StallClient  # noqa: E402
from bench.yardstick import Yardstick  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DATABASE = os.environ.get("BENCH_NODES_DB", "market_nodes")
LIMIT_SECONDS = 2.0
REDIS = os.environ.get("BENCH_NODES_REDIS_URL", "redis://127.0.0.1:6379/13")  # its own: the queue is flushed
PASSWORD = "two nodes, one sheet"


def node_env(base: dict, name: str, index_root: Path) -> dict:
    return {**base, "NODE_NAME": name, "SEARCH_INDEX_DIR": str(index_root / name)}


def seen_on(node: Gunicorn, offer_id: int, word: str, price: Decimal, texts: tuple[str, ...],
            deadline: float) -> tuple[float | None, float | None]:
    """Poll node's search API and offer page in turn until a search for `word` gives the offer at
    `price` and the page shows every one of `texts`; the moment each did (None: not by the deadline)."""
    found, shown = None, None
    while time.monotonic() < deadline and (found is None or shown is None):
        if found is None:
            status, body = get(f"{node.url}/api/v1/offers?q={word}&per_page=5", timeout=5)
            if status == 200 and any(i["id"] == offer_id and Decimal(i["unit_price"]) == price
                                     for i in json.loads(body)["items"]):
                found = time.monotonic()
        if shown is None:
            status, body = get(f"{node.url}/offers/{offer_id}", timeout=5)
            if status == 200 and all(t in body.decode("utf-8", "replace") for t in texts):
                shown = time.monotonic()
        time.sleep(0.05)
    return found, shown


def start_workers(env: dict, logs: Path) -> list[subprocess.Popen]:
    """Two `flask worker` processes; only the first enqueues the periodic tasks (one scheduler is enough)."""
    procs = []
    for n, periodic in ((1, "--periodic"), (2, "--no-periodic")):
        log = (logs / f"worker{n}.log").open("ab")
        procs.append(subprocess.Popen([PYTHON, "-m", "flask", "--app", "app", "worker", "--workers", "1", periodic],
                                      cwd=ROOT, env={**env, "NODE_NAME": f"worker{n}", "PGAPPNAME": f"worker{n}"},
                                      stdout=log, stderr=log, start_new_session=True))
        log.close()
    return procs


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def follow(client: StallClient, node: Gunicorn, job_id: int, timeout: float) -> tuple[dict, list[int], float]:
    """Poll the job's status JSON on `node` until it ends: its last state, the rows-done figures
    seen while it ran (in order, each change once), and the seconds it took."""
    started = time.monotonic()
    seen: list[int] = []
    while True:
        job = client.job(node.url, job_id)
        if job["status"] == "running" and job["processed"] and (not seen or seen[-1] != job["processed"]):
            seen.append(job["processed"])
        if job["status"] in ("done", "failed") or time.monotonic() - started > timeout:
            return job, seen, time.monotonic() - started
        time.sleep(0.1)


def moving(seen: list[int]) -> bool:
    return len(seen) >= 2 and all(a < b for a, b in zip(seen, seen[1:], strict=False))


def sheet_across_nodes(app, node_a: Gunicorn, node_b: Gunicorn, rows: int, slug: str) -> dict:
    """A member uploads and applies a sheet through node A; node B's status JSON follows each job."""
    from sqlalchemy import func, select

    from accounts.models import User, VendorMember
    from accounts.passwords import hash_password
    from catalog.models import ImportRun, Offer, Vendor
    from extensions import db

    email = f"{slug}@example.com"
    vendor = Vendor(slug=slug, name_en=slug, name_zh=slug)
    user = User(email=email, password_hash=hash_password(PASSWORD), display_name=slug)
    db.session.add_all([vendor, user])
    db.session.flush()
    db.session.add(VendorMember(user_id=user.id, vendor_id=vendor.id))
    db.session.commit()
    vendor_id = vendor.id
    sheet = write_sheet(rows)
    client = StallClient()
    client.log_in(node_a.url, email, PASSWORD)
    preview_id = client.upload(node_a.url, sheet)
    preview, preview_seen, preview_s = follow(client, node_b, preview_id, 300)
    found = {"rows": rows, "preview_job": preview_id, "preview": preview, "preview_seen": preview_seen,
             "preview_s": preview_s, "apply": None, "apply_seen": [], "apply_s": 0.0}
    if preview["status"] == "done":
        upload_id = preview["next"].rstrip("/").split("/")[-2]
        apply_id = client.apply(node_a.url, upload_id)
        found["apply"], found["apply_seen"], found["apply_s"] = follow(client, node_b, apply_id, 300)
    db.session.expire_all()
    found["offers"] = db.session.scalar(select(func.count()).select_from(Offer).where(Offer.vendor_id == vendor_id))
    found["runs"] = db.session.scalar(select(func.count()).select_from(ImportRun).where(ImportRun.vendor_id == vendor_id))
    found["landed"] = db.session.scalar(select(func.count()).select_from(ImportRun)
                                        .where(ImportRun.vendor_id == vendor_id, ImportRun.landed))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--outbox-changes", type=int, default=10_000)
    parser.add_argument("--sheet-rows", type=int, default=5000, help="rows of the sheet uploaded through node A")
    parser.add_argument("--ports", default="8111,8112")
    parser.add_argument("--out", default=str(RESULTS / "faults-two-nodes.md"))
    args = parser.parse_args()
    port_a, port_b = (int(p) for p in args.ports.split(","))

    began = time.monotonic()
    phases: dict[str, float] = {}
    ensure_postgres(DATABASE, fresh=True)
    index_root = Path(app_env()["SEARCH_INDEX_DIR"]).with_name("two-nodes")
    work = Path(tempfile.mkdtemp(prefix="market-two-nodes-"))
    # Nodes and workers share the queue (Redis) and the staged sheets (UPLOAD_DIR), as in production.
    base = app_env(DATABASE, REDIS_URL=REDIS, TASK_QUEUE="redis", UPLOAD_DIR=str(work / "uploads"),
                   UPLOAD_MAX_ROWS=str(args.sheet_rows + 10))
    env_a, env_b = node_env(base, "node-a", index_root), node_env(base, "node-b", index_root)
    env_worker = {**base, "SEARCH_DRAIN": "off", "SEARCH_INDEX_DIR": str(work / "worker-index")}
    shutil.rmtree(index_root, ignore_errors=True)
    flask("init-db", env=env_a, stdout=subprocess.DEVNULL)
    flask("seed", env=env_a, stdout=subprocess.DEVNULL)
    # Both indexes at once: each is its own process and folder (half the boot on a 2-core machine).
    reindex = [subprocess.Popen([PYTHON, "-m", "flask", "--app", "app", "reindex"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for env in (env_a, env_b)]
    if any(proc.wait() for proc in reindex):
        raise SystemExit("flask reindex failed")
    note = machine_note()
    yardstick = Yardstick.start()

    # This process writes as node A: its commits drain into node A's index, as a request on A would.
    os.environ.update({k: v for k, v in env_a.items() if k in ("DATABASE_URL", "SEARCH_INDEX_DIR", "NODE_NAME",
                                                                "REDIS_URL", "SECRET_KEY", "TASK_QUEUE",
                                                                "UPLOAD_DIR", "UPLOAD_MAX_ROWS")})
    from sqlalchemy import func, select, update

    from app import create_app
    from catalog import outbox
    from catalog.models import Offer
    from extensions import db
    from pricing import display

    app = create_app({"SECRET_KEY": env_a["SECRET_KEY"]})
    with app.app_context():
        app.extensions["task_queue"].storage.flush_all()  # messages of an earlier, interrupted run
    rng = random.Random(19)
    node_a = Gunicorn(env_a, port=port_a, workers=2, log=Path(f"/tmp/market-two-nodes-a-{port_a}.log"))
    node_b = Gunicorn(env_b, port=port_b, workers=2, log=Path(f"/tmp/market-two-nodes-b-{port_b}.log"))
    lags, page_lags, misses = [], [], []
    failures = []
    phases["setup"] = time.monotonic() - began
    with app.app_context(), ExitStack() as stack:
        stack.callback(node_b.stop)
        stack.callback(node_a.stop)
        workers = start_workers(env_worker, work)
        stack.callback(stop_workers, workers)
        # Both nodes boot at once (and the workers beside them): a third of the run was waiting on boots.
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(Gunicorn.start, (node_a, node_b)))
        phases["nodes up"] = time.monotonic() - began - phases["setup"]
        mark = time.monotonic()
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
            seen, shown = seen_on(node_b, offer_id, word, price, (word, display.cny(price)), committed + 10)
            if seen is None or shown is None:
                misses.append(offer_id)
                if len(misses) >= 3:
                    break
            else:
                lags.append(seen - committed)
                page_lags.append(shown - committed)
        phases["visibility"] = time.monotonic() - mark

        # 2. a sheet uploaded through node A, previewed and applied by a worker, followed on node B
        mark = time.monotonic()
        sheet = sheet_across_nodes(app, node_a, node_b, args.sheet_rows, f"two-nodes-{datetime.now(UTC):%H%M%S}")
        stop_workers(workers)
        phases["sheet"] = time.monotonic() - mark
        mark = time.monotonic()

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
            # A consumer's floor is below its position while it waits out a gap (ids a rolled-back
            # transaction took, e.g. the sheet preview's trial apply): rows past the floor must stay.
            floor = min(outbox.read_position(conn, name).floor() for name in ("node-a", "node-b"))
            at_or_below_b = conn.execute(select(func.count()).select_from(outbox.IndexOutbox)
                                         .where(outbox.IndexOutbox.id <= floor)).scalar_one()
            held = conn.execute(select(func.count()).select_from(outbox.IndexOutbox)
                                .where(outbox.IndexOutbox.id > floor, outbox.IndexOutbox.id <= b_position)).scalar_one()
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
        phases["outbox and catch-up"] = time.monotonic() - mark

    phases["total"] = time.monotonic() - began
    p50 = statistics.median(lags) if lags else float("nan")
    worst = max(lags) if lags else float("nan")
    page_p50 = statistics.median(page_lags) if page_lags else float("nan")
    page_worst = max(page_lags) if page_lags else float("nan")
    if misses or not lags or max(worst, page_worst) >= LIMIT_SECONDS:
        failures.append(f"visibility: {len(misses)} changes never seen on node B, max {worst:.2f} s (search), "
                        f"{page_worst:.2f} s (offer page)")
    preview, applied = sheet["preview"], sheet["apply"]
    if preview["status"] != "done" or not moving(sheet["preview_seen"]):
        failures.append(f"sheet preview followed on node B: {preview['status']}, rows done seen {sheet['preview_seen']}")
    if (applied is None or applied["status"] != "done" or sheet["offers"] != args.sheet_rows
            or sheet["runs"] != 1 or sheet["landed"] != 1):
        failures.append(f"sheet apply: {applied and applied['status']}, {sheet['offers']} offers of "
                        f"{args.sheet_rows}, {sheet['runs']} import runs ({sheet['landed']} landed)")
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
        f"never seen: {len(misses)}. Until node B's offer page `/offers/<id>` shows the new title and price: "
        f"p50 **{page_p50:.2f} s**, max **{page_worst:.2f} s**.",
        "",
        f"**Sheet across nodes.** Two `flask worker` processes (Huey on Redis, one thread each, one of them "
        f"`--no-periodic`, `SEARCH_DRAIN=off`). A vendor member logged in over HTTP on node A uploads a "
        f"{args.sheet_rows:,}-row CSV at the stall; node B's `/stall/jobs/<id>.json` polled every 0.1 s: the "
        f"preview was {preview['status']} after {sheet['preview_s']:.1f} s, rows done seen rising while it ran: "
        f"{', '.join(f'{n:,}' for n in sheet['preview_seen']) or 'none'} (of {preview['total']:,}). "
        f"Applied through node A: {applied['status'] if applied else 'not started'} after {sheet['apply_s']:.1f} s "
        f"on node B's status (rows done seen: {', '.join(f'{n:,}' for n in sheet['apply_seen']) or 'none'}); "
        f"the vendor has {sheet['offers']:,} offers and {sheet['runs']} import run ({sheet['landed']} landed).",
        "",
        f"**Outbox with node B stopped.** {done:,} changes (re-prices, 100 offers a commit) in {write_seconds:.1f} s; "
        f"node A applied them (rows it is still behind: {a_behind}). Node A's pruning with no keep age "
        f"(`flask outbox --prune`: {(pruned.stdout or pruned.stderr).strip().splitlines()[0] if (pruned.stdout or pruned.stderr).strip() else '–'}): "
        f"rows both nodes were past left: {at_or_below_b} (kept while a gap below them is waited out: {held:,}); rows past node B's position kept: {after_b:,} of {done:,} "
        f"(node B needs {b_needs:,}).",
        "",
        f"**Node B restarts** and catches up: {answering - restarted:.1f} s until gunicorn answered, then "
        f"**{caught_up - answering:.1f} s** until it had applied all {b_needs:,} rows (rows left: {b_left}); "
        f"it {'REBUILT its index instead of catching up' if rebuilt else 'caught up from its position (no rebuild)'}. "
        f"`flask check-index` on node B: exit {check.returncode} ({check.stdout.strip().splitlines()[-1] if check.stdout.strip() else check.stderr.strip()[-200:]}).",
        "",
        f"/healthz on node B afterwards: `{health.strip()}`",
        "",
        "Time of the run: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in phases.items()) + ".",
        "",
        f"Result: **{'every node current, nothing a stopped node needs pruned' if ok else 'FAILED: ' + '; '.join(failures)}**.",
    ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
