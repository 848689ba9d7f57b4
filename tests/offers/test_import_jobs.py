"""Import jobs: a lease in the database, a dead worker's job queued again and landed once, applies of one vendor one at a time."""

import contextlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from catalog.models import ImportRun, Offer
from extensions import db
from offers import import_jobs, sheet_import, tasks
from offers.stall_models import ImportJob, SheetUpload
from tests.stall_support import finish_jobs, gbk_sheet

ROOT = Path(__file__).resolve().parent.parent.parent
ROWS = [f"g{i},显卡,4090 单卡 {i},杭州,按量,RTX 4090,1,{1.5 + i / 100:.2f},人民币,元/卡时,5" for i in range(1, 31)]


pytestmark = pytest.mark.usefixtures("tmp_uploads")


@pytest.fixture()
def acme(acme_member):
    return acme_member


def staged_upload(client, rows=ROWS) -> SheetUpload:
    """Upload a sheet and let its preview finish; the staged upload."""
    response = client.post("/stall/upload", data={"sheet": (io.BytesIO(gbk_sheet(rows)), "价格表.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    finish_jobs()
    return db.session.scalars(select(SheetUpload).order_by(SheetUpload.created_at.desc())).first()


def offers_of(vendor) -> int:
    return db.session.scalar(select(func.count(Offer.id)).where(Offer.vendor_id == vendor.id))


WORKER = """
import pathlib, sys, time
from app import create_app
from offers import import_jobs, sheet_import

uri, uploads, index, job_id, flag = sys.argv[1:]
app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "UPLOAD_DIR": uploads, "SEARCH_INDEX_DIR": index,
                  "IMPORT_JOB_LEASE_SECONDS": 3, "IMPORT_JOB_HEARTBEAT_SECONDS": 0.2})
real = sheet_import._write_chunk

def write_then_hang(*args, **kwargs):
    real(*args, **kwargs)  # rows written inside the open transaction, then the worker is killed
    pathlib.Path(flag).touch()
    time.sleep(600)

sheet_import._write_chunk = write_then_hang
with app.app_context():
    import_jobs.run_job(int(job_id))
"""


def kill_worker_mid_apply(app, client, job_id: int, flag: Path) -> None:
    """Run the job in another process that writes its rows, then hangs inside the open transaction; kill -9 it."""
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, app.config["SQLALCHEMY_DATABASE_URI"], app.config["UPLOAD_DIR"],
         app.config["SEARCH_INDEX_DIR"], str(job_id), str(flag)], cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while not flag.exists():
            assert worker.poll() is None and time.monotonic() < deadline, "the worker never reached its writes"
            time.sleep(0.05)
        assert client.get(f"/stall/jobs/{job_id}.json").json["status"] == "running"
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
        worker.wait()


@pytest.mark.slow
def test_a_killed_workers_job_is_queued_again_and_lands_once_with_one_import_run(app, client, acme, tmp_path):
    _, vendor = acme
    staged = staged_upload(client)
    job = import_jobs.create_job(staged, acme[0].id, "apply")
    db.session.commit()
    kill_worker_mid_apply(app, client, job.id, tmp_path / "writing")
    assert offers_of(vendor) == 0  # the killed worker's transaction rolled back with it

    # The status page notices the lease ran out and queues the job again; here (immediate
    # queue) the next worker is this process, so the page after that shows it done.
    deadline = time.monotonic() + 20
    while (status := client.get(f"/stall/jobs/{job.id}.json").json)["status"] == "running":
        assert time.monotonic() < deadline, "a job whose worker died stayed 'running'"
        time.sleep(0.2)
    assert status["status"] == "done", status
    assert status["summary"]["created"] == len(ROWS) and status["processed"] == len(ROWS)
    assert offers_of(vendor) == len(ROWS)
    db.session.expire_all()
    assert db.session.get(ImportJob, job.id).attempts == 2
    runs = db.session.scalars(select(ImportRun).where(ImportRun.vendor_id == vendor.id)).all()
    assert [(r.landed, r.created) for r in runs] == [(True, len(ROWS))]
    history = client.get("/stall/imports?lang=zh").text
    assert history.count("<tr>") - 1 == 1 and "已导入" in history and "未导入" not in history


@pytest.mark.parametrize(("status", "words"), [("running", "处理任务的进程已停止"), ("queued", "没有处理进程接手")])
def test_a_job_out_of_attempts_fails_with_a_plain_reason_and_a_retry_lands(app, client, acme, status, words):
    _, vendor = acme
    staged = staged_upload(client)
    job = import_jobs.create_job(staged, acme[0].id, "apply")
    job.status, job.attempts = status, app.config["IMPORT_JOB_MAX_ATTEMPTS"]
    job.worker = "gone:1:1" if status == "running" else None
    job.lease_expires_at = import_jobs.utcnow() - timedelta(seconds=1)
    db.session.commit()

    assert tasks.requeue_stalled_jobs() == []
    page = client.get(f"/stall/jobs/{job.id}").text
    assert words in page and "未做任何更改" in page and "重试" in page
    assert client.get(f"/stall/jobs/{job.id}.json").json["status"] == "failed"
    assert offers_of(vendor) == 0
    retried = client.post(f"/stall/jobs/{job.id}/retry")
    new_id = int(retried.headers["Location"].rsplit("/", 1)[1])
    assert client.get(f"/stall/jobs/{new_id}.json").json["status"] == "done"
    assert offers_of(vendor) == len(ROWS)
    history = client.get("/stall/imports?lang=zh").text
    assert history.count("<tr>") - 1 == 2  # the failed run and the one that landed
    assert "未导入" in history and "已导入" in history


def test_a_job_queued_again_under_a_stalled_worker_lands_only_from_the_new_run(app, client, acme, monkeypatch):
    """The old worker wakes after its lease ran out: its transaction is refused, so the sheet lands once."""
    _, vendor = acme
    staged = staged_upload(client)
    job = import_jobs.create_job(staged, acme[0].id, "apply")
    db.session.commit()
    job_id = job.id
    real_schema = sheet_import.sheet_schema
    monkeypatch.setitem(app.config, "IMPORT_JOB_HEARTBEAT_SECONDS", 60)  # no beat renews the lease meanwhile

    class Stalling:
        """The sheet schema; at row 15 the worker "stalls": its lease passes and a node queues the job again."""

        def __init__(self, schema):
            self.schema, self.calls = schema, 0

        def load(self, data, **kwargs):
            self.calls += 1
            if self.calls == 15 and not requeued:
                with db.engine.begin() as conn:
                    conn.execute(ImportJob.__table__.update().where(ImportJob.id == job_id).values(
                        lease_expires_at=import_jobs.utcnow() - timedelta(seconds=1)))
                with app.app_context():
                    requeued.extend(import_jobs.requeue_expired(db.session, 3))
            return self.schema.load(data, **kwargs)

    requeued: list[int] = []
    monkeypatch.setattr(sheet_import, "sheet_schema", lambda context: Stalling(real_schema(context)))
    tasks.run_import_job(job_id)
    assert requeued == [job_id]
    db.session.expire_all()
    assert offers_of(vendor) == 0
    assert db.session.get(ImportJob, job_id).status == "queued"
    assert db.session.scalar(select(func.count(ImportRun.id)).where(ImportRun.vendor_id == vendor.id)) == 0

    tasks.run_import_job(job_id)  # what the requeue enqueued: another worker takes it
    db.session.expire_all()
    assert db.session.get(ImportJob, job_id).status == "done"
    assert offers_of(vendor) == len(ROWS)
    assert db.session.scalar(select(func.count(ImportRun.id)).where(ImportRun.vendor_id == vendor.id)) == 1


def test_a_job_delivered_twice_runs_once(client, acme):
    _, vendor = acme
    staged = staged_upload(client)
    job = import_jobs.create_job(staged, acme[0].id, "apply")
    db.session.commit()
    tasks.run_import_job(job.id)
    tasks.run_import_job(job.id)
    assert db.session.scalar(select(func.count(ImportRun.id)).where(ImportRun.vendor_id == vendor.id)) == 1
    assert offers_of(vendor) == len(ROWS)


def test_a_running_job_renews_its_lease_and_shows_its_progress_in_the_database(app, client, acme, monkeypatch):
    staged = staged_upload(client)
    seen: list[dict] = []
    real_schema = sheet_import.sheet_schema

    class Observed:
        """The sheet schema, pausing at row 15 to read the job row as another web node would."""

        def __init__(self, schema):
            self.schema, self.calls = schema, 0

        def load(self, data, **kwargs):
            self.calls += 1
            if self.calls == 15:
                for _ in range(2):
                    time.sleep(0.35)
                    with db.engine.connect() as conn:
                        seen.append(dict(conn.execute(select(ImportJob.__table__)
                                                      .where(ImportJob.id == job_id)).mappings().one()))
            return self.schema.load(data, **kwargs)

    monkeypatch.setattr(sheet_import, "sheet_schema", lambda context: Observed(real_schema(context)))
    monkeypatch.setitem(app.config, "IMPORT_JOB_HEARTBEAT_SECONDS", 0.1)
    job = import_jobs.create_job(staged, acme[0].id, "apply")
    db.session.commit()
    job_id = job.id
    tasks.run_import_job(job_id)
    first, second = seen
    assert first["status"] == "running" and first["worker"] and first["processed"] == 14
    assert second["lease_expires_at"] > first["lease_expires_at"] > first["created_at"]
    assert client.get(f"/stall/jobs/{job_id}.json").json["status"] == "done"
    assert not hasattr(import_jobs, "_live") and not hasattr(import_jobs, "_threads")


def test_a_retry_is_refused_for_a_job_that_did_not_fail(client, acme):
    staged = staged_upload(client)
    job_id = db.session.scalar(select(ImportJob.id).where(ImportJob.upload_id == staged.id))
    response = client.post(f"/stall/jobs/{job_id}/retry")
    assert response.status_code == 409
    assert "只有失败的任务可以重试" in response.text


def test_two_applies_of_the_same_new_skus_at_once_both_land_and_both_are_in_history(app, client, acme, monkeypatch):
    _, vendor = acme
    first, second = staged_upload(client), staged_upload(client)
    # Hold both jobs at their first write until the other arrives (or 3 s pass): without a
    # per-vendor lock both look up the new SKUs before either commits.
    barrier = threading.Barrier(2)
    real = sheet_import._write_chunk

    def meet(*args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=3)
        return real(*args, **kwargs)

    monkeypatch.setattr(sheet_import, "_write_chunk", meet)
    created = [import_jobs.create_job(staged, acme[0].id, "apply") for staged in (first, second)]
    db.session.commit()
    jobs = [job.id for job in created]

    def worker(job_id: int) -> None:  # two workers, each with its job
        with app.app_context():
            import_jobs.run_job(job_id)

    threads = [threading.Thread(target=worker, args=(job_id,)) for job_id in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = [client.get(f"/stall/jobs/{j}.json").json for j in jobs]
    assert [s["status"] for s in statuses] == ["done", "done"], statuses
    assert sorted((s["summary"]["created"], s["summary"]["unchanged"]) for s in statuses) == [(0, 30), (30, 0)]
    assert offers_of(vendor) == len(ROWS)
    runs = db.session.scalars(select(ImportRun).where(ImportRun.vendor_id == vendor.id)).all()
    assert [r.landed for r in runs] == [True, True]


def test_a_database_error_in_a_job_shows_a_plain_message_and_is_recorded(client, acme, monkeypatch):
    staged = staged_upload(client)

    def clash(*args, **kwargs):
        raise IntegrityError("INSERT INTO offers (vendor_id, sku) VALUES (?, ?)", ("1", "g1"),
                             Exception("UNIQUE constraint failed: offers.vendor_id, offers.sku"))

    monkeypatch.setattr(sheet_import, "_write_chunk", clash)
    response = client.post(f"/stall/uploads/{staged.id}/apply")
    finish_jobs()
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/stall/jobs/{job_id}").text
    assert "[SQL" not in page and "IntegrityError" not in page and "INSERT" not in page
    assert "同一时间" in page and "未做任何更改" in page
    english = client.get(f"/stall/jobs/{job_id}.json?lang=en").json["message"]
    assert "at the same time" in english and "同一" not in english
    history = client.get("/stall/imports?lang=zh").text
    assert "价格表.csv" in history and "未导入" in history


def test_a_claimed_job_is_watched_at_its_lease_end_and_queued_again_if_its_worker_died(app, client, acme):
    import task_queue

    _, vendor = acme
    staged = staged_upload(client)
    storage = app.extensions["task_queue"].storage
    storage.flush_all()
    job = import_jobs.create_job(staged, acme[0].id, "apply")
    db.session.commit()
    tasks.run_import_job(job.id)
    # Its claim scheduled a look at its lease end (a watch outliving the worker); done, the look does nothing.
    (watch,) = [task_queue.queue.deserialize_task(data) for data in storage.scheduled_items()]
    assert watch.name.endswith("watch_import_job") and watch.args == (job.id,)
    tasks.watch_import_job(job.id)  # what that look runs: the job is done, so it schedules no other
    assert storage.schedule_size() == 1
    storage.flush_all()

    # A running job whose lease is still live is looked at again when that lease ends.
    other = import_jobs.create_job(staged, acme[0].id, "apply")
    ends = (import_jobs.utcnow() + timedelta(minutes=5)).replace(microsecond=0)
    other.status, other.worker, other.lease_expires_at = "running", "busy:1:1", ends
    db.session.commit()
    tasks.watch_import_job(other.id)
    (again,) = [task_queue.queue.deserialize_task(data) for data in storage.scheduled_items()]
    assert again.args == (other.id,) and ends < again.eta <= ends + timedelta(seconds=2)
    storage.flush_all()

    # Its worker died: the lease passed unrenewed, so the look queues it again and (immediate queue) it lands.
    db.session.execute(ImportJob.__table__.update().where(ImportJob.id == other.id).values(
        lease_expires_at=import_jobs.utcnow() - timedelta(seconds=1)))
    db.session.commit()
    tasks.watch_import_job(other.id)
    db.session.expire_all()
    assert (db.session.get(ImportJob, other.id).status, db.session.get(ImportJob, other.id).attempts) == ("done", 2)
    assert db.session.scalar(select(func.count(ImportRun.id)).where(ImportRun.vendor_id == vendor.id)) == 2
