"""Error pages: a clear message in both languages, never a stack trace or SQL; /favicon.ico."""

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

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


def init_app(app: Flask) -> None:
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
