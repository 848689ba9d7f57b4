"""The task queue: each app's own storage, tasks in an app context of their own, the worker command's refusal."""

import threading

import pytest

import task_queue
from app import create_app
from tests.app_support import TEST_CONFIG

ran: list[str] = []


@task_queue.task()
def note_the_app(tag: str) -> None:
    from flask import current_app

    ran.append(f"{tag}:{current_app.config['TASK_QUEUE']}")


def test_an_immediate_app_runs_the_task_at_once_and_a_sqlite_app_leaves_it_for_a_worker(app, tmp_path):
    ran.clear()
    note_the_app("here")
    assert ran == ["here:immediate"]

    other = create_app({**TEST_CONFIG, "TASK_QUEUE": "sqlite", "TASK_QUEUE_FILE": str(tmp_path / "q.db"),
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.db'}",
                        "SEARCH_INDEX_DIR": str(tmp_path / "index")})
    with other.app_context():
        note_the_app("queued")
        assert other.extensions["task_queue"].storage.queue_size() == 1
    assert ran == ["here:immediate"]  # waiting for a worker, and this app's queue is still immediate
    note_the_app("again")
    assert ran == ["here:immediate", "again:immediate"]

    # What a worker thread does: no app context, the bound app's queue, a context pushed for the task.
    def worker_thread() -> None:
        task_queue.queue.execute(task_queue.queue.dequeue())

    task_queue.queue.bind(other)
    try:
        thread = threading.Thread(target=worker_thread)
        thread.start()
        thread.join(timeout=30)
    finally:
        task_queue.queue.bind(app)
    assert ran[-1] == "queued:sqlite"


def test_the_worker_command_refuses_the_immediate_queue(app):
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code == 2 and "TASK_QUEUE=immediate" in result.output


def test_the_periodic_tasks_are_registered_for_the_worker(app):
    from datetime import datetime

    periodic = {t.name: t for t in task_queue.queue._registry.periodic_tasks}
    assert {"requeue_stalled_jobs_task", "clean_uploads_task", "sweep_orders_task",
            "expire_idempotency_records_task"} <= {name.rsplit(".", 1)[-1] for name in periodic}
    every_minute = next(t for n, t in periodic.items() if n.endswith("requeue_stalled_jobs_task"))
    assert every_minute.validate_datetime(datetime(2026, 12, 3, 13, 41))
    # Orders whose Stripe session lapsed without a webhook give their hours back within 5 minutes.
    sweep = next(t for n, t in periodic.items() if n.endswith("sweep_orders_task"))
    assert sweep.validate_datetime(datetime(2026, 12, 3, 13, 45))
    assert not sweep.validate_datetime(datetime(2026, 12, 3, 13, 41))


@pytest.mark.parametrize("kind", task_queue.QUEUES)
def test_each_queue_kind_is_a_binding(app, kind, monkeypatch):
    monkeypatch.setitem(app.config, "TASK_QUEUE", kind)
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/11")
    binding = task_queue.binding_for(app)
    assert binding.immediate == (kind == "immediate") and binding.app is app
