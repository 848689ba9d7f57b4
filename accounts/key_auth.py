"""The vendor API's gate: a bearer key, its rate limit, and Idempotency-Key on every write.

A view decorated with `vendor_key_required` takes the key's vendor and returns an `Answer`;
the gate owns the transaction: it commits a 2xx/3xx answer together with its idempotency
record, rolls back anything else, and only then runs the answer's `after_commit` (starting a
job). Only the Authorization header authenticates: a logged-in browser's session cookie is
never read here, so a page elsewhere cannot make a vendor's browser write through the API
(which is also why these routes need no CSRF token).
"""

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Response, current_app, g, jsonify, request
from limits import parse_many
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from accounts import api_keys, idempotency
from accounts.models import ApiKey
from catalog.models import Vendor
from extensions import db, limiter

WRITES = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Answer:
    status: int
    body: dict
    after_commit: Callable[[], Any] | None = field(default=None, compare=False)


def error_answer(status: int, code: str, message: str, details: dict | None = None) -> Answer:
    body: dict = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return Answer(status, body)


def _json(answer: Answer) -> Response:
    response = jsonify(answer.body)
    response.status_code = answer.status
    return response


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def _unauthorized(message: str) -> Response:
    response = _json(error_answer(401, "unauthorized", message))
    response.headers["WWW-Authenticate"] = 'Bearer realm="vendor-api"'
    return response


def _rate_limited(key: ApiKey) -> Response | None:
    """A 429 with Retry-After when this key is over VENDOR_API_RATE_LIMIT, else None (and the request counts)."""
    strategy = limiter.limiter  # the limiter's own storage: Redis when REDIS_URL is set
    identity = (current_app.config.get("RATELIMIT_KEY_PREFIX") or "", f"vendor-api:{key.key_hash[:24]}")
    for item in parse_many(current_app.config["VENDOR_API_RATE_LIMIT"]):
        if not strategy.hit(item, *identity):
            reset = strategy.get_window_stats(item, *identity).reset_time
            wait = max(1, math.ceil(reset - time.time()))
            response = _json(error_answer(429, "rate_limited", f"more than {item} for this API key; retry in {wait} s"))
            response.headers["Retry-After"] = str(wait)
            return response
    return None


def _body_parts() -> list[bytes]:
    if request.files or request.form:
        # A malformed part may come with no name (None): order by text so any body has a fingerprint.
        parts = [f"{k}={v}".encode() for k, v in sorted(request.form.items(multi=True),
                                                         key=lambda item: (str(item[0]), str(item[1])))]
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: str(item[0])):
            content = upload.stream.read()
            upload.stream.seek(0)
            parts.append(f"{name}:{upload.filename}".encode() + b":" + content)
        return parts
    return [request.get_data(cache=True)]


def _in_progress() -> Response:
    return _json(error_answer(409, "idempotency_in_progress", "a request with this Idempotency-Key is being "
                                                              "processed; retry in a moment"))


def _replay(record) -> Response:
    response = Response(record.body, status=record.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _conflict() -> Response:
    return _json(error_answer(409, "idempotency_key_reused", "this Idempotency-Key was used with a different "
                                                            "request in the last 24 hours"))


def _run(view: Callable[[], Answer]) -> Answer:
    try:
        return view()
    except HTTPException as exc:
        return error_answer(exc.code or 400, (exc.name or "error").lower().replace(" ", "_"), exc.description or "")


def _committed(answer: Answer) -> Response:
    """Commit the answer's work, then run what waits for the commit (a job reads its committed row)."""
    db.session.commit()
    if answer.after_commit is not None:
        answer.after_commit()
    return _json(answer)


def _idempotent(key: ApiKey, idem_key: str, view: Callable[[], Answer]) -> Response:
    session = db.session
    key_id = key.id
    print_ = idempotency.fingerprint(request.method, request.path, request.query_string, _body_parts())
    existing = idempotency.find(session, key_id, idem_key)
    if existing is not None:
        return _replay(existing) if existing.fingerprint == print_ else _conflict()
    try:
        record = idempotency.claim(session, key_id, idem_key, print_)
    except IntegrityError:
        session.rollback()
        existing = idempotency.find(session, key_id, idem_key)
        if existing is None:
            return _in_progress()
        return _replay(existing) if existing.fingerprint == print_ else _conflict()
    answer = _run(view)
    body = json.dumps(answer.body, ensure_ascii=False, separators=(",", ":"))
    if answer.status < 400:
        record.status_code, record.body = answer.status, body
        return _committed(answer)
    # A refused request changes nothing but its record: roll its work back, keep the answer.
    session.rollback()
    try:
        stored = idempotency.find(session, key_id, idem_key)
        # Our own claim is already committed when the view committed part of its work (an upload's
        # clean-up, a delivery step) before refusing: it still waits for this answer, so fill it in.
        # Any other request with this key failed its own claim, so a waiting record is ours.
        if stored is None or (stored.status_code == 0 and stored.fingerprint == print_):
            if stored is None:
                idempotency.claim(session, key_id, idem_key, print_)
                stored = idempotency.find(session, key_id, idem_key)
            stored.status_code, stored.body = answer.status, body
            session.commit()
        else:
            return _replay(stored) if stored.fingerprint == print_ else _conflict()
    except IntegrityError:
        session.rollback()
        existing = idempotency.find(session, key_id, idem_key)
        if existing is not None:
            return _replay(existing) if existing.fingerprint == print_ else _conflict()
    return _json(answer)


def api_key_user_id() -> int:
    """The member who created the API key of this request (uploads and jobs are recorded as theirs)."""
    return g.vendor_api_user_id


def vendor_key_required(view: Callable[..., Answer]):
    """Authenticate `Authorization: Bearer <key>`, rate-limit per key, then call view(vendor, ...).

    :raise 401: no key, an unknown key or a revoked one. :raise 429: over the key's rate limit.
    :raise 400/409: a malformed Idempotency-Key, or one reused with another request.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        secret = _bearer()
        if secret is None:
            return _unauthorized("send an API key as 'Authorization: Bearer <key>' (create one in your stall)")
        key = api_keys.authenticate(db.session, secret)
        if key is None:
            db.session.rollback()
            return _unauthorized("this API key is unknown or revoked")
        g.vendor_api_user_id = key.created_by
        if (limited := _rate_limited(key)) is not None:
            db.session.rollback()
            return limited
        vendor: Vendor = key.vendor
        call = lambda: view(vendor, *args, **kwargs)  # noqa: E731
        idem_key = request.headers.get("Idempotency-Key")
        if request.method in WRITES and idem_key is not None:
            if not idempotency.valid_key(idem_key):
                db.session.rollback()
                return _json(error_answer(400, "bad_idempotency_key", "Idempotency-Key must be 1-255 visible "
                                                                      "ASCII characters"))
            return _idempotent(key, idem_key, call)
        answer = _run(call)
        if answer.status < 400:
            return _committed(answer)
        db.session.rollback()
        return _json(answer)

    return wrapped
