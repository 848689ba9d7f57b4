"""Every setting the app reads, in one place: the environment, typed and checked, as Flask config. No Flask.

`ENVIRONMENT` lists each variable with its default and meaning (`.env.example` and the README's
configuration table are checked against it by tests/test_settings.py); `CONFIG_DEFAULTS` lists the
config keys that are not read from the environment (tests and benchmarks set them). `load()` turns
an environment into config and names every bad variable at once; `finish()` runs on the final
config (after the factory's test_config), derives what follows from it and applies the production
rules. This is the only module of the app that reads `os.environ` (tests/test_layers.py holds it).
"""

import os
import socket
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

DEV_SECRET_KEY = "dev-only-not-secret"  # development's default; never acceptable in production
MIN_SECRET_KEY_LENGTH = 32
APP_ENVS = ("development", "production")
SEARCH_ENGINES = ("whoosh", "tantivy")
SEARCH_DRAINS = ("thread", "sync", "off")
TASK_QUEUES = ("redis", "sqlite", "immediate")


class SettingsError(ValueError):
    """The environment or config names a value the app cannot run with; the message says which and why."""


class InsecureConfiguration(SettingsError):
    """Production was asked for with a configuration that is not safe to serve."""


def _text(value: str) -> str:
    return value


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value

    return parse


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ValueError("must be a whole number") from None
    if number < 0:
        raise ValueError("must not be negative")
    return number


def _positive(value: str) -> int:
    number = _count(value)
    if number == 0:
        raise ValueError("must be more than 0")
    return number


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError("must be a number of seconds") from None
    if not number >= 0:  # also refuses nan
        raise ValueError("must not be negative")
    return number


def _flag(value: str) -> bool:
    if value not in ("0", "1"):
        raise ValueError("must be 0 or 1")
    return value == "1"


