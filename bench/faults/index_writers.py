"""Fault: several worker processes writing the search index at once. The index must end up equal to the database.

    .venv/bin/python bench/faults/index_writers.py [--writers 3] [--edits 40]

In production each gunicorn worker drains the index outbox after its own commits, so
several processes may write the one Whoosh index at the same moment; Whoosh's file lock
makes them queue (docs/production.md, "One index writer"). This starts `--writers`
processes on the seed catalog in the private PostgreSQL cluster, each committing `--edits`
changes to random offers through the app's ORM (new titles, new prices, a few delistings)
as fast as it can, with the default background drain — the way workers do. When all have
finished and drained, `flask check-index` must find no offer whose indexed terms differ
from the database, and every new title must be found by a search for its unique word.
Writes bench/results/faults-index-writers.md.
"""

import argparse
import json
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.services import PYTHON, app_env, ensure_postgres, flask, machine_note  # noqa: E402
from bench.yardstick import Yardstick  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DATABASE = "market_writers"


def writer(number: int, edits: int) -> None:
    """One worker-like process: commit `edits` changes, wait for its drains, print what it wrote as JSON."""
    from decimal import Decimal

    from sqlalchemy import select

    from app import create_app
    from catalog.models import Offer
    from extensions import db

    app = create_app()
    rng = random.Random(number)
    written = {}
    with app.app_context():
        ids = db.session.scalars(select(Offer.id).where(Offer.status == "active")).all()
        for i in range(edits):
            offer = db.session.get(Offer, rng.choice(ids))
            word = f"zq{number}x{i}"  # a word no seed offer has, to search for afterwards
            if i % 10 == 9:
                offer.status = "delisted"
            else:
                offer.title = f"{offer.title.split(' zq')[0]} {word}"
                offer.unit_price = (offer.unit_price * Decimal("1.01")).quantize(Decimal("0.000001"))
                written[offer.id] = word
            db.session.commit()
        from catalog.search_service import service_for

        service_for(db.session).drainer.drain()  # what the background drain had not finished yet
    print(json.dumps(written))


def probe() -> None:
    """Print [how many edited offers were checked, the ones their title word does not find]."""
    from sqlalchemy import select

    from app import create_app
    from catalog.models import Offer
    from catalog.offer_query import QUERY_SCHEMA, search_offers
    from catalog.registry import default_registries
    from extensions import db

    app = create_app()
    with app.app_context():
        edited = db.session.execute(select(Offer.id, Offer.title).where(
            Offer.status == "active", Offer.title.like("% zq%"))).all()
        stale = []
        for oid, title in edited:
            word = title.rsplit(" ", 1)[-1]
            page = search_offers(db.session, QUERY_SCHEMA.load({"q": word}), default_registries())
            if oid not in [o.id for o in page.items]:
                stale.append([oid, word])
    print(json.dumps([len(edited), stale]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=3)
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--writer", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(RESULTS / "faults-index-writers.md"))
    args = parser.parse_args()
    if args.writer is not None:
        writer(args.writer, args.edits)
        return
    if args.probe:
        probe()
        return

    ensure_postgres(DATABASE, fresh=True)
    env = app_env(DATABASE, SEARCH_INDEX_DIR=str(Path(app_env()["SEARCH_INDEX_DIR"]).with_name("writers-index")))
    subprocess.run(["rm", "-rf", env["SEARCH_INDEX_DIR"]], check=True)
    flask("init-db", env=env, stdout=subprocess.DEVNULL)
    flask("seed", env=env, stdout=subprocess.DEVNULL)
    flask("reindex", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    note = machine_note()
    yardstick = Yardstick.start()

    started = time.monotonic()
    procs = [subprocess.Popen([PYTHON, __file__, "--writer", str(n), "--edits", str(args.edits)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(args.writers)]
    written, failures = {}, []
    for n, proc in enumerate(procs):
        out, err = proc.communicate(timeout=240)
        if proc.returncode != 0:
            failures.append(f"writer {n} exited {proc.returncode}: {err.strip().splitlines()[-1:]}")
            continue
        written.update({int(k): v for k, v in json.loads(out.strip().splitlines()[-1]).items()})
    seconds = time.monotonic() - started

    check = flask("check-index", env=env, check=False, capture_output=True, text=True)
    # Every active offer whose title now carries a writer's word must be found by that word
    # (the database decides which writer's title won when two edited one offer).
    probed = subprocess.run([PYTHON, __file__, "--probe"], cwd=ROOT, env=env, capture_output=True, text=True,
                           check=True)
    checked, stale = json.loads(probed.stdout.strip().splitlines()[-1])

    ok = not failures and check.returncode == 0 and not stale and checked > 0
    yardstick.finish()
    lines = [
        "# Fault: several processes writing the search index at once",
        "",
        f"Written by `bench/faults/index_writers.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {note}. " + yardstick.line(ratios=False),
        f"Seed catalog in PostgreSQL (private cluster); {args.writers} processes, each committing {args.edits} changes "
        "(title + price, every tenth a delisting) to random offers through the app's ORM with the background drain, "
        f"all at once: {seconds:.1f} s for all of them.",
        "",
        f"- writers that failed: {failures or 'none'}",
        f"- `flask check-index` afterwards: exit {check.returncode} ({(check.stdout or check.stderr).strip()[:200]})",
        f"- edited offers (active, with a writer's word in their title) that a search for that word misses: "
        f"{len(stale)} of {checked}{(': ' + str(stale[:10])) if stale else ''}",
        "",
        f"Result: **{'the index equals the database' if ok else 'FAILED'}**.",
    ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
