"""A small generated intranet site on a real HTTP server, and a second "host" beside it.

The site has pages with headings, a sitemap, a robots.txt that disallows a folder, a
broken link (404), a redirect loop, pages over the size budget (with and without a
Content-Length), a PDF (kept as a document), a binary file (not one), a server error,
a redirect to a page it already has, and links to another host and outside the
crawled prefix, which must never be fetched.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from core.settings import SourceConfig
from tests.ingest.conftest import write_pdf
from tests.support.web_server import Route, WebServer

MAX_BYTES = 50_000
START = "/docs/"
LINKS_FROM_INDEX = (
    "intro.html",
    "guide/setup.html",
    "policies/leave.html",
    "broken.html",
    "loop-a.html",
    "huge.html",
    "huge-stream.html",
    "data.bin",
    "fails.html",
    "moved.html",
    "handbook.pdf",
    "private/secret.html",
    "/outside/page.html",
    "mailto:web@example.com",
    "#top",
)
GOOD_PAGES = {
    "docs/index.md": "/docs/",
    "docs/intro.md": "/docs/intro.html",
    "docs/guide/setup.md": "/docs/guide/setup.html",
    "docs/policies/leave.md": "/docs/policies/leave.html",
    "docs/handbook.pdf": "/docs/handbook.pdf",
}
FAILING = {
    "docs/loop-a.md": "redirect loop",
    "docs/huge.md": "too large",
    "docs/huge-stream.md": "too large",
    "docs/data.bin.md": "not an HTML page (content type application/octet-stream) nor a",
    "docs/fails.md": "HTTP 500",
}
NEVER_FETCHED = ("/docs/private/secret.html", "/outside/page.html")


def build_site(server: WebServer, other: WebServer) -> None:
    """The site as it is on the first crawl (tests change it between crawls)."""
    server.routes["/robots.txt"] = Route(
        b"User-agent: *\nDisallow: /docs/private/\n", content_type="text/plain"
    )
    links = (*LINKS_FROM_INDEX, other.url("/docs/elsewhere.html"))
    server.page(
        "/docs/",
        "<h1>Engineering handbook</h1><p>The handbook of the engineering team: how we "
        "set up machines, take leave and ask for help.</p>",
        title="Engineering handbook",
        links=links,
    )
    server.page(
        "/docs/intro.html",
        "<h1>Welcome</h1><h2>Getting started</h2><p>New engineers pair with a buddy for "
        "their first two weeks and ship a small change on day three.</p><h2>Who to ask"
        "</h2><p>The platform team answers questions in the help channel every morning."
        "</p>",
        title="Welcome",
        links=("guide/setup.html",),
        last_modified="Mon, 02 Mar 2026 09:00:00 GMT",
    )
    server.page(
        "/docs/guide/setup.html",
        "<h1>Machine setup</h1><h2>Install the toolchain</h2><p>Install the compiler "
        "toolchain with rustup and pin the version from the repository's toolchain file."
        "</p><h2>VPN access</h2><p>Request VPN access through the service desk; approval "
        "takes one working day.</p>",
        title="Machine setup",
        links=("../intro.html", "../policies/leave.html"),
    )
    server.page(
        "/docs/policies/leave.html",
        "<h1>Leave policy</h1><h2>Annual leave</h2><p>Everyone gets 28 days of annual "
        "leave a year and may carry over at most five days.</p><h2>Sick leave</h2><p>Tell "
        "your manager before ten o'clock on the first day you are ill.</p>",
        title="Leave policy",
        links=("/docs/",),
    )
    server.page(
        "/docs/news.html",
        "<h1>News</h1><p>The new office opens in spring; only the sitemap links here.</p>",
        title="News",
    )
    server.page("/docs/private/secret.html", "<h1>Secret</h1><p>Salary bands.</p>")
    server.page("/outside/page.html", "<h1>Outside</h1><p>Not in the prefix.</p>")
    other.page("/docs/elsewhere.html", "<h1>Elsewhere</h1><p>Another host.</p>")
    server.routes["/docs/loop-a.html"] = Route.redirect("/docs/loop-b.html", 302)
    server.routes["/docs/loop-b.html"] = Route.redirect("/docs/loop-a.html", 302)
    server.routes["/docs/moved.html"] = Route.redirect("/docs/guide/setup.html")
    huge = ("<p>" + "padding words " * 40 + "</p>") * 200
    server.page("/docs/huge.html", huge)
    server.routes["/docs/huge-stream.html"] = Route(huge.encode(), send_length=False)
    server.routes["/docs/data.bin"] = Route(
        b"\x00\x01binary" * 100, content_type="application/octet-stream"
    )
    server.routes["/docs/fails.html"] = Route.error(500)
    server.routes["/docs/handbook.pdf"] = Route(_pdf(), content_type="application/pdf")
    server.routes["/sitemap.xml"] = Route(
        (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(
                f"<url><loc>{server.url(p)}</loc></url>"
                for p in ("/docs/intro.html", "/docs/news.html", "/outside/page.html")
            )
            + "</urlset>"
        ).encode(),
        content_type="application/xml",
    )


@cache
def _pdf() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "handbook.pdf"
        write_pdf(path, ("The office opens at eight o'clock.", "Visitors sign in at the desk."))
        return path.read_bytes()


@pytest.fixture
def site() -> Iterator[tuple[WebServer, WebServer]]:
    """(the site, another host): both real servers on 127.0.0.1, fresh for each test."""
    server, other = WebServer().start(), WebServer().start()
    build_site(server, other)
    yield server, other
    server.stop()
    other.stop()


def web_config(server: WebServer, **overrides: object) -> SourceConfig:
    values: dict[str, object] = {
        "url": server.url(START),
        "delay_s": 0.0,
        "max_bytes": MAX_BYTES,
        "groups": ["engineering"],
    }
    values.update(overrides)
    return SourceConfig(**values)  # type: ignore[arg-type]
