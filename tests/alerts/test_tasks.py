"""On a real queue, a commit that changes offers queues the alerts' check, and a worker running it notifies."""

import threading
from decimal import Decimal

import task_queue
from app import create_app
from extensions import db
from tests.alerts.support import make_alert, notifications
from tests.app_support import TEST_CONFIG
from tests.catalog import factories


def test_the_check_runs_every_minute_in_the_worker(app):
    from datetime import datetime

    periodic = {t.name.rsplit(".", 1)[-1]: t for t in task_queue.queue._registry.periodic_tasks}
    assert periodic["check_alerts_every_minute"].validate_datetime(datetime(2026, 12, 3, 13, 41))


def test_an_offer_commit_queues_the_check_and_the_worker_notifies(app, tmp_path):
    other = create_app({**TEST_CONFIG, "TASK_QUEUE": "sqlite", "TASK_QUEUE_FILE": str(tmp_path / "q.db"),
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.db'}",
                        "SEARCH_INDEX_DIR": str(tmp_path / "index")})
    with other.app_context():
        db.create_all()
        offer = factories.gpu_offer("3.00")
        db.session.commit()
        alert = make_alert(threshold="2.00")
        storage = other.extensions["task_queue"].storage
        storage.flush_queue()
        offer.unit_price = Decimal("1.95")  # an ORM edit: the writer calls nothing
        db.session.commit()
        assert storage.queue_size() == 1
        assert notifications(alert.id) == 0

        def worker_thread() -> None:
            task_queue.queue.execute(task_queue.queue.dequeue())

        task_queue.queue.bind(other)
        try:
            thread = threading.Thread(target=worker_thread)
            thread.start()
            thread.join(timeout=30)
        finally:
            task_queue.queue.bind(app)
        db.session.expire_all()
        assert notifications(alert.id) == 1
        db.session.remove()
        db.engine.dispose()
