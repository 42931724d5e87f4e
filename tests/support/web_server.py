"""A real website on 127.0.0.1 for crawler tests: pages, robots.txt, sitemaps, errors.

Each route is a ``Route`` (a body, a status, a content type, headers); the server adds
an ``ETag`` (a hash of the body) and, when the route has one, ``Last-Modified``, and
answers 304 to a matching ``If-None-Match`` / ``If-Modified-Since`` like a real server.
Routes can be changed between crawls (``server.routes[path] = ...``) and every request
is recorded (``server.requests``: path and headers), so tests can see what was fetched
and how.

    server.page("/docs/", "<h1>Docs</h1><p>...</p>", links=["intro.html"])
    server.routes["/old"] = Route.redirect("/new")
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: str | None = None
    etag: bool = True
    send_length: bool = True
    """False: no Content-Length, the body ends when the connection closes."""

    @classmethod
    def redirect(cls, location: str, status: int = 301) -> Route:
        return cls(status=status, headers={"Location": location}, etag=False)

    @classmethod
    def error(cls, status: int) -> Route:
        return cls(f"<h1>Error {status}</h1>".encode(), status=status, etag=False)


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]


class WebServer:
    """A threaded HTTP server on an ephemeral port of 127.0.0.1."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def origin(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.origin + path

    def page(
        self,
        path: str,
        body_html: str,
        *,
        title: str = "",
        links: tuple[str, ...] | list[str] = (),
        last_modified: str | None = None,
    ) -> None:
        """An HTML page with a navigation bar of ``links`` and ``body_html`` as its main text."""
        nav = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
        html = (
            f"<!doctype html><html><head><title>{title or path}</title></head><body>"
            f"<nav><ul>{nav}</ul></nav><main>{body_html}</main>"
            "<footer><p>Quillfield intranet · contact the web team</p></footer></body></html>"
        )
        self.routes[path] = Route(html.encode("utf-8"), last_modified=last_modified)

    def fetched(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> WebServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler(server: WebServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            with server._lock:
                server.requests.append(Request(self.path, dict(self.headers.items())))
            route = server.routes.get(self.path)
            if route is None:
                route = Route.error(404)
            etag = f'"{hashlib.sha256(route.body).hexdigest()[:16]}"' if route.etag else None
            if route.status == 200 and self._not_modified(etag, route.last_modified):
                self.send_response(304)
                if etag:
                    self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.send_length:
                self.send_header("Content-Length", str(len(route.body)))
            else:
                self.close_connection = True
            if etag:
                self.send_header("ETag", etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.end_headers()
            # The crawler may stop reading (a body over its budget).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(route.body)

        def _not_modified(self, etag: str | None, last_modified: str | None) -> bool:
            if etag and self.headers.get("If-None-Match"):
                return self.headers["If-None-Match"] == etag
            since = self.headers.get("If-Modified-Since")
            return bool(last_modified and since == last_modified)

    return Handler
