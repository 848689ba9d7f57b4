"""Load run across two web nodes: the same mix as run_load.py, wrk on each node's port at once.

    .venv/bin/python bench/load/two_nodes_load.py [--offers 100000] [--duration 40] [--connections 16]

Two gunicorn nodes (cores + 1 sync workers each, their own SEARCH_INDEX_DIR and NODE_NAME) on one
PostgreSQL in the private cluster, an offer re-priced every --reprice-every seconds through the
app's write path (so both nodes keep applying the outbox while they serve). First wrk drives
node 1 alone (node 2 idle): the one-node figure. Then one wrk per node at once, each with the
same connections: the two-node figure, its req/s the sum and its p95 each node's. Both from the
same run, same catalog, same paths. Writes bench/out/load-two-nodes.md.
"""

import argparse
import os
import shutil
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.load.run_load import (  # noqa: E402
    MIX,
    TABLE_HEAD,
    Repricer,
    cpu_ticks,
    prepare_catalog,
    probe,
    row,
    sample_paths,
    write_paths,
    wrk,
)
from bench.services import Gunicorn, app_env, ensure_postgres, flask, machine_note  # noqa: E402

OUT = ROOT / "bench" / "out"
DATABASE = "market_two_nodes"


def both_at_once(urls: list[str], paths_file: Path, duration: int, connections: int) -> list[dict]:
    """One wrk per url, started together; each one's result."""
    results: list[dict | None] = [None] * len(urls)

    def run(i: int) -> None:
        results[i] = wrk(urls[i], paths_file, duration, connections)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _ticks(pids: list[int]) -> int:
    """CPU time (clock ticks) used so far by these processes."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def cpu_split(run, nodes: list[Gunicorn]):
    """Run, and say the CPU ms per request of these nodes' gunicorn workers alone, and of the whole machine's
    python and PostgreSQL processes (other people's included: on a shared machine the first is the one to read)."""
    pids = [pid for node in nodes for pid in node.worker_pids()]
    own, machine = _ticks(pids), cpu_ticks()
    results = run()
    own, machine = _ticks(pids) - own, {k: v - machine[k] for k, v in cpu_ticks().items()}
    per_tick = 1000 / os.sysconf("SC_CLK_TCK")
    total = max(1, sum(r["requests"] for r in results))
    return results, {"nodes": own * per_tick / total, **{k: v * per_tick / total for k, v in machine.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=40)
    parser.add_argument("--connections", type=int, default=16, help="per node")
    parser.add_argument("--workers", type=int, default=None, help="per node; default gunicorn.conf.py (cores + 1)")
    parser.add_argument("--reprice-every", type=float, default=5.0, help="as run_load.py")
    parser.add_argument("--ports", default="8121,8122")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--out", default=str(OUT / "load-two-nodes.md"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    ports = [int(p) for p in args.ports.split(",")]

    ensure_postgres(DATABASE)
    index_root = Path(app_env()["SEARCH_INDEX_DIR"]).with_name("two-nodes-load")
    base = app_env(DATABASE)
    envs = [{**base, "NODE_NAME": f"node{n}", "SEARCH_INDEX_DIR": str(index_root / f"node{n}")}
            for n in range(1, len(ports) + 1)]
    prepare_catalog(envs[0], args.offers, args.rebuild)
    for env in envs[1:]:
        if not (Path(env["SEARCH_INDEX_DIR"]) / "current").exists():
            print(f"indexing {env['NODE_NAME']} (flask reindex) …")
            flask("reindex", env=env, stdout=sys.stderr)
    import random

    rng = random.Random(42)
    note = machine_note()
    nodes = [Gunicorn(env, port=port, workers=args.workers, log=Path(f"/tmp/market-two-nodes-load-{port}.log"))
             for env, port in zip(envs, ports, strict=True)]
    for node in nodes:
        node.start()
    try:
        workers = len(nodes[0].worker_pids())
        paths, dropped = probe(nodes[0].url, sample_paths(envs[0], rng))
        mixed = write_paths(paths, dict(MIX), rng)
        print("warming up both nodes …")
        both_at_once([n.url for n in nodes], mixed, 10, args.connections)
        with Repricer(envs[0], args.reprice_every) as repricer:
            print(f"node 1 alone, {args.duration}s …")
            (one,), one_cpu = cpu_split(lambda: [wrk(nodes[0].url, mixed, args.duration, args.connections)],
                                        nodes[:1])
            print(f"both nodes at once, {args.duration}s …")
            both, both_cpu = cpu_split(lambda: both_at_once([n.url for n in nodes], mixed, args.duration,
                                                            args.connections), nodes)
    finally:
        for node in nodes:
            node.stop()
    total_rps = sum(r["rps"] for r in both)
    lines = [
        f"# Load across two web nodes: {args.offers:,}-offer catalog",
        "",
        f"Written by `bench/load/two_nodes_load.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {note}.",
        f"Two gunicorn nodes of {workers} sync workers each (own search index and NODE_NAME, polling the outbox), one "
        f"PostgreSQL, the mix of `run_load.py` ({', '.join(f'{k} {w}' for k, w in MIX if k in paths)}), "
        f"wrk 2 threads × {args.connections} connections per node, all on this one machine. Writes: one offer "
        f"re-priced every {args.reprice_every:g} s through the app's write path ({repricer.changes} changes), "
        "which both nodes apply from the outbox while serving.",
        "",
        TABLE_HEAD.format(first="run"),
        row(f"node 1 alone, {args.duration}s", one),
        *[row(f"both at once: node {i}", r) for i, r in enumerate(both, start=1)],
        "",
        f"- one node: **{one['rps']:.0f} req/s**, p95 {one['p95_us'] / 1000:.1f} ms, {one['errors']} errors",
        f"- both nodes at once: **{total_rps:.0f} req/s** in all (= {total_rps / one['rps']:.2f} × one node), p95 "
        + " / ".join(f"{r['p95_us'] / 1000:.1f}" for r in both) + " ms, "
        + f"{sum(r['errors'] for r in both)} errors",
        f"- CPU per request, ms: the nodes' gunicorn workers alone {one_cpu['nodes']:.1f} (one node) / "
        f"{both_cpu['nodes']:.1f} (both); every python process on the machine {one_cpu['python']:.1f} / "
        f"{both_cpu['python']:.1f}, every PostgreSQL process {one_cpu['postgres']:.1f} / {both_cpu['postgres']:.1f} "
        "(other people's work on this shared machine included)",
        f"- CPU the nodes got: {one['rps'] * one_cpu['nodes'] / 1000:.2f} cores (one node), "
        f"{total_rps * both_cpu['nodes'] / 1000:.2f} cores (both), of {os.cpu_count()}",
    ]
    if dropped:
        lines += ["", "Left out of the mix: " + "; ".join(f"{k}: {v}" for k, v in dropped.items())]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
