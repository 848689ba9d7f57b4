"""With REDIS_URL set, the vendor API's per-key limit is counted in Redis (every worker shares it).

A child process, as in test_rate_limit_redis.py: the limiter is one object per process. Skipped
when no Redis answers at TEST_REDIS_URL.
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
    from tests.vendor_api_support import vendor_with_key

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "WTF_CSRF_ENABLED": False,
                      # An in-memory database is one per connection: no index drainer reads it.
                      "SEARCH_DRAIN": "off", "SEARCH_INDEX_DIR": tempfile.mkdtemp(),
                      "VENDOR_API_RATE_LIMIT": "3 per minute", "RATELIMIT_KEY_PREFIX": sys.argv[1]})
    with app.app_context():
        db.create_all()
        _, _, secret = vendor_with_key("a@example.com", "acme")
        print(type(limiter.storage).__name__)
        client = app.test_client()
        for _ in range(4):
            response = client.get("/api/v1/vendor/offers", headers={"Authorization": "Bearer " + secret})
            print(response.status_code, response.headers.get("Retry-After", "-"))
""")


def test_the_per_key_limit_is_kept_in_redis(tmp_path):
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"test-vendor-api-{os.getpid()}-{tmp_path.name}"
    env = {**os.environ, "REDIS_URL": REDIS_URL}
    try:
        result = subprocess.run([sys.executable, "-c", CHILD, prefix], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=60, check=True)
        lines = result.stdout.splitlines()
        assert lines[0] == "RedisStorage"
        assert [line.split()[0] for line in lines[1:]] == ["200", "200", "200", "429"]
        assert 1 <= int(lines[4].split()[1]) <= 60
        assert connection.keys(f"*{prefix}*vendor-api*"), "the counter lives in Redis"
    finally:
        for key in connection.keys(f"*{prefix}*"):
            connection.delete(key)
