"""A micro-cache: anonymous GET answers kept for a few seconds in each worker.

Most page views are the same few pages (home, popular filters) asked by visitors with no
session; rendering them again within a few seconds gives the same bytes. With
RESPONSE_CACHE_SECONDS > 0 (off by default, and in tests) such answers are served from
memory for that long. Only when it is safe: a GET with no cookie but `lang`, no
Authorization header, a 200 answer that sets no cookie and is HTML or JSON; never
/healthz, never the webhooks. The key is the full URL and the page language, so Chinese
and English never mix. Buyers may see a price up to that many seconds old; checkout
always prices from the database.
"""

import os
import threading
import time
from collections import OrderedDict

from flask import Flask, Response, g, request, session

from web.locale import COOKIE as LANG_COOKIE
from web.locale import select_locale

MAX_ENTRIES = 2000
NEVER = ("/healthz", "/webhooks/", "/static/")
HEADER = "X-Cache"


class ResponseCache:
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


def _cacheable_request() -> bool:
    if request.method != "GET" or request.path.startswith(NEVER) or "Authorization" in request.headers:
        return False
    return set(request.cookies) <= {LANG_COOKIE}


def init_app(app: Flask) -> None:
    app.config.setdefault("RESPONSE_CACHE_SECONDS", os.environ.get("RESPONSE_CACHE_SECONDS", "0"))
    seconds = float(app.config["RESPONSE_CACHE_SECONDS"] or 0)
    if seconds <= 0:
        return
    cache = ResponseCache(seconds)
    app.extensions["response_cache"] = cache

    @app.before_request
    def serve_cached():
        if not _cacheable_request():
            return None
        g.cache_key = (request.full_path, select_locale())
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
                and not response.direct_passthrough
                and response.mimetype in ("text/html", "application/json")):
            headers = [(k, v) for k, v in response.headers.items() if k not in ("X-Request-ID", "Content-Length")]
            cache.put(key, response.status_code, headers, response.get_data())
            response.headers[HEADER] = "miss"
        return response
