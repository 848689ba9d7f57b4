"""A vendor member at the stall over plain HTTP, as a browser is: for fault scripts that run real nodes.

It logs in through the log-in form, uploads a sheet, and reads a job's status JSON, on whichever
node it is given. Cookies are kept by hand: production marks them Secure, which a cookie jar
would not send to http://127.0.0.1, and every node accepts them (one SECRET_KEY).
"""

import json
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class StallClient:
    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self._opener = urllib.request.build_opener(_NoRedirect)

    def request(self, url: str, data: bytes | None = None, content_type: str | None = None,
                timeout: float = 60) -> tuple[int, dict, bytes]:
        """(status, headers, body) without following redirects."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data is not None else "GET")
        try:
            response = self._opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            response = exc
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, dict(response.headers), response.read()

    def csrf(self, url: str) -> str:
        status, _, body = self.request(url)
        found = CSRF.search(body.decode("utf-8", "replace"))
        if status != 200 or not found:
            raise SystemExit(f"no form with a CSRF token at {url} (HTTP {status})")
        return found.group(1) or found.group(2)

    def log_in(self, base: str, email: str, password: str) -> None:
        token = self.csrf(f"{base}/login")
        status, headers, body = self.request(f"{base}/login", _form(csrf_token=token, email=email, password=password),
                                             "application/x-www-form-urlencoded")
        if status != 302:
            raise SystemExit(f"log-in as {email} failed on {base}: HTTP {status}")

    def upload(self, base: str, sheet: Path) -> int:
        """Upload the sheet at the stall; the id of the preview job it started (its columns must map at once)."""
        token = self.csrf(f"{base}/stall/upload")
        boundary = "----bench" + secrets.token_hex(8)
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"sheet\"; filename=\"{sheet.name}\"\r\n"
                "Content-Type: text/csv\r\n\r\n").encode() + sheet.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
        status, headers, _ = self.request(f"{base}/stall/upload", body, f"multipart/form-data; boundary={boundary}")
        return _job_id(status, headers, "upload")

    def apply(self, base: str, upload_id: str) -> int:
        """Apply a previewed upload (all or nothing); the apply job's id."""
        token = self.csrf(f"{base}/stall/uploads/{upload_id}/preview")
        status, headers, _ = self.request(f"{base}/stall/uploads/{upload_id}/apply",
                                          _form(csrf_token=token, mode="all_or_nothing"),
                                          "application/x-www-form-urlencoded")
        return _job_id(status, headers, "apply")

    def job(self, base: str, job_id: int) -> dict:
        status, _, body = self.request(f"{base}/stall/jobs/{job_id}.json", timeout=10)
        if status != 200:
            raise SystemExit(f"job {job_id} status on {base}: HTTP {status}")
        return json.loads(body)


def _form(**fields: str) -> bytes:
    return urllib.parse.urlencode(fields).encode()


def _job_id(status: int, headers: dict, what: str) -> int:
    found = re.search(r"/stall/jobs/(\d+)$", headers.get("Location", "")) if status == 302 else None
    if not found:
        raise SystemExit(f"the {what} did not start a job: HTTP {status}, Location {headers.get('Location')!r}")
    return int(found.group(1))
