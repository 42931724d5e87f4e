"""A website's snapshot folder: one Markdown file per page, and what the crawl knows.

The folder is what the ordinary folder pipeline ingests, so its change detection does
the rest: a page's file is rewritten only when its text changed (an unchanged page
keeps its size and mtime, and is not even read again), and a page whose file is
removed is deleted from the index. Beside the pages, a hidden state file (never a
document: the scan skips hidden files) records for every page its URL, file, ETag,
Last-Modified, content hash and the in-site links found on it, so a re-crawl asks
``If-None-Match`` / ``If-Modified-Since`` and, on a 304, still follows the page's links.
It also records the site's crawl settings, so an ad-hoc site (``footnote ingest URL``)
can be re-crawled, queued or retried by its folder alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

STATE_FILE = ".footnote-web.json"
_SEGMENT_CHARS = 80
_UNSAFE = re.compile(r"[^\w.\-]+")


@dataclass
class PageState:
    """What the last crawl that fetched a page learnt about it."""

    url: str
    file: str
    """The page's file in the snapshot, relative, forward slashes: its document path."""
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str = ""
    """sha256 of the body as served: the same body is not extracted again."""
    links: list[str] = field(default_factory=list)
    """In-site links on the page, followed again when the server answers 304."""


class Snapshot:
    """The snapshot folder of one site; ``save()`` writes the state file atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.site: dict[str, Any] = {}
        self.pages: dict[str, PageState] = {}
        path = root / STATE_FILE
        if not path.is_file():
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            self.site = dict(data.get("site") or {})
            self.pages = {p["url"]: PageState(**p) for p in data.get("pages", [])}
        except (ValueError, TypeError, KeyError, AttributeError):
            # Damaged (edited by hand?): crawl afresh. Every page is fetched without
            # conditions, and a file is still rewritten only if its text changed.
            self.site, self.pages = {}, {}

    def save(self) -> None:
        data = {"site": self.site, "pages": [asdict(p) for p in self.pages.values()]}
        _write_atomic(self.root / STATE_FILE, json.dumps(data, indent=1, sort_keys=True))

    def file_for(self, url: str, suffix: str = ".md") -> str:
        """The page's file: its known one, else one derived from its URL path that no
        other page holds (``/docs/`` → ``docs/index.md``, ``/a.html?x=1`` → ``a-<hash>.md``);
        a document keeps its own ``suffix`` (``/files/plan.pdf`` → ``files/plan.pdf``)."""
        known = self.pages.get(url)
        if known is not None and known.file.endswith(suffix):
            return known.file
        taken = {p.file for u, p in self.pages.items() if u != url}
        rel = page_file(url, suffix)
        if rel in taken:
            rel = f"{rel.removesuffix(suffix)}-{_short_hash(url)}{suffix}"
        return rel

    def write_page(self, rel: str, text: str) -> bool:
        """Write a page's Markdown unless the file already holds exactly it (True if written)."""
        return self.write_document(rel, text.encode("utf-8"))

    def write_document(self, rel: str, body: bytes) -> bool:
        """Write a file unless it already holds exactly ``body`` (True if written): an
        unchanged file keeps its mtime, so the folder pipeline does not even read it."""
        path = self.root / rel
        if path.is_file() and path.read_bytes() == body:
            return False
        _write_atomic(path, body)
        return True

    def conditions(self, url: str) -> dict[str, str]:
        """The conditional-GET headers for ``url`` from what was served last time."""
        known = self.pages.get(url)
        headers: dict[str, str] = {}
        if known is not None and known.etag:
            headers["If-None-Match"] = known.etag
        if known is not None and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return headers

    def remove(self, url: str) -> PageState | None:
        """Forget a page and delete its file (the next ingest deletes its document)."""
        page = self.pages.pop(url, None)
        if page is not None:
            (self.root / page.file).unlink(missing_ok=True)
            _prune_empty(self.root, (self.root / page.file).parent)
        return page


def page_file(url: str, suffix: str = ".md") -> str:
    """A readable, safe relative file name for a page (see ``Snapshot.file_for``)."""
    parts = urlsplit(url)
    names = unquote(parts.path).split("/")
    segments = [_safe_segment(s) for s in names if s not in ("", ".", "..")]
    if not segments or parts.path.endswith("/"):
        segments.append("index")
    dropped = r"\.(html?|php|aspx?|jsp|md)$" if suffix == ".md" else re.escape(suffix) + "$"
    segments[-1] = re.sub(dropped, "", segments[-1], flags=re.IGNORECASE) or "index"
    if parts.query:
        segments[-1] += f"-{_short_hash(parts.query)}"
    return "/".join(segments) + suffix


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _safe_segment(segment: str) -> str:
    """No hidden names (the scan would skip them), no separators, bounded length."""
    safe = _UNSAFE.sub("_", segment).lstrip(".") or "_"
    if len(safe) > _SEGMENT_CHARS:
        safe = f"{safe[: _SEGMENT_CHARS - 9]}-{_short_hash(segment)}"
    return safe


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _write_atomic(path: Path, data: str | bytes) -> None:
    """Write through a temporary file and a rename: a reader never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _prune_empty(root: Path, folder: Path) -> None:
    while folder != root and root in folder.parents and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
