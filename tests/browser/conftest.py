"""Browser fixtures: the app served on 127.0.0.1 in a thread, and Debian's chromium via Playwright.

Chromium comes from apt (scripts/setup.sh --browser), never from `playwright install`.
Screenshots go to test-artifacts/screenshots/ for a person to look at.
"""

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"


@pytest.fixture()
def live_server(app):
    """The test app (same database as the test) on a free local port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed: run scripts/setup.sh --browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture()
def screenshot(page):
    """Save a full-page screenshot under a name; returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture()
def queue_worker(app, tmp_path, monkeypatch):
    """What `flask worker` does, in this process: a Huey consumer taking the live server's tasks off a SQLite
    queue, so pages show a job queued and running as a vendor sees it (the test app's queue is immediate)."""
    import signal

    import task_queue

    monkeypatch.setitem(app.config, "TASK_QUEUE", "sqlite")
    monkeypatch.setitem(app.config, "TASK_QUEUE_FILE", str(tmp_path / "task-queue.db"))
    monkeypatch.setitem(app.extensions, "task_queue", task_queue.binding_for(app))
    task_queue.queue.bind(app)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = task_queue.queue.create_consumer(workers=1, worker_type="thread", periodic=False)
    consumer.start()
    yield
    consumer.stop(graceful=True)
    for signum, handler in handlers.items():  # the consumer set its own; pytest's Ctrl-C should work again
        signal.signal(signum, handler)
