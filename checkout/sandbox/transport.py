"""An HTTP client for stripe-python that hands requests straight to this app (no socket).

The app calls its own sandbox while serving a request; over a socket that would need a
second free worker (a single-threaded server would deadlock), in-process it never does.
"""

from urllib.parse import urlsplit

from flask import Flask
from stripe import HTTPClient


class InProcessHTTPClient(HTTPClient):
    name = "in-process"

    def __init__(self, app: Flask):
        super().__init__()
        self.app = app

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        base_url = f"{parts.scheme}://{parts.netloc}"
        client = self.app.test_client()
        response = client.open(path, method=method.upper(), headers=dict(headers or {}), data=post_data,
                               base_url=base_url)
        body = response.get_data(as_text=True)
        return body, response.status_code, {k.lower(): v for k, v in response.headers.items()}

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):  # pragma: no cover
        raise NotImplementedError("the sandbox does not stream")

    def close(self):
        pass
