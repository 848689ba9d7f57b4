"""The one task queue (Huey): background work runs in `flask worker` processes, not in web threads.

An area declares its work in its own tasks.py with `@task(...)` or `@periodic(crontab(...))`
and calls the task to enqueue it; each run gets a fresh app context (so a session of its
own). Where messages wait follows config (TASK_QUEUE): Redis when REDIS_URL is set, a
SQLite file in the instance folder on the embedded default, or `immediate` (tests and
benchmarks): run at once in the caller's thread. The choice belongs to each app, because
one process may build several (tests), and a queue chosen for one must not leak into
another. Huey removes a message when a worker takes it, so a worker killed mid-task loses
it: a task whose effect must survive that keeps its own lease in the database and a
periodic task that enqueues it again (offers/tasks.py does so for sheet jobs).
"""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.storage import BaseStorage, MemoryStorage, RedisStorage, SqliteStorage

__all__ = ["crontab", "init_app", "periodic", "queue", "task"]
QUEUES = ("redis", "sqlite", "immediate")
log = logging.getLogger(__name__)


@dataclass
class Binding:
    """One app's queue: how tasks run (immediate or not) and where messages wait (made on first use)."""

    app: Flask | None
    immediate: bool
    make_storage: Callable[[], BaseStorage]
    _storage: BaseStorage | None = field(default=None, repr=False)

    @property
    def storage(self) -> BaseStorage:
        if self._storage is None:
            self._storage = self.make_storage()
        return self._storage


class AppQueue(Huey):
    """A Huey whose storage and immediate mode are the current app's (the bound app's in a worker thread)."""

    def __init__(self, name: str) -> None:
        self._default = Binding(None, True, lambda: MemoryStorage(name))
        # Results off: a job's outcome is its own database row, never a value kept in the queue.
        super().__init__(name, results=False, utc=True, immediate=True)

    def binding(self) -> Binding:
        if has_app_context() and (own := current_app.extensions.get("task_queue")) is not None:
            return own
        return self._default

    @property
    def storage(self) -> BaseStorage:
        return self.binding().storage

    @storage.setter
    def storage(self, value: BaseStorage) -> None:  # Huey.__init__ sets it; ours is per app
        pass

    @property
    def _immediate(self) -> bool:
        return self.binding().immediate

    @_immediate.setter
    def _immediate(self, value: bool) -> None:
        pass

    def bind(self, app: Flask) -> None:
        """Serve `app`'s queue to threads without an app context (the consumer's workers and scheduler)."""
        self._default = app.extensions["task_queue"]


queue = AppQueue("market")


def _in_app_context(func: Callable) -> Callable:
    @functools.wraps(func)
    def run(*args, **kwargs):
        binding = queue.binding()
        app = current_app._get_current_object() if has_app_context() else binding.app
        with app.app_context():  # a context (and a database session) of the task's own
            return func(*args, **kwargs)

    return run


def task(**options) -> Callable:
    """Declare a task; calling it enqueues it. Options are Huey's: retries, retry_delay, retry_backoff, …"""
    return lambda func: queue.task(**options)(_in_app_context(func))


def periodic(when: Callable, **options) -> Callable:
    """Declare a task the worker runs on a schedule, e.g. `@periodic(crontab(minute="*/5"))`."""
    return lambda func: queue.periodic_task(when, **options)(_in_app_context(func))


def binding_for(app: Flask) -> Binding:
    config = app.config
    kind = config["TASK_QUEUE"]
    name = config["TASK_QUEUE_NAME"]
    if kind == "redis":
        url = config["REDIS_URL"]
        return Binding(app, False, lambda: RedisStorage(name, url=url, blocking=True, read_timeout=1))
    if kind == "sqlite":
        path = Path(config["TASK_QUEUE_FILE"])
        return Binding(app, False, lambda: SqliteStorage(name, filename=str(path)))
    return Binding(app, True, lambda: MemoryStorage(name))


@click.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Tasks run at once by this process (threads); start more processes to use more cores.")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Also enqueue the periodic tasks when due (each is safe to run twice; one worker is enough).")
def worker_command(workers: int, periodic: bool) -> None:
    """Consume the task queue: run queued tasks and the periodic ones until stopped (SIGINT waits, SIGTERM stops)."""
    app = current_app._get_current_object()
    binding = app.extensions["task_queue"]
    if binding.immediate:
        raise click.UsageError("TASK_QUEUE=immediate runs every task where it is enqueued; there is nothing to consume")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=app.config.get("LOG_LEVEL", "INFO"),
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    queue.bind(app)
    log.info("worker: %s queue, %d threads, tasks %s", app.config["TASK_QUEUE"], workers,
             ", ".join(sorted(queue._registry._registry)))
    queue.create_consumer(workers=workers, worker_type="thread", periodic=periodic).run()


def init_app(app: Flask) -> None:
    app.extensions["task_queue"] = binding_for(app)
    app.cli.add_command(worker_command)
