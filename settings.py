"""Every setting the app reads, in one place: the environment, typed and checked, as Flask config. No Flask.

`ENVIRONMENT` lists each variable with its default and meaning (`.env.example` and the README's
configuration table are checked against it by tests/test_settings.py); `CONFIG_DEFAULTS` lists the
config keys that are not read from the environment (tests and benchmarks set them). `load()` turns
an environment into config and names every bad variable at once; `finish()` runs on the final
config (after the factory's test_config), derives what follows from it and applies the production
rules. This is the only module of the app that reads `os.environ` (tests/test_layers.py holds it).
"""

import os
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEV_SECRET_KEY = "dev-only-not-secret"  # development's default; never acceptable in production
MIN_SECRET_KEY_LENGTH = 32
APP_ENVS = ("development", "production")
SEARCH_ENGINES = ("whoosh", "tantivy")
SEARCH_DRAINS = ("thread", "sync", "off")


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
    Variable("REDIS_URL", "", "rate-limit storage and the page cache's store; unset: in process memory"),
    Variable("RESPONSE_CACHE_SECONDS", "0", "how long an anonymous page is cached; 0 turns the page cache off",
             _seconds),
    Variable("STRIPE_SECRET_KEY", "", "Stripe API key; unset: the built-in Stripe sandbox"),
    Variable("STRIPE_WEBHOOK_SECRET", "", "verifies Stripe webhooks; unset: the sandbox's fixed dev secret"),
    Variable("STRIPE_API_BASE", "", "send stripe-python's calls elsewhere (a sandbox in another process)"),
    Variable("ALLOW_STRIPE_SANDBOX", "0", "1: production may run on the Stripe sandbox (demos, benchmarks)", _flag),
    Variable("UPLOAD_DIR", "", "where uploaded sheets wait for preview and apply; unset: instance/uploads"),
    Variable("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024), "largest request body, so largest sheet upload (413 page "
             "beyond)", _positive),
    Variable("UPLOAD_MAX_ROWS", "100000", "most rows one uploaded sheet may have", _positive),
    Variable("PROXY_HOPS", "0", "trusted proxies in front of gunicorn whose X-Forwarded-* headers are believed",
             _count),
)

# Config keys not read from the environment: code and tests set them.
CONFIG_DEFAULTS: dict[str, Any] = {
    "JSON_SORT_KEYS": False,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Re-raise an unexpected exception instead of showing the 500 page (tests, to see the real failure).
    "PROPAGATE_EXCEPTIONS": False,
    # Per-worker caches of the home summary and the vendor facet labels; tests set 0 to see their own data.
    "HOME_SUMMARY_SECONDS": 30,
    "VENDOR_LABELS_SECONDS": 60,
    "LOGIN_RATE_LIMIT": "10 per minute",
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
    return config


def finish(config: MutableMapping[str, Any]) -> None:
    """Derive what follows from the final config and apply the production rules.

    :raise SettingsError: an unknown APP_ENV. :raise InsecureConfiguration: production without a
        SECRET_KEY of at least 32 characters, or without STRIPE_SECRET_KEY unless ALLOW_STRIPE_SANDBOX.
    """
    if config.get("APP_ENV") not in APP_ENVS:
        raise InsecureConfiguration(f"APP_ENV must be 'production' or 'development', not {config.get('APP_ENV')!r}")
    # The one request size limit: the largest upload is the largest body (form fields included).
    config["MAX_CONTENT_LENGTH"] = int(config["UPLOAD_MAX_BYTES"])
    # Reading the rest of an over-size body lets the client see the 413 page instead of a reset;
    # beyond this bound we stop reading and let the connection close.
    config.setdefault("UPLOAD_DRAIN_MAX_BYTES", 8 * config["MAX_CONTENT_LENGTH"])
    config.setdefault("RATELIMIT_STORAGE_URI", config.get("REDIS_URL") or "memory://")
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
    sandbox_allowed = config.get("ALLOW_STRIPE_SANDBOX") in (True, "1")
    if not config.get("STRIPE_SECRET_KEY") and not sandbox_allowed:
        # Without a key the app serves its own Stripe sandbox, whose "Pay" button marks any order paid.
        raise InsecureConfiguration(
            "APP_ENV=production needs STRIPE_SECRET_KEY (and STRIPE_WEBHOOK_SECRET): without it, checkout runs "
            "on the built-in Stripe sandbox, where anyone can mark an order paid. For a demo or a benchmark "
            "set ALLOW_STRIPE_SANDBOX=1; refusing to start")
