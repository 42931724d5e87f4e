"""A fetched page into what the snapshot keeps: its main text as Markdown, its links.

trafilatura finds the main text (navigation, footers and sidebars are left out) and
writes it as Markdown with the page's headings, lists and tables, so the chunker's
sections are the page's own headings. The file starts with front matter: the title,
the page URL as ``link`` (the citation's link) and its Last-Modified as ``date``.
Links are read from the whole page (navigation included: that is how a site is
crawled), and ``<meta name="robots">`` is honoured: ``noindex`` keeps the page out of
the snapshot, ``nofollow`` keeps its links out of the crawl.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import lxml.etree
import lxml.html
import trafilatura
import yaml
from trafilatura.settings import use_config

_CONFIG = use_config()
_CONFIG.set("DEFAULT", "MAX_TREE_SIZE", "200000")
"""Elements trafilatura reads in one page: a bigger tree yields no text (not a hang)."""


class ExtractError(ValueError):
    """A page with nothing to keep; the message is the reason on the job."""


@dataclass
class Page:
    title: str
    markdown: str
    """The main text, or "" when the page holds only links (it is crawled, not kept)."""
    links: list[str] = field(default_factory=list)
    """Absolute http(s) links, fragments dropped, in page order, once each."""
    noindex: bool = False


def read_page(body: bytes, url: str) -> Page:
    """The page's title, main text and links (``ExtractError`` if it is not HTML at all)."""
    try:
        tree = lxml.html.document_fromstring(body)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ExtractError(f"not readable as HTML ({exc})") from None
    robots = " ".join(tree.xpath("//meta[translate(@name,'ROBTS','robts')='robots']/@content"))
    directives = {d.strip().lower() for d in robots.split(",")}
    links = [] if "nofollow" in directives else _links(tree, url)
    text = trafilatura.extract(
        body,
        url=url,
        output_format="markdown",
        include_formatting=True,
        include_tables=True,
        include_links=False,
        include_images=False,
        include_comments=False,
        favor_recall=True,
        config=_CONFIG,
    )
    metadata = trafilatura.extract_metadata(body)
    title = (metadata.title if metadata else None) or _title(tree) or url
    return Page(" ".join(title.split()), (text or "").strip(), links, "noindex" in directives)


def read_page_file(path: Path, url: str) -> Page:
    """``read_page`` of a body saved at ``path``: the form the parse worker runs
    (``ingest.isolation``), so a page that hangs or bloats trafilatura fails alone."""
    return read_page(path.read_bytes(), url)


def page_markdown(page: Page, url: str, last_modified: str | None) -> str:
    """The snapshot file of a page: front matter (title, link, date), then its text."""
    front: dict[str, str] = {"title": page.title, "link": url}
    if moment := _http_date(last_modified):
        front["date"] = moment
    header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=10_000)
    return f"---\n{header}---\n\n{page.markdown}\n"


def _links(tree: lxml.html.HtmlElement, url: str) -> list[str]:
    base = urljoin(url, (tree.xpath("//base/@href") or [url])[0])
    found: dict[str, None] = {}
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        if href is None or "nofollow" in (anchor.get("rel") or "").lower():
            continue
        link = urldefrag(urljoin(base, href.strip()))[0]
        if link.startswith(("http://", "https://")):
            found.setdefault(link, None)
    return list(found)


def _title(tree: lxml.html.HtmlElement) -> str:
    titles = tree.xpath("//title/text()")
    return str(titles[0]) if titles else ""


def _http_date(value: str | None) -> str | None:
    """An HTTP date (``Last-Modified``) as ISO 8601, or None when absent or malformed."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError):
        return None
