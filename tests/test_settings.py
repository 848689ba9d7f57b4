"""Settings come from one module: bad values stop the app with a message naming them, and the docs match."""

import io
import re
from pathlib import Path

import pytest

import settings
from app import create_app
from settings import InsecureConfiguration, SettingsError

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k" * 48


def _app(tmp_path, **environ):
    return create_app(environ={"DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}",
                               "SEARCH_INDEX_DIR": str(tmp_path / "index"), **environ})


def test_every_bad_variable_is_named_with_its_value_at_start(tmp_path):
    with pytest.raises(SettingsError) as caught:
        _app(tmp_path, UPLOAD_MAX_BYTES="10MB", SEARCH_ENGINE="elastic", RESPONSE_CACHE_SECONDS="-5")
    message = str(caught.value)
    assert "UPLOAD_MAX_BYTES='10MB': must be a whole number" in message
    assert "SEARCH_ENGINE='elastic': must be one of whoosh, tantivy" in message
    assert "RESPONSE_CACHE_SECONDS='-5': must not be negative" in message


@pytest.mark.parametrize(("name", "value", "problem"), [
    ("APP_ENV", "prod", "must be one of development, production"),
    ("DATABASE_URL", "market.db", "must be a URL"),
    ("DEMO_MODE", "yes", "must be 0 or 1"),
    ("UPLOAD_MAX_ROWS", "0", "must be more than 0"),
    ("PROXY_HOPS", "-1", "must not be negative"),
    ("SEARCH_DRAIN", "later", "must be one of thread, sync, off"),
])
def test_a_bad_value_is_refused_with_what_is_allowed(tmp_path, name, value, problem):
    with pytest.raises(SettingsError, match=re.escape(f"{name}={value!r}: {problem}")):
        _app(tmp_path, **{name: value})


def test_production_from_the_environment_refuses_the_dev_secret_key(tmp_path):
    with pytest.raises(InsecureConfiguration, match="SECRET_KEY"):
        _app(tmp_path, APP_ENV="production", STRIPE_SECRET_KEY="sk_test_x")


def test_production_from_the_environment_refuses_the_stripe_sandbox(tmp_path):
    with pytest.raises(InsecureConfiguration, match="STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET"):
        _app(tmp_path, APP_ENV="production", SECRET_KEY=STRONG_KEY, REDIS_URL="redis://127.0.0.1:6379/0")
    with pytest.raises(InsecureConfiguration, match="DEMO_MODE=1"):
        _app(tmp_path, APP_ENV="production", SECRET_KEY=STRONG_KEY, DEMO_MODE="1", STRIPE_SECRET_KEY="sk_test_x",
             STRIPE_WEBHOOK_SECRET="whsec_x", REDIS_URL="redis://127.0.0.1:6379/0")
    app = _app(tmp_path, APP_ENV="production", SECRET_KEY=STRONG_KEY, STRIPE_SECRET_KEY="sk_test_x",
               STRIPE_WEBHOOK_SECRET="whsec_x", REDIS_URL="redis://127.0.0.1:6379/0")
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["DEMO_MODE"] is False


def test_production_from_the_environment_refuses_per_worker_rate_limits(tmp_path):
    stripe = {"STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"}
    with pytest.raises(InsecureConfiguration, match="REDIS_URL"):
        _app(tmp_path, APP_ENV="production", SECRET_KEY=STRONG_KEY, **stripe)
    assert _app(tmp_path, APP_ENV="production", SECRET_KEY=STRONG_KEY, ALLOW_MEMORY_RATE_LIMITS="1", **stripe)


def test_a_postgres_url_from_a_hosting_platform_gets_the_driver_named(tmp_path):
    config = settings.load(tmp_path, {"DATABASE_URL": "postgres://u@db:5432/market"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db:5432/market"


def test_unset_variables_take_their_documented_defaults(tmp_path):
    config = settings.load(tmp_path, {"REDIS_URL": "  "})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'market.db'}"
    assert config["SEARCH_INDEX_DIR"] == str(tmp_path / "search-index")
    assert (config["APP_ENV"], config["SEARCH_ENGINE"], config["REDIS_URL"]) == ("development", "whoosh", None)
    assert config["UPLOAD_MAX_BYTES"] == 10 * 1024 * 1024


def test_upload_max_bytes_is_the_one_request_size_limit(tmp_path):
    app = _app(tmp_path, UPLOAD_MAX_BYTES="2048")
    assert app.config["MAX_CONTENT_LENGTH"] == 2048
    response = app.test_client().post("/login", data={"sheet": (io.BytesIO(b"x" * 4096), "big.csv")})
    assert response.status_code == 413


def _env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_env_example_lists_every_variable_with_its_default():
    assert _env_example() == {v.name: v.default for v in settings.ENVIRONMENT}


def test_readme_configuration_table_lists_every_variable_with_its_default():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration (environment)", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([A-Z_]+)` \| (?:`([^`]*)`|unset) \|", section, re.MULTILINE)
    assert dict(rows) == {v.name: v.default for v in settings.ENVIRONMENT}


def test_the_task_queue_follows_redis_url_and_refuses_what_cannot_work(tmp_path):
    assert _app(tmp_path).config["TASK_QUEUE"] == "sqlite"
    assert _app(tmp_path).config["TASK_QUEUE_FILE"].endswith("task-queue.db")
    assert _app(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0").config["TASK_QUEUE"] == "redis"
    with pytest.raises(SettingsError, match="TASK_QUEUE=redis needs REDIS_URL"):
        _app(tmp_path, TASK_QUEUE="redis")
    with pytest.raises(SettingsError, match=re.escape("TASK_QUEUE='celery': must be one of redis, sqlite, immediate")):
        _app(tmp_path, TASK_QUEUE="celery")
    with pytest.raises(InsecureConfiguration, match="TASK_QUEUE=immediate cannot run with APP_ENV=production"):
        _app(tmp_path, APP_ENV="production", SECRET_KEY=STRONG_KEY, STRIPE_SECRET_KEY="sk_test_x",
             STRIPE_WEBHOOK_SECRET="whsec_x", REDIS_URL="redis://127.0.0.1:6379/0", TASK_QUEUE="immediate")
