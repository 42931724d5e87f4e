"""Where a crawl starts: the start page, or the pages a sitemap (or sitemap index) lists."""

from __future__ import annotations

from urllib.parse import urldefrag, urlsplit

import lxml.etree

from ingest.web.fetch import Fetcher, PageFailed
from ingest.web.robots import Robots
from ingest.web.site import Site

_MAX_SITEMAPS = 50


def read_seeds(
    site: Site, robots: Robots, fetcher: Fetcher, failures: list[tuple[str, str]]
) -> list[str] | None:
    """The start page, or the pages a sitemap lists (None: the sitemap failed)."""
    start = site.url
    if not urlsplit(start).path.endswith(".xml"):
        return [start]
    pages: list[str] = []
    todo, read = [start], 0
    while todo and read < _MAX_SITEMAPS:
        url = todo.pop(0)
        read += 1
        try:
            if not robots.allows(url):
                raise PageFailed("robots.txt disallows the sitemap")
            response = fetcher.get(url, {}, site.max_bytes, page=False)
            if response.status != 200:
                raise PageFailed(f"HTTP {response.status}")
            children, locs = _sitemap(response.body)
        except PageFailed as exc:
            failures.append((url, f"sitemap not read: {exc}; crawl stopped"))
            return None
        same_host = [u for u in children if urlsplit(u).netloc == urlsplit(start).netloc]
        todo += same_host
        pages += [u for u in locs if site.contains(u)]
    return list(dict.fromkeys(pages))


def _sitemap(body: bytes) -> tuple[list[str], list[str]]:
    """(child sitemaps, page URLs) of a sitemap or sitemap index (no entities, no network)."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = lxml.etree.fromstring(body, parser=parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise PageFailed(f"not a valid sitemap ({exc})") from None
    locs = [(e.text or "").strip() for e in root.iter("{*}loc")]
    locs = [urldefrag(u)[0] for u in locs if u.startswith(("http://", "https://"))]
    if lxml.etree.QName(root).localname == "sitemapindex":
        return locs, []
    return [], locs