def database_url(url: str) -> str:
    """The SQLAlchemy URL for DATABASE_URL: hosting platforms hand out postgres:// URLs, SQLAlchemy wants the driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _share(value: str) -> Decimal:
    """A fraction from 0 to below 1 ('0.10' = 10%), exact."""
    try:
        share = Decimal(value)
    except InvalidOperation:
        raise ValueError("must be a number such as 0.10") from None
    if not share.is_finite() or not 0 <= share < 1:
        raise ValueError("must be at least 0 and below 1 (0.10 = 10%)")
    return share


def _smtp(value: str) -> str:
    if not value.startswith(("smtp://", "smtps://")):
        raise ValueError("must be a URL such as smtp://user:password@mail.example.com:587 (STARTTLS when the "
                         "server offers it) or smtps://…:465")
    return value


def _site(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be a URL such as https://market.example.com")
    return value.rstrip("/")


def _database(value: str) -> str:
    if "://" not in value:
        raise ValueError("must be a URL such as postgresql://user@host:5432/market or sqlite:////path/market.db")
    return database_url(value)


@dataclass(frozen=True)
class Variable:
    name: str  # the environment variable
    default: str  # as written in .env.example; "" means unset
    meaning: str
    parse: Callable[[str], Any] = _text
    key: str | None = None  # the config key, when it is not the variable's own name

    @property
    def config_key(self) -> str:
        return self.key or self.name


# Defaults that name a folder are relative to the Flask instance folder (./instance).
ENVIRONMENT: tuple[Variable, ...] = (
    Variable("APP_ENV", "development", "development or production; production refuses unsafe settings at start",
             _choice(*APP_ENVS)),
    Variable("SECRET_KEY", DEV_SECRET_KEY, "signs sessions and CSRF tokens; production needs >= 32 random characters"),
    Variable("DATABASE_URL", "", "SQLAlchemy URL; unset: SQLite file instance/market.db; postgresql:// is taken as "
             "postgresql+psycopg://", _database, key="SQLALCHEMY_DATABASE_URI"),
    Variable("SEARCH_INDEX_DIR", "", "the text index folder; unset: instance/search-index"),
    Variable("SEARCH_ENGINE", "whoosh", "whoosh (embedded) or tantivy (for ~1M offers)", _choice(*SEARCH_ENGINES)),
    Variable("SEARCH_DRAIN", "thread", "when the index catches up after a commit: thread (background), sync (in the "
             "committing thread), off (only flask reindex / check-index)", _choice(*SEARCH_DRAINS)),
    Variable("NODE_NAME", "", "this node's name in the outbox's consumer registry (one per search index); unset: "
             "host name:SEARCH_INDEX_DIR"),
    Variable("OUTBOX_RETENTION_SECONDS", "86400", "a node away longer than this is dropped from the outbox's "
             "registry and rebuilds its index when it comes back", _seconds),
    Variable("OUTBOX_KEEP_SECONDS", "3600", "outbox rows every node has applied are kept at least this long (for "
             "the processes' snapshots)", _seconds),
    Variable("REDIS_URL", "", "rate-limit storage, the page cache's store and the task queue; unset: in process "
             "memory (the task queue: a SQLite file)"),
    Variable("TASK_QUEUE", "", "where background tasks wait for `flask worker`: redis (REDIS_URL), sqlite "
             "(TASK_QUEUE_FILE), or immediate (run in the caller; tests only, never production); unset: redis when "
             "REDIS_URL is set, else sqlite", _choice(*TASK_QUEUES)),
    Variable("TASK_QUEUE_FILE", "", "the task queue's SQLite file (TASK_QUEUE=sqlite); unset: instance/task-queue.db"),
    Variable("IMPORT_JOB_LEASE_SECONDS", "120", "a sheet job whose worker has not renewed its lease for this long "
             "is queued again (its worker died), at most 3 times, then failed", _seconds),
    Variable("WEBHOOK_CLAIM_SECONDS", "120", "a vendor webhook attempt whose worker died is tried again after this "
             "long (keep it above one POST's 10 s timeout)", _seconds),
    Variable("RESPONSE_CACHE_SECONDS", "0", "how long an anonymous page is cached; 0 turns the page cache off",
             _seconds),
    Variable("STRIPE_SECRET_KEY", "", "Stripe API key; required in production; unset in development: demo mode"),
    Variable("STRIPE_WEBHOOK_SECRET", "", "verifies Stripe webhooks; required in production; unset in demo mode: made "
             "per app instance"),
    Variable("STRIPE_API_BASE", "", "send stripe-python's calls elsewhere (a sandbox in another process)"),
    Variable("STRIPE_CHECKOUT_ORIGIN", "", "the one other origin a form may be sent to (where checkout redirects to "
             "pay); unset: Stripe Checkout when a key is set, else STRIPE_API_BASE's origin"),
    Variable("DEMO_MODE", "", "1: checkout runs on the built-in Stripe sandbox, with a banner on every page (never in "
             "production); 0: never; unset: on in development without STRIPE_SECRET_KEY", _flag),
    Variable("STRIPE_SANDBOX_API_KEY", "", "demo mode: the sandbox's own API key; unset: made per app instance (set "
             "it, and STRIPE_WEBHOOK_SECRET, when another process calls the sandbox)"),
    Variable("ALLOW_MEMORY_RATE_LIMITS", "0", "1: production may count log-in and sign-up attempts in process "
             "memory (only with exactly one worker process; otherwise set REDIS_URL)", _flag),
    Variable("UPLOAD_DIR", "", "where uploaded sheets wait for preview and apply; unset: instance/uploads"),
    Variable("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024), "largest request body, so largest sheet upload (413 page "
             "beyond)", _positive),
    Variable("UPLOAD_MAX_ROWS", "100000", "most rows one uploaded sheet may have", _positive),
    Variable("BANK_COMMISSION_RATE", "0.10", "the platform's share of what buyers pay for deposited idle capacity "
             "(0.10 = 10%; the vendor gets the rest)", _share),
    Variable("PROXY_HOPS", "0", "trusted proxies in front of gunicorn whose X-Forwarded-* headers are believed",
             _count),
    Variable("SMTP_URL", "", "where price-alert emails are sent (smtp://user:password@host:587, STARTTLS when "
             "offered; smtps://… for TLS from the start); unset: no email, alerts show in the app only", _smtp),
    Variable("MAIL_FROM", "alerts@localhost", "the sender of price-alert emails"),
    Variable("SITE_URL", "http://127.0.0.1:5000", "this site's address, for the links in emails", _site),
)

# Config keys not read from the environment: code and tests set them.
CONFIG_DEFAULTS: dict[str, Any] = {
    "JSON_SORT_KEYS": False,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Re-raise an unexpected exception instead of showing the 500 page (tests, to see the real failure).
    "PROPAGATE_EXCEPTIONS": False,
    # Rate limits ("N per period", ";" between several; accounts/views.py). Per address: one client's
    # guesses, sign-ups (each costs an argon2 hash) and password changes. Per account: guesses at one
    # account spread over many addresses (an unknown email counts the same way).
    "LOGIN_RATE_LIMIT": "10 per minute",
    "LOGIN_ACCOUNT_RATE_LIMIT": "10 per 15 minutes",
    "SIGNUP_RATE_LIMIT": "5 per minute;20 per hour",
    "PASSWORD_CHANGE_RATE_LIMIT": "5 per minute;20 per hour",
    # The vendor API (accounts/key_auth.py), per API key: a price-sync loop of a few thousand SKUs
    # a day fits well inside it; a whole catalog at once goes through POST /api/v1/vendor/sheets.
    "VENDOR_API_RATE_LIMIT": "50 per second;1800 per minute",
    # Import jobs (offers/import_jobs.py): a job's heartbeat moves its lease on every second; a job
    # whose lease (IMPORT_JOB_LEASE_SECONDS) has passed has lost its worker and is queued again,
    # up to this many times in all before it is failed.
    "IMPORT_JOB_HEARTBEAT_SECONDS": 1.0,
    "IMPORT_JOB_MAX_ATTEMPTS": 3,
    # The queue's name: its key prefix in Redis, its rows' tag in the SQLite file (task_queue.py).
    "TASK_QUEUE_NAME": "market",
    # Staged uploads: kept a day, then removed (`flask clean-uploads`, and before each new upload);
    # per vendor at most this many, holding at most these bytes (preview included).
    "UPLOAD_TTL_SECONDS": 24 * 3600,
    "UPLOAD_MAX_PER_VENDOR": 20,
    "UPLOAD_MAX_VENDOR_BYTES": 200 * 1024 * 1024,
    # On SQLite a sheet's rows are written under the database's one write lock, which every other
    # writer waits for; larger sheets need PostgreSQL (bench/results/apply-contention.md).
    "UPLOAD_SQLITE_MAX_ROWS": 50_000,
    # The background index drainer of a serving process wakes this often to apply other nodes' changes.
    "SEARCH_POLL_SECONDS": 0.5,
    "JSON_LOGS": False,  # JSON log lines outside production too
    "LOG_LEVEL": "INFO",
}


def load(instance_path: str | Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Config from the environment (os.environ unless given). :raise SettingsError: naming every bad variable."""
    environ = os.environ if environ is None else environ
    instance = Path(instance_path)
    config: dict[str, Any] = dict(CONFIG_DEFAULTS)
    problems = []
    for var in ENVIRONMENT:
        raw = environ.get(var.name, "").strip()
        if raw == "":
            raw = var.default
        if raw == "":
            config[var.config_key] = None
            continue
        try:
            config[var.config_key] = var.parse(raw)
        except ValueError as exc:
            problems.append(f"{var.name}={raw!r}: {exc}")
    if problems:
        raise SettingsError("bad settings in the environment (see .env.example): " + "; ".join(problems))
    config["SQLALCHEMY_DATABASE_URI"] = config["SQLALCHEMY_DATABASE_URI"] or f"sqlite:///{instance / 'market.db'}"
    config["SEARCH_INDEX_DIR"] = config["SEARCH_INDEX_DIR"] or str(instance / "search-index")
    config["UPLOAD_DIR"] = config["UPLOAD_DIR"] or str(instance / "uploads")
    config["TASK_QUEUE_FILE"] = config["TASK_QUEUE_FILE"] or str(instance / "task-queue.db")
    return config


