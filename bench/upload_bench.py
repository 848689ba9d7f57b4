"""Time the upload preview and apply of a 50,000-row sheet, through the same job code the stall runs.

    .venv/bin/python bench/upload_bench.py                 # SQLite (temp file)
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test_vendor .venv/bin/python bench/upload_bench.py

Writes (appends a section per database to) bench/results/upload.md. The database's tables are
dropped and created: never point it at a database you care about.
"""

import argparse
import io
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.yardstick import Yardstick  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", 50_000))
RESULTS = ROOT / "bench" / "results" / "upload.md"
GPUS = ["RTX 4090", "A100 80GB", "H100", "L40S", "A10", "910B"]
REGIONS = ["cn-hangzhou", "cn-beijing", "cn-shanghai", "cn-shenzhen", "cn-guizhou"]


def sheet(rows: int, price_bump: float = 0.0) -> bytes:
    """A standard sheet, GB18030-encoded with Chinese headers: gpu, cpu and token rows."""
    out = io.StringIO()
    out.write("编号,类型,标题,地域,计费方式,型号,卡数,CPU核数,模型,单价,输入单价,输出单价,币种,计费单位,库存\n")
    for i in range(rows):
        kind = ("gpu", "gpu", "cpu", "token")[i % 4]
        region = REGIONS[i % len(REGIONS)]
        if kind == "gpu":
            price = 1.5 + (i % 97) / 10 + price_bump
            out.write(f"s{i},gpu,GPU {i},{region},按量,{GPUS[i % len(GPUS)]},{1 + i % 8},,,{price * (1 + i % 8):.2f},,,CNY,元/小时,{i % 50}\n")
        elif kind == "cpu":
            out.write(f"s{i},cpu,CPU {i},{region},包月,,,{2 ** (1 + i % 6)},,{30 + i % 400 + price_bump:.2f},,,CNY,元/月,\n")
        else:
            out.write(f"s{i},token,Tok {i},{region},按量,,,,deepseek-v3,,{2 + price_bump:.2f},{8 + i % 5}.00,CNY,元/百万tokens,\n")
    return out.getvalue().encode("gb18030")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(RESULTS), help="the result file to append to (a trial run: anywhere "
                        "but bench/results)")
    results = Path(parser.parse_args().out)
    yardstick = Yardstick.start()
    from app import create_app
    from extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": str(workdir / "uploads"),
                      "TASK_QUEUE": "immediate", "UPLOAD_MAX_ROWS": ROWS + 10})
    with app.app_context():
        db.drop_all()
        db.create_all()
        from accounts.models import User, VendorMember
        from catalog.context import SEED_FX, save_fx
        from catalog.models import Vendor
        from offers import import_jobs, upload_session
        from offers.mapping_memory import proposal
        from offers.stall_models import ImportJob
        from offers.tasks import run_import_job
        from pricing.currency import FxTable

        save_fx(db.session, FxTable.load(SEED_FX))
        vendor = Vendor(slug="bench", name_en="Bench")
        user = User(email="bench@example.com", password_hash="x")
        db.session.add_all([vendor, user])
        db.session.flush()
        db.session.add(VendorMember(user_id=user.id, vendor_id=vendor.id))
        db.session.commit()
        vendor_id, user_id = vendor.id, user.id

        def stage(data: bytes):
            staged = upload_session.stage_upload(app.config["UPLOAD_DIR"], io.BytesIO(data), "bench.csv",
                                                 vendor_id, user_id, upload_session.UploadLimits(ROWS + 10))
            staged.mapping = proposal(staged.header, None)[0]
            db.session.add(staged)
            db.session.commit()
            return staged

        def timed(staged, action: str, **options) -> tuple[float, dict]:
            job = import_jobs.create_job(staged, user_id, action, **options)
            db.session.commit()
            started = time.perf_counter()
            run_import_job(job.id)  # immediate: in this thread, in its own app context
            elapsed = time.perf_counter() - started
            db.session.expire_all()  # the job ran in its own app context and session
            job = db.session.get(ImportJob, job.id)
            assert job.status == "done", job.message
            return elapsed, job.summary

        lines = []
        for label, data in (("first upload (all new)", sheet(ROWS)),
                            ("re-upload, every price changed", sheet(ROWS, price_bump=0.1))):
            t0 = time.perf_counter()
            staged = stage(data)
            stage_s = time.perf_counter() - t0
            preview_s, _ = timed(staged, "preview")
            apply_s, summary = timed(staged, "apply")
            lines.append((label, len(data), stage_s, preview_s, apply_s,
                          f"{summary['created']} new, {summary['updated']} changed, {summary['rejected']} rejected"))
            print(lines[-1], flush=True)
        dialect = db.engine.dialect.name
        db.session.remove()
        db.drop_all()
    yardstick.finish()
    header = "" if results.exists() else (
        "# Upload preview and apply of a 50,000-row sheet\n\n"
        "`bench/upload_bench.py`: a GB18030 CSV with Chinese headers (gpu / cpu / token rows), staged, previewed\n"
        "(dry run, every row classified, preview.json written) and applied (one transaction, price history) by\n"
        "the same job code the stall runs in its thread (here inline, timed end to end). Stage = save the file\n"
        "and read its header. Times are wall clock on one run.\n")
    section = (f"\n## {dialect}, {ROWS} rows, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
               f"{os.cpu_count()} CPUs\n\n{yardstick.line()} 'in loops' = the time over the loop's mean.\n\n"
               "| run | file | stage | preview | apply | preview in loops | apply in loops | result |\n"
               "| --- | --- | --- | --- | --- | --- | --- | --- |\n"
               + "\n".join(f"| {label} | {size / 1e6:.1f} MB | {stage_s:.2f} s | {preview_s:.1f} s | {apply_s:.1f} s | "
                           f"{yardstick.per_loop(preview_s):.1f} | {yardstick.per_loop(apply_s):.1f} | {result} |"
                           for label, size, stage_s, preview_s, apply_s, result in lines) + "\n")
    with results.open("a", encoding="utf-8") as out:
        out.write(header + section)


if __name__ == "__main__":
    main()
