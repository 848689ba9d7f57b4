"""With REDIS_URL set, log-in attempts are counted in Redis (so every worker shares one limit).

Runs the app in a child process: the limiter is one object per process and the rest of the
suite uses its memory storage. Skipped when no Redis answers at TEST_REDIS_URL.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")
ROOT = Path(__file__).resolve().parent.parent.parent

CHILD = textwrap.dedent("""
    import sys
    import tempfile
    from app import create_app
    from extensions import db, limiter

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "WTF_CSRF_ENABLED": False,
                      # An in-memory database is one per connection: no index drainer reads it.
                      "SEARCH_DRAIN": "off", "SEARCH_INDEX_DIR": tempfile.mkdtemp(),
                      "LOGIN_RATE_LIMIT": "3 per minute", "RATELIMIT_KEY_PREFIX": sys.argv[1]})
    with app.app_context():
        db.create_all()
    print(type(limiter.storage).__name__)
    client = app.test_client()
    for _ in range(4):
        print(client.post("/login", data={"email": "x@example.com", "password": "wrong one"}).status_code)
""")


def test_login_limit_is_kept_in_redis(tmp_path):
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"test-login-{os.getpid()}-{tmp_path.name}"
    env = {**os.environ, "REDIS_URL": REDIS_URL}
    try:
        result = subprocess.run([sys.executable, "-c", CHILD, prefix], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=60, check=True)
        lines = result.stdout.split()
        assert lines[0] == "RedisStorage"
        assert lines[1:] == ["400", "400", "400", "429"]
        assert connection.keys(f"*{prefix}*"), "the counter lives in Redis"
    finally:
        for key in connection.keys(f"*{prefix}*"):
            connection.delete(key)
        connection.close()