def finish(config: MutableMapping[str, Any]) -> None:
    """Derive what follows from the final config and apply the production rules.

    :raise SettingsError: an unknown APP_ENV. :raise InsecureConfiguration: production without a
        SECRET_KEY of at least 32 characters, without STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, with
        DEMO_MODE=1, with rate limits kept in one worker's memory (unless ALLOW_MEMORY_RATE_LIMITS=1), or
        with TASK_QUEUE=immediate. :raise SettingsError: TASK_QUEUE=redis without REDIS_URL.
    """
    if config.get("APP_ENV") not in APP_ENVS:
        raise InsecureConfiguration(f"APP_ENV must be 'production' or 'development', not {config.get('APP_ENV')!r}")
    # The one request size limit: the largest upload is the largest body (form fields included).
    config["MAX_CONTENT_LENGTH"] = int(config["UPLOAD_MAX_BYTES"])
    # Reading the rest of an over-size body lets the client see the 413 page instead of a reset;
    # beyond this bound we stop reading and let the connection close.
    config.setdefault("UPLOAD_DRAIN_MAX_BYTES", 8 * config["MAX_CONTENT_LENGTH"])
    config["NODE_NAME"] = config.get("NODE_NAME") or f"{socket.gethostname()}:{config['SEARCH_INDEX_DIR']}"
    config.setdefault("RATELIMIT_STORAGE_URI", config.get("REDIS_URL") or "memory://")
    if not config.get("TASK_QUEUE"):
        config["TASK_QUEUE"] = "redis" if config.get("REDIS_URL") else "sqlite"
    if config["TASK_QUEUE"] not in TASK_QUEUES:
        raise SettingsError(f"TASK_QUEUE must be one of {', '.join(TASK_QUEUES)}, not {config['TASK_QUEUE']!r}")
    if config["TASK_QUEUE"] == "redis" and not config.get("REDIS_URL"):
        raise SettingsError("TASK_QUEUE=redis needs REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    if str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        # Concurrent writers (webhook and success page at once) wait for the lock instead of failing.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {**config["SQLALCHEMY_ENGINE_OPTIONS"], "connect_args": {"timeout": 30}}
    if config["APP_ENV"] == "production":
        _production_rules(config)


def _production_rules(config: Mapping[str, Any]) -> None:
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
        raise InsecureConfiguration(
            "APP_ENV=production needs SECRET_KEY set to a random string of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters, e.g. "
            "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(48))'); refusing to start")
    if config.get("DEMO_MODE") in (True, "1"):
        raise InsecureConfiguration(
            "DEMO_MODE=1 cannot run with APP_ENV=production: the Stripe sandbox marks any order paid. "
            "Run a demo with APP_ENV=development DEMO_MODE=1; refusing to start")
    if not config.get("STRIPE_SECRET_KEY") or not config.get("STRIPE_WEBHOOK_SECRET"):
        # Without a key the app would need its own Stripe sandbox, whose "Pay" button marks any order paid.
        raise InsecureConfiguration(
            "APP_ENV=production needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET: the built-in Stripe sandbox "
            "is never served in production. For a demo run APP_ENV=development DEMO_MODE=1; refusing to start")
    if config.get("TASK_QUEUE") == "immediate":
        # Each sheet preview and apply would run inside the web request that asked for it.
        raise InsecureConfiguration(
            "TASK_QUEUE=immediate cannot run with APP_ENV=production: background work would run inside web "
            "requests. Use TASK_QUEUE=redis (with REDIS_URL) and start `flask worker`; refusing to start")
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if storage.startswith("memory://") and config.get("ALLOW_MEMORY_RATE_LIMITS") not in (True, "1"):
        # In memory, each gunicorn worker counts alone: N workers allow N times each limit
        # (26 log-in tries were accepted in 1.1 s against a limit of 10 per minute).
        raise InsecureConfiguration(
            "APP_ENV=production needs REDIS_URL (RATELIMIT_STORAGE_URI) so that every worker shares one "
            "count of log-in, sign-up and password-change attempts; with exactly one worker process, set "
            "ALLOW_MEMORY_RATE_LIMITS=1; refusing to start")
