"""The page cache: anonymous GET answers kept per catalog version, in Redis or in each worker.

Most page views are the same pages (home, popular filters, popular offers) asked by
visitors with no session; rendering them again gives the same bytes until the catalog
changes. With RESPONSE_CACHE_SECONDS > 0 (off by default, and in tests) such answers are
kept for at most that long, under a key that holds the catalog's version: the id of the
newest index_outbox row this worker's snapshot has seen. Every offer or vendor change
writes an outbox row in its own transaction, so a changed price is never served from the
cache: the page's key changes with it, within the snapshot's refresh (0.25 s), the same lag
search has. The seconds bound only what does not come from the catalog ("updated 3 minutes
ago"). With REDIS_URL set the entries live in Redis and every worker and node shares them;
otherwise each worker keeps its own (bounded) in memory.

Only when it is safe: a GET with no cookie but `lang`, no Authorization header, a 200 answer
that sets no cookie, is HTML or JSON and is not marked `Cache-Control: no-store` (what carries
facts that change without a catalog change, such as free capacity, says so); never /healthz, the webhooks or static files. The
key is the full URL and the page language, so Chinese and English never mix. Checkout always
prices from the database.
"""

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, Response, g, request, session

from web import caches
from web.locale import COOKIE as LANG_COOKIE
from web.locale import select_locale

MAX_ENTRIES = 2000
NEVER = ("/healthz", "/webhooks/", "/static/")
HEADER = "X-Cache"
REDIS_PREFIX = "market:page:"
log = logging.getLogger(__name__)
caches.register(
    "page", __name__, holds="anonymous GET answers (HTML, JSON): status, headers, body",
    key="(catalog version, full URL, page language)",
    bound=f"{MAX_ENTRIES} answers per worker, or Redis keys expiring after RESPONSE_CACHE_SECONDS",
    invalidated_by=caches.Invalidation.CATALOG_VERSION, catalog_facts=True)


class ResponseCache:
    """In one process: an LRU of (expiry, status, headers, body)."""

    def __init__(self, seconds: float, max_entries: int = MAX_ENTRIES):
        self.seconds, self.max_entries = seconds, max_entries
        self._entries: OrderedDict[tuple, tuple[float, int, list, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[int, list, bytes] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1:]

    def put(self, key: tuple, status: int, headers: list, body: bytes) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + self.seconds, status, headers, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RedisResponseCache:
    """Shared by every worker and node: one Redis string per entry, expiring by itself.

    Redis trouble never fails a page: a failed get is a miss, a failed put is skipped.
    """

    def __init__(self, url: str, seconds: float):
        import redis

        self.seconds = seconds
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    @staticmethod
    def _name(key: tuple) -> str:
        return REDIS_PREFIX + json.dumps(key, ensure_ascii=False, separators=(",", ":"))

    def get(self, key: tuple) -> tuple[int, list, bytes] | None:
        try:
            raw = self.client.get(self._name(key))
        except Exception as exc:  # a cache must never take a page down with it
            log.warning("page cache read failed: %s", exc.__class__.__name__)
            return None
        if raw is None:
            return None
        head, _, body = raw.partition(b"\n")
        status, headers = json.loads(head)
        return status, [tuple(h) for h in headers], body

    def put(self, key: tuple, status: int, headers: list, body: bytes) -> None:
        head = json.dumps([status, headers], ensure_ascii=False).encode()
        try:
            self.client.set(self._name(key), head + b"\n" + body, px=int(self.seconds * 1000))
        except Exception as exc:
            log.warning("page cache write failed: %s", exc.__class__.__name__)

    def clear(self) -> None:
        for name in self.client.scan_iter(REDIS_PREFIX + "*", count=1000):
            self.client.delete(name)


def _cacheable_request() -> bool:
    if request.method != "GET" or request.path.startswith(NEVER) or "Authorization" in request.headers:
        return False
    return set(request.cookies) <= {LANG_COOKIE}


def init_app(app: Flask, version: Callable[[], int | None]) -> None:
    """Serve and keep pages under `version()`, the catalog's version (None: the database cannot say)."""
    seconds = float(app.config["RESPONSE_CACHE_SECONDS"] or 0)
    if seconds <= 0:
        return
    redis_url = app.config.get("RESPONSE_CACHE_REDIS_URL", app.config.get("REDIS_URL"))
    cache = RedisResponseCache(redis_url, seconds) if redis_url else ResponseCache(seconds)
    app.extensions["response_cache"] = cache

    @app.before_request
    def serve_cached():
        if not _cacheable_request():
            return None
        at = version()
        if at is None:
            return None
        g.cache_key = (at, request.full_path, select_locale())
        hit = cache.get(g.cache_key)
        if hit is None:
            return None
        status, headers, body = hit
        response = Response(body, status=status, headers=headers)
        response.headers[HEADER] = "hit"
        return response

    @app.after_request
    def keep(response: Response):
        key = g.pop("cache_key", None)
        if key is None or response.headers.get(HEADER) == "hit":
            return response
        # The session cookie is written after these hooks run: a modified session means one is coming.
        if (response.status_code == 200 and "Set-Cookie" not in response.headers and not session.modified
                and not response.direct_passthrough and "no-store" not in response.headers.get("Cache-Control", "")
                and response.mimetype in ("text/html", "application/json")):
            headers = [(k, v) for k, v in response.headers.items() if k not in ("X-Request-ID", "Content-Length")]
            cache.put(key, response.status_code, headers, response.get_data())
            response.headers[HEADER] = "miss"
        return response
