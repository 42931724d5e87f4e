"""A web source's crawl settings, and what a crawl reports (to the job and the CLI)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from core.settings import SourceConfig


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
