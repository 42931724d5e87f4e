"""Crawl one site into its snapshot folder: politely, incrementally, one page at a time.

The crawl starts from a page (following its links) or from a sitemap (its ``<loc>``s,
then their links), and never leaves the start URL's scheme, host and port, nor the
path ``prefix``: a link elsewhere is not fetched, a redirect elsewhere is not followed.
robots.txt is read first and obeyed (a disallowed URL is never requested), requests
are spaced by ``delay_s`` (or the site's ``Crawl-delay`` if longer), and at most
``max_pages`` pages are fetched.

It is incremental: a page fetched before is asked for with ``If-None-Match`` /
``If-Modified-Since``; a 304, or a 200 whose body hashes the same, leaves its file
untouched (so the folder pipeline sees nothing to do), and its stored links are
followed. A page answering 404 or 410, marked ``noindex``, now disallowed, or no longer
linked from anywhere (the crawl must have run to its end, within the budget and
without robots.txt failing) is removed from the snapshot, so its document is deleted.

Documents the site serves (PDF, Office files...: what ``ingest.parsing`` reads) are
kept as they are, beside the pages, and parsed by the folder pipeline like any file.

A page is a unit of failure, like a file: a server error, a redirect loop, a body over
``max_bytes``, something neither HTML nor a document type the parsers read, a
connection error each fail that page with a reason (its previous version, if any,
stays) and the crawl goes on.
"""

from __future__ import annotations

import mimetypes
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import PurePosixPath
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
import lxml.etree

from core.settings import SourceConfig
from ingest.parsing import supported_extensions
from ingest.web.extract import ExtractError, Page, page_markdown, read_page
from ingest.web.robots import USER_AGENT, Robots, robots_url
from ingest.web.state import PageState, Snapshot, body_hash

