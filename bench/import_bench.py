"""Measure `import-sheet` on a 50,000-row sheet: rows per second and peak memory, SQLite and PostgreSQL.

Usage: .venv/bin/python bench/import_bench.py [--rows 50000] [--pg URL]
Writes bench/results/import.md. Each run is a fresh `flask import-sheet` process on an
empty database: first import (all created), re-import (all unchanged), re-priced (all updated).
"""

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.yardstick import Yardstick  # noqa: E402

FLASK = [sys.executable, "-m", "flask", "--app", "app"]
GPUS = ["RTX 4090", "A100 80G", "H100 SXM", "H20", "L40S", "昇腾910B", "A10", "T4", "V100 32GB", "RTX 3090"]
REGIONS = ["杭州", "cn-beijing", "华东2（上海）", "深圳", "贵阳", "乌兰察布", "ap-guangzhou", "us-east-1", "成都", "张家口"]
MODELS = ["deepseek-chat", "qwen-max", "glm-4-plus", "gpt-4o", "kimi-k2", "doubao-seed-1.6"]


def make_sheet(path: Path, rows: int, bump: str = "0") -> None:
    rnd = random.Random(42)
    header = ["sku", "kind", "title", "region", "billing", "gpu_model", "gpu_count", "vcpus", "ram_gb", "model",
              "price", "input_price", "output_price", "currency", "price_unit", "stock"]
    with path.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for i in range(rows):
            kind = rnd.choices(["gpu", "cpu", "token"], [6, 3, 1])[0]
            row = {"sku": f"sku-{i:06d}", "kind": kind, "region": rnd.choice(REGIONS),
                   "billing": rnd.choice(["按量", "包月", "竞价", "包年"]), "currency": "CNY", "stock": rnd.randint(0, 50)}
            if kind == "gpu":
                n = rnd.choice([1, 2, 4, 8])
                row.update(title=f"{n}卡 {rnd.choice(GPUS)} 云主机 #{i}", gpu_model=rnd.choice(GPUS), gpu_count=n,
                           price=f"{rnd.uniform(1, 30) * n:.2f}{bump}", price_unit="元/小时")
            elif kind == "cpu":
                v = rnd.choice([2, 4, 8, 16, 32])
                row.update(title=f"通用型 {v}核", vcpus=v, ram_gb=v * 4, price=f"{0.07 * v:.3f}{bump}",
                           price_unit="元/小时")
            else:
                row.update(title=f"模型 API #{i}", model=rnd.choice(MODELS), input_price=f"{rnd.uniform(0.5, 8):.2f}",
                           output_price=f"{rnd.uniform(2, 30):.2f}{bump}", price_unit="元/百万tokens", region="",
                           billing="按量")
            writer.writerow([row.get(h, "") for h in header])


def run_import(env: dict, sheet: Path) -> tuple[float, dict, int]:
    cmd = ["/usr/bin/time", "-f", "%M", *FLASK, "import-sheet", str(sheet), "--vendor", "bench"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"import failed: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
    peak_kb = int(proc.stderr.strip().splitlines()[-1])
    return elapsed, json.loads(proc.stdout.strip().splitlines()[-1]), peak_kb


def bench(label: str, env: dict, rows: int, tmp: Path) -> list[tuple]:
    subprocess.run([*FLASK, "init-db"], cwd=ROOT, env=env, check=True, capture_output=True)
    first, repriced = tmp / "sheet.csv", tmp / "sheet-repriced.csv"
    make_sheet(first, rows)
    make_sheet(repriced, rows, bump="1")
    lines = []
    for name, sheet, expect in (("first import", first, "created"), ("re-import", first, "unchanged"),
                                ("re-priced", repriced, "updated")):
        elapsed, summary, peak_kb = run_import(env, sheet)
        assert summary[expect] > 0, summary
        lines.append((label, name, rows, f"{summary[expect]:,} {expect}", elapsed, peak_kb))
        print(lines[-1], flush=True)
    return lines


def table_row(yardstick: Yardstick, label: str, name: str, rows: int, result: str, elapsed: float,
              peak_kb: int) -> str:
    return (f"| {label} | {name} | {rows:,} | {result} | {elapsed:.1f} s | {rows / elapsed:,.0f} | "
            f"{yardstick.in_loop(rows / elapsed):,.0f} | {peak_kb / 1024:.0f} MiB |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test_bench")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "import.md"),
                        help="the result file (a trial run: anywhere but bench/results)")
    args = parser.parse_args()
    yardstick = Yardstick.start()
    runs = []
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}", "SEARCH_INDEX_DIR": str(tmp / "idx")}
        runs += bench("SQLite", env, args.rows, tmp)
        pg_db = args.pg.rsplit("/", 1)[1]
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc",
                        f"DROP DATABASE IF EXISTS {pg_db}"], check=True, capture_output=True)
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc",
                        f"CREATE DATABASE {pg_db}"], check=True, capture_output=True)
        runs += bench("PostgreSQL 15", {**env, "DATABASE_URL": args.pg}, args.rows, tmp)
    yardstick.finish()
    out = ["# Sheet import speed", "",
           f"{args.rows:,}-row GB18030 CSV (60% gpu, 30% cpu, 10% token), `flask import-sheet` in a fresh process, "
           f"wall time including start-up; peak RSS from /usr/bin/time. Machine: {os.cpu_count()} cores. "
           "'rows per loop' = rows/s × the yardstick's seconds: the import rate in rows per yardstick loop.", "",
           yardstick.line(), "",
           "| database | run | rows | result | time | rows/s | rows per loop | peak memory |",
           "|---|---|---|---|---|---|---|---|", *(table_row(yardstick, *r) for r in runs)]
    result = Path(args.out)
    result.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {result}")


if __name__ == "__main__":
    main()
