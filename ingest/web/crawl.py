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

import time
from collections import deque
from collections.abc import Callable
from urllib.parse import urldefrag, urljoin

import httpx

from ingest.web.extract import ExtractError, Page, page_markdown, read_page
from ingest.web.fetch import Fetcher, PageFailed, PageSkipped, Response, status_reason
from ingest.web.robots import USER_AGENT, Robots, robots_url
from ingest.web.site import CrawlProgress, CrawlReport, Site
from ingest.web.sitemap import read_seeds
from ingest.web.state import PageState, Snapshot, body_hash

_MAX_REDIRECTS = 5
_TIMEOUT_S = 30.0
_ROBOTS_BYTES = 500_000
"""robots.txt is read this far (RFC 9309 asks crawlers to read at least 500 KiB)."""
_SAVE_EVERY = 25
"""Pages between two saves of the state file (a crash loses at most this much)."""


class _AlreadyCrawled(Exception):
    """A redirect to a page this crawl has already dealt with: nothing more to do."""


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
        self.fetcher = Fetcher(client, site.delay_s, sleep)
        self.progress = progress
        self.report = CrawlReport()
        self.robots = Robots.unreachable("not read yet")
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
        self.fetcher.delay_s = max(self.site.delay_s, self.robots.crawl_delay())
        seeds = read_seeds(self.site, self.robots, self.fetcher, self.report.failures)
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
            response = self.fetcher.get(url, {}, _ROBOTS_BYTES, page=False)
        except PageFailed as exc:
            return Robots.unreachable(str(exc))
        text = response.body.decode("utf-8", "replace") if response.status == 200 else ""
        return Robots.from_response(response.status, text)

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
        except PageSkipped as exc:
            self._skip(url, str(exc))
            return []
        except PageFailed as exc:
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
                raise PageSkipped(f"HTTP {response.status}: a broken link")
            self._remove(final)
            self._tell(final, "removed")
            return []
        if response.status != 200:
            raise PageFailed(status_reason(response.status))
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
            raise PageFailed(str(exc)) from None
        links = [link for link in page.links if self.site.contains(link)]
        if page.noindex:
            self._unkeep(final)
            raise PageSkipped("marked noindex: not kept (its links are followed)")
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

    def _fetch(self, url: str) -> Response:
        """GET ``url``, following redirects inside the site, conditionally when known."""
        chain = [url]
        while True:
            response = self.fetcher.get(
                chain[-1], self.snapshot.conditions(chain[-1]), self.site.max_bytes
            )
            if response.status not in (301, 302, 303, 307, 308):
                return response
            location = response.headers.get("location")
            if not location:
                raise PageFailed(f"HTTP {response.status} redirect without a Location")
            target = urldefrag(urljoin(chain[-1], location))[0]
            if target in chain:
                raise PageFailed("redirect loop: " + " → ".join([*chain, target]))
            if len(chain) > _MAX_REDIRECTS:
                raise PageFailed(f"more than {_MAX_REDIRECTS} redirects (to {target})")
            if not self.site.contains(target):
                raise PageSkipped(f"redirects out of the site (to {target}): not followed")
            if not self.robots.allows(target):
                raise PageSkipped(f"redirects to {target}, which robots.txt disallows")
            if target in self._done:
                raise _AlreadyCrawled
            chain.append(target)

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