_MAX_REDIRECTS = 5
_TIMEOUT_S = 30.0
_ROBOTS_BYTES = 500_000
"""robots.txt is read this far (RFC 9309 asks crawlers to read at least 500 KiB)."""
_MAX_SITEMAPS = 50
_SAVE_EVERY = 25
"""Pages between two saves of the state file (a crash loses at most this much)."""
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Site:
    """What to crawl and how politely: a web source's settings."""

    url: str
    prefix: str
    max_pages: int
    delay_s: float
    max_bytes: int

    @classmethod
    def from_config(cls, config: SourceConfig) -> Site:
        assert config.url is not None
        start = urlsplit(config.url)
        default = "/" if start.path.endswith(".xml") else start.path.rsplit("/", 1)[0] + "/"
        prefix = config.prefix or default
        return cls(
            url=config.url,
            prefix=prefix if prefix.startswith("/") else "/" + prefix,
            max_pages=config.max_pages,
            delay_s=config.delay_s,
            max_bytes=config.max_bytes,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def contains(self, url: str) -> bool:
        """Same scheme, host and port as the start URL, and under the prefix."""
        parts, start = urlsplit(url), urlsplit(self.url)
        return (
            parts.scheme == start.scheme
            and parts.netloc.lower() == start.netloc.lower()
            and (parts.path or "/").startswith(self.prefix)
        )


@runtime_checkable
class CrawlProgress(Protocol):
    """What a crawl reports as it goes (the CLI shows it before the ingest bar)."""

    def crawled(self, url: str, outcome: str, pages: int, budget: int) -> None: ...


@dataclass
class CrawlReport:
    """What one crawl did; the job records ``failures`` and ``skipped`` as its events."""

    pages: int = 0
    """Page requests made (each counts against ``max_pages``)."""
    written: int = 0
    """Pages whose file was written (new or changed text)."""
    not_modified: int = 0
    """304s: the server said the page did not change."""
    same_body: int = 0
    """200s whose body hashed the same as last time."""
    removed: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(file, reason): pages that failed; their previous version stays."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(file or URL, reason): not kept by rule (robots.txt, noindex, out of the site...)."""
    complete: bool = False
    """The crawl reached its end: pages not reached are gone (and were removed)."""


class _PageFailed(Exception):
    """This page failed; its old version stays and the crawl goes on."""


class _PageSkipped(Exception):
    """This page is not kept, by rule (it is removed if it was)."""


class _AlreadyCrawled(Exception):
    """A redirect to a page this crawl has already dealt with: nothing more to do."""


@dataclass
class _Response:
    url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""
    suffix: str = ".md"
    """``.md`` for a web page (kept as Markdown), else a document's own (``.pdf``...)."""


def crawl(
    site: Site,
    snapshot: Snapshot,
    *,
    client: httpx.Client | None = None,
    progress: CrawlProgress | None = None,
    sleep: Callable[[float], None] = time.sleep,
    reader: Callable[[bytes, str], Page] = read_page,
) -> CrawlReport:
    """Crawl ``site`` into ``snapshot`` (its state saved at the end, and every so often).

    ``reader`` extracts a fetched page; a job passes one that runs in the parse worker
    (``ingest.web.mirror``), tools and tests may read in this process."""
    own = client is None
    client = client or httpx.Client(
        headers={"User-Agent": USER_AGENT}, timeout=_TIMEOUT_S, follow_redirects=False
    )
    try:
        return _Crawl(site, snapshot, client, progress, sleep, reader).run()
    finally:
        if own:
            client.close()


class _Crawl:
    def __init__(
        self,
        site: Site,
        snapshot: Snapshot,
        client: httpx.Client,
        progress: CrawlProgress | None,
        sleep: Callable[[float], None],
        reader: Callable[[bytes, str], Page],
    ) -> None:
        self.site = site
        self.reader = reader
        self.snapshot = snapshot
        self.client = client
        self.progress = progress
        self.sleep = sleep
        self.report = CrawlReport()
        self.robots = Robots.unreachable("not read yet")
        self.delay_s = site.delay_s
        self._last_request: float | None = None
        self._done: set[str] = set()
        """URLs this crawl has dealt with (fetched, failed or skipped): never again."""
        self._kept: set[str] = set()
        """Pages that stay in the snapshot (fetched, or failed with an old version)."""

    # -- the crawl ------------------------------------------------------------------------
    def run(self) -> CrawlReport:
        self.snapshot.root.mkdir(parents=True, exist_ok=True)
        self.snapshot.site = self.site.as_dict()
        self.robots = self._robots()
        if self.robots.note:
            self.report.failures.append((robots_url(self.site.url), self.robots.note))
            self.snapshot.save()
            return self.report
        self.delay_s = max(self.site.delay_s, self.robots.crawl_delay())
        seeds = self._seeds()
        if seeds is None:
            self.snapshot.save()
            return self.report
        queue = deque(seeds)
        queued = set(seeds)
        while queue:
            if self.report.pages >= self.site.max_pages:
                self.report.skipped.append(
                    (
                        self.site.url,
                        f"page budget reached (max_pages {self.site.max_pages}): "
                        f"{len(queue)} queued page(s) not fetched, nothing removed; "
                        "raise max_pages to crawl the whole site",
                    )
                )
                break
            url = queue.popleft()
            for link in self._visit(url):
                if link not in queued and self.site.contains(link):
                    queued.add(link)
                    queue.append(link)
            if self.report.pages % _SAVE_EVERY == 0:
                self.snapshot.save()
        else:
            self.report.complete = True
            for url in [u for u in self.snapshot.pages if u not in self._kept]:
                self._remove(url)
        self.snapshot.save()
        return self.report

    def _robots(self) -> Robots:
        url = robots_url(self.site.url)
        try:
            response = self._get(url, {}, _ROBOTS_BYTES, page=False)
        except _PageFailed as exc:
            return Robots.unreachable(str(exc))
        text = response.body.decode("utf-8", "replace") if response.status == 200 else ""
        return Robots.from_response(response.status, text)

    def _seeds(self) -> list[str] | None:
        """The start page, or the pages a sitemap lists (None: the sitemap failed)."""
        start = self.site.url
        if not urlsplit(start).path.endswith(".xml"):
            return [start]
        pages: list[str] = []
        todo, read = [start], 0
        while todo and read < _MAX_SITEMAPS:
            url = todo.pop(0)
            read += 1
            try:
                if not self.robots.allows(url):
                    raise _PageFailed("robots.txt disallows the sitemap")
                response = self._get(url, {}, self.site.max_bytes, page=False)
                if response.status != 200:
                    raise _PageFailed(f"HTTP {response.status}")
                children, locs = _sitemap(response.body)
            except _PageFailed as exc:
                self.report.failures.append((url, f"sitemap not read: {exc}; crawl stopped"))
                return None
            same_host = [u for u in children if urlsplit(u).netloc == urlsplit(start).netloc]
            todo += same_host
            pages += [u for u in locs if self.site.contains(u)]
        return list(dict.fromkeys(pages))

    # -- one page -------------------------------------------------------------------------
    def _visit(self, url: str) -> list[str]:
        """Fetch one page and keep, refresh or remove its file; the links to follow."""
        if url in self._done:
            return []
        self._done.add(url)
        if not self.robots.allows(url):
            self._skip(url, "disallowed by robots.txt: never fetched")
            return []
        self.report.pages += 1
        try:
            return self._refresh(url)
        except _PageSkipped as exc:
            self._skip(url, str(exc))
            return []
        except _PageFailed as exc:
            return self._fail(url, str(exc))
        except Exception as exc:  # noqa: BLE001 (this page fails, the crawl goes on)
            return self._fail(url, f"{type(exc).__name__}: {str(exc)[:300]}")

    def _refresh(self, url: str) -> list[str]:
        try:
            response = self._fetch(url)
        except _AlreadyCrawled:
            return []
        final = response.url
        self._done.add(final)
        known = self.snapshot.pages.get(final)
        if response.status == 304 and known is not None:
            self._kept.add(final)
            self.report.not_modified += 1
            self._tell(final, "not modified")
            return known.links
        if response.status in (404, 410):
            if known is None:
                raise _PageSkipped(f"HTTP {response.status}: a broken link")
            self._remove(final)
            self._tell(final, "removed")
            return []
        if response.status != 200:
            raise _PageFailed(_status_reason(response.status))
        digest = body_hash(response.body)
        etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
        if known is not None and known.content_hash == digest:
            known.etag, known.last_modified = etag, modified
            self._kept.add(final)
            self.report.same_body += 1
            self._tell(final, "unchanged")
            return known.links
        if response.suffix != ".md":
            self._keep(
                final, response.suffix, response.body, PageState(final, "", etag, modified, digest)
            )
            return []
        try:
            page = self.reader(response.body, final)
        except ExtractError as exc:
            raise _PageFailed(str(exc)) from None
        links = [link for link in page.links if self.site.contains(link)]
        if page.noindex:
            self._unkeep(final)
            raise _PageSkipped("marked noindex: not kept (its links are followed)")
        if not page.markdown:
            self._unkeep(final)
            self._skip(final, "no main text (a page of links only?): its links are followed")
            return links
        text = page_markdown(page, final, modified).encode("utf-8")
        self._keep(final, ".md", text, PageState(final, "", etag, modified, digest, links))
        return links

    def _keep(self, url: str, suffix: str, body: bytes, state: PageState) -> None:
        """Write a page's (or a document's) file if it changed, and remember the page."""
        state.file = self.snapshot.file_for(url, suffix)
        known = self.snapshot.pages.get(url)
        if known is not None and known.file != state.file:
            self.snapshot.remove(url)  # it changed type: its old file goes
        written = self.snapshot.write_document(state.file, body)
        self.snapshot.pages[url] = state
        self._kept.add(url)
        self.report.written += int(written)
        self._tell(url, "changed" if written else "unchanged")

    def _fetch(self, url: str) -> _Response:
        """GET ``url``, following redirects inside the site, conditionally when known."""
        chain = [url]
        while True:
            response = self._get(chain[-1], self._conditions(chain[-1]), self.site.max_bytes)
            if response.status not in (301, 302, 303, 307, 308):
                return response
            location = response.headers.get("location")
            if not location:
                raise _PageFailed(f"HTTP {response.status} redirect without a Location")
            target = urldefrag(urljoin(chain[-1], location))[0]
            if target in chain:
                raise _PageFailed("redirect loop: " + " → ".join([*chain, target]))
            if len(chain) > _MAX_REDIRECTS:
                raise _PageFailed(f"more than {_MAX_REDIRECTS} redirects (to {target})")
            if not self.site.contains(target):
                raise _PageSkipped(f"redirects out of the site (to {target}): not followed")
            if not self.robots.allows(target):
                raise _PageSkipped(f"redirects to {target}, which robots.txt disallows")
            if target in self._done:
                raise _AlreadyCrawled
            chain.append(target)

    def _conditions(self, url: str) -> dict[str, str]:
        known = self.snapshot.pages.get(url)
        headers: dict[str, str] = {}
        if known is not None and known.etag:
            headers["If-None-Match"] = known.etag
        if known is not None and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return headers

    def _get(
        self, url: str, headers: dict[str, str], max_bytes: int, *, page: bool = True
    ) -> _Response:
        """One polite GET; the body is read only for a 200 (of a page or a document the
        parsers read, when ``page``), and only up to ``max_bytes`` (a longer one fails
        unread past the budget)."""
        self._pause()
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                result = _Response(str(response.url), response.status_code, response.headers)
                if response.status_code != 200:
                    return result
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if page:
                    result.suffix = _suffix(url, kind) or ""
                    if not result.suffix:
                        raise _PageFailed(
                            f"not an HTML page (content type {kind}) nor a document type "
                            "Footnote reads (PDF, Office, OpenDocument, text, CSV, e-mail, "
                            "images)"
                        )
                length = response.headers.get("content-length", "")
                if length.isdigit() and int(length) > max_bytes:
                    raise _PageFailed(_too_large(int(length), max_bytes))
                body = bytearray()
                for block in response.iter_bytes():
                    body += block
                    if len(body) > max_bytes:
                        raise _PageFailed(_too_large(None, max_bytes))
                result.body = bytes(body)
                return result
        except httpx.HTTPError as exc:
            raise _PageFailed(f"could not fetch: {type(exc).__name__}: {exc}") from None
        finally:
            self._last_request = time.monotonic()

    def _pause(self) -> None:
        if self._last_request is None or self.delay_s <= 0:
            return
        wait = self.delay_s - (time.monotonic() - self._last_request)
        if wait > 0:
            self.sleep(wait)

    # -- outcomes -------------------------------------------------------------------------
    def _fail(self, url: str, reason: str) -> list[str]:
        """A failed page keeps its previous version, and its known links are followed."""
        known = self.snapshot.pages.get(url)
        if known is not None:
            self._kept.add(url)
            reason += "; the version crawled before stays indexed"
        self.report.failures.append((self.snapshot.file_for(url), f"{reason} ({url})"))
        self._tell(url, "failed")
        return known.links if known is not None else []

    def _skip(self, url: str, reason: str) -> None:
        self._unkeep(url)
        self.report.skipped.append((self.snapshot.file_for(url), f"{reason} ({url})"))
        self._tell(url, "skipped")

    def _unkeep(self, url: str) -> None:
        if url in self.snapshot.pages:
            self._remove(url)

    def _remove(self, url: str) -> None:
        page = self.snapshot.remove(url)
        if page is not None:
            self.report.removed.append(page.file)

    def _tell(self, url: str, outcome: str) -> None:
        if self.progress is not None:
            self.progress.crawled(url, outcome, self.report.pages, self.site.max_pages)


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


def _sitemap(body: bytes) -> tuple[list[str], list[str]]:
    """(child sitemaps, page URLs) of a sitemap or sitemap index (no entities, no network)."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = lxml.etree.fromstring(body, parser=parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise _PageFailed(f"not a valid sitemap ({exc})") from None
    locs = [(e.text or "").strip() for e in root.iter("{*}loc")]
    locs = [urldefrag(u)[0] for u in locs if u.startswith(("http://", "https://"))]
    if lxml.etree.QName(root).localname == "sitemapindex":
        return locs, []
    return [], locs


def _status_reason(status: int) -> str:
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
