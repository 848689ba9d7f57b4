"""A real `flask worker` process takes the stall's sheet jobs off the queue: SQLite storage, then Redis."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import task_queue
from extensions import db
from offers.stall_models import ImportJob
from tests.stall_support import gbk_sheet

ROOT = Path(__file__).resolve().parent.parent.parent
ROWS = [f"w{i},显卡,4090 单卡 {i},杭州,按量,RTX 4090,1,{1.5 + i / 100:.2f},人民币,元/卡时,5" for i in range(1, 41)]
REDIS_URL = "redis://127.0.0.1:6379/11"  # not db 0: other tests and the dev server use it

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("tmp_uploads")]


def redis_answers() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
        client.close()
    except redis.RedisError:
        return False
    return True


def start_worker(app, **environ) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "UPLOAD_DIR": app.config["UPLOAD_DIR"], "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
           "SEARCH_DRAIN": "off", "PYTHONPATH": str(ROOT), **environ}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker", "--workers", "1"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def use_queue(app, monkeypatch, **config) -> None:
    """Switch the test app from the immediate queue to the one the worker consumes."""
    for key, value in config.items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.setitem(app.extensions, "task_queue", task_queue.binding_for(app))


def wait_done(job_id: int, worker: subprocess.Popen, timeout: float = 90) -> ImportJob:
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        job = db.session.get(ImportJob, job_id)
        if job.status in ("done", "failed"):
            return job
        if worker.poll() is not None:
            pytest.fail(f"the worker exited {worker.returncode}: {worker.stderr.read().decode()[-2000:]}")
        assert time.monotonic() < deadline, f"job {job_id} still {job.status} after {timeout} s"
        time.sleep(0.2)


def upload_preview_and_apply(client, worker) -> None:
    response = client.post("/stall/upload", data={"sheet": (io.BytesIO(gbk_sheet(ROWS)), "价格表.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    # Queued in the request, not run in it: the worker process takes it.
    assert db.session.get(ImportJob, job_id).status in ("queued", "running", "done")
    preview = wait_done(job_id, worker)
    assert (preview.status, preview.summary["created"]) == ("done", len(ROWS)), preview.message
    page = client.get(f"/stall/jobs/{job_id}", follow_redirects=True).text
    assert "w1" in page and "w40" in page  # the preview the worker wrote, shown by this "node"

    applied = client.post(f"/stall/uploads/{preview.upload_id}/apply")
    apply_id = int(applied.headers["Location"].rsplit("/", 1)[1])
    job = wait_done(apply_id, worker)
    assert (job.status, job.summary["landed"], job.summary["created"]) == ("done", True, len(ROWS))
    assert job.worker and job.worker.split(":")[1] == str(worker.pid)  # run by the worker, not this process
    assert client.get(f"/stall/jobs/{apply_id}.json").json["status"] == "done"


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    worker.stderr.close()


def test_a_worker_on_the_sqlite_queue_previews_and_applies_an_upload(app, client, acme_member, tmp_path,
                                                                     monkeypatch):
    queue_file = str(tmp_path / "task-queue.db")
    use_queue(app, monkeypatch, TASK_QUEUE="sqlite", TASK_QUEUE_FILE=queue_file)
    worker = start_worker(app, TASK_QUEUE="sqlite", TASK_QUEUE_FILE=queue_file)
    try:
        upload_preview_and_apply(client, worker)
    finally:
        stop(worker)
    assert app.extensions["task_queue"].storage.queue_size() == 0  # every message taken, none left behind


@pytest.mark.skipif(not redis_answers(), reason=f"Redis does not answer at {REDIS_URL} (scripts/services.sh starts it)")
def test_a_worker_on_the_redis_queue_previews_and_applies_an_upload(app, client, acme_member, monkeypatch):
    use_queue(app, monkeypatch, TASK_QUEUE="redis", REDIS_URL=REDIS_URL)
    app.extensions["task_queue"].storage.flush_all()  # messages left by an earlier, interrupted run
    worker = start_worker(app, TASK_QUEUE="redis", REDIS_URL=REDIS_URL)
    try:
        upload_preview_and_apply(client, worker)
    finally:
        stop(worker)
