"""Error pages: a clear message in both languages, never a stack trace or SQL; /favicon.ico."""

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException

FAVICON = Path(__file__).resolve().parent.parent / "static" / "favicon.svg"


def came_from() -> str | None:
    """The page the visitor came from, when it is on this site and not this one (for "back")."""
    referrer = request.referrer or ""
    parts, here = urlsplit(referrer), urlsplit(request.host_url)
    if (parts.scheme, parts.netloc) != (here.scheme, here.netloc) or parts.path == request.path:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def nul_parameter() -> str | None:
    """The name of the first part of the request (path, a query or form parameter) holding U+0000, else None.

    PostgreSQL text cannot hold it, so any such value would fail in the first query that used it: one check
    here answers 400 naming it, for every page. Multipart bodies (uploads) are left to their own checks.
    """
    if "\x00" in request.path:
        return "path"
    fields = [request.args]
    if request.mimetype == "application/x-www-form-urlencoded":
        fields.append(request.form)
    for values in fields:
        for name, value in values.items(multi=True):
            if "\x00" in name or "\x00" in value:
                return name.replace("\x00", "\\0")
    return None


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul():
        if (name := nul_parameter()) is not None:
            raise BadRequest(f"{name}: 不能含 NUL 字符 / must not contain a NUL character (U+0000)")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _wants_json():
            code = (exc.name or "error").lower().replace(" ", "_")
            return {"error": {"code": code, "message": exc.description}}, exc.code
        return render_template("errors/error.html", error=exc, back=came_from()), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        if app.config["PROPAGATE_EXCEPTIONS"]:
            raise exc  # let a test see the real failure
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if _wants_json():
            return {"error": {"code": "internal_error", "message": "internal error"}}, 500
        return render_template("errors/error.html", error=None, back=came_from()), 500

    @app.get("/favicon.ico")
    def favicon():
        """Browsers ask for /favicon.ico whatever the page links; the same small SVG as base.html's icon."""
        return Response(FAVICON.read_bytes(), mimetype="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})
