"""One polite GET at a time: spaced by the site's delay, bodies read only up to a budget.

A page's failure is ``PageFailed`` (its reason is what the job records), a page left out
by rule is ``PageSkipped``; the crawl (``ingest.web.crawl``) turns both into outcomes.
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import httpx

from ingest.parsing import supported_extensions

_HTML_TYPES = ("text/html", "application/xhtml+xml")


class PageFailed(Exception):
    """This page failed; its old version stays and the crawl goes on."""


class PageSkipped(Exception):
    """This page is not kept, by rule (it is removed if it was)."""


@dataclass
class Response:
    url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""
    suffix: str = ".md"
    """``.md`` for a web page (kept as Markdown), else a document's own (``.pdf``...)."""


class Fetcher:
    """GETs through ``client``, at least ``delay_s`` apart (``sleep`` waits)."""

    def __init__(
        self, client: httpx.Client, delay_s: float, sleep: Callable[[float], None]
    ) -> None:
        self.client = client
        self.delay_s = delay_s
        self.sleep = sleep
        self._last_request: float | None = None

    def get(
        self, url: str, headers: dict[str, str], max_bytes: int, *, page: bool = True
    ) -> Response:
        """One polite GET; the body is read only for a 200 (of a page or a document the
        parsers read, when ``page``), and only up to ``max_bytes`` (a longer one fails
        unread past the budget)."""
        self._pause()
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                result = Response(str(response.url), response.status_code, response.headers)
                if response.status_code != 200:
                    return result
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if page:
                    result.suffix = _suffix(url, kind) or ""
                    if not result.suffix:
                        raise PageFailed(
                            f"not an HTML page (content type {kind}) nor a document type "
                            "Footnote reads (PDF, Office, OpenDocument, text, CSV, e-mail, "
                            "images)"
                        )
                length = response.headers.get("content-length", "")
                if length.isdigit() and int(length) > max_bytes:
                    raise PageFailed(_too_large(int(length), max_bytes))
                body = bytearray()
                for block in response.iter_bytes():
                    body += block
                    if len(body) > max_bytes:
                        raise PageFailed(_too_large(None, max_bytes))
                result.body = bytes(body)
                return result
        except httpx.HTTPError as exc:
            raise PageFailed(f"could not fetch: {type(exc).__name__}: {exc}") from None
        finally:
            self._last_request = time.monotonic()

    def _pause(self) -> None:
        if self._last_request is None or self.delay_s <= 0:
            return
        wait = self.delay_s - (time.monotonic() - self._last_request)
        if wait > 0:
            self.sleep(wait)


def _suffix(url: str, kind: str) -> str | None:
    """``.md`` for a web page (kept as Markdown), a document's own suffix when the
    parsers read it (from the URL, else the content type), or None."""
    if kind in _HTML_TYPES or not kind:
        return ".md"
    documents = _documents()
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if suffix in documents:
        return suffix
    guessed = mimetypes.guess_extension(kind)
    return guessed if guessed in documents else None


@cache
def _documents() -> frozenset[str]:
    """Document types kept as they are served. Not Markdown: its front matter could name
    access groups, and a site's pages take theirs from the source alone."""
    return frozenset(supported_extensions()) - {".html", ".htm", ".md", ".markdown"}


def status_reason(status: int) -> str:
    if status >= 500:
        return f"HTTP {status}: the server failed; the next crawl retries"
    if status in (401, 403):
        return f"HTTP {status}: the page needs a login the crawler does not have"
    if status == 429:
        return "HTTP 429: the site asks for fewer requests; raise delay_s"
    return f"HTTP {status}: not a page"


def _too_large(size: int | None, max_bytes: int) -> str:
    shown = f"{_bytes(size)} > " if size is not None else "more than "
    return (
        f"too large: {shown}max_bytes {_bytes(max_bytes)}; "
        "raise max_bytes for this source or leave the page out"
    )


def _bytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1_000_000 else f"{size / 1e3:.0f} kB"
