"""robots.txt: what a site lets us fetch, and how slowly.

``urllib.robotparser`` does the matching; the file itself is fetched with the crawl's
own ``httpx`` client, so it goes through the same host check, timeout and size budget
as every page. The answers follow RFC 9309: no robots.txt (a 4xx) allows everything,
401/403 allow nothing, and a server error (5xx) or an unreachable site allows nothing
for this crawl (the site may be down; nothing is removed on its account).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

USER_AGENT = "FootnoteBot/0.1 (Footnote, an internal knowledge assistant)"
AGENT_TOKEN = "FootnoteBot"
"""The product token a robots.txt group names (``User-agent: FootnoteBot``)."""


@dataclass
class Robots:
    """The parsed rules of one site, and why they are what they are (for the job)."""

    parser: RobotFileParser
    note: str = ""
    """Empty when robots.txt was read or absent; otherwise why nothing may be fetched."""

    @classmethod
    def from_response(cls, status: int, text: str) -> Robots:
        parser = RobotFileParser()
        if status in (401, 403):
            parser.disallow_all = True
            note = f"robots.txt answered HTTP {status}: the site allows no crawling"
            return cls(parser, note)
        if status >= 500:
            parser.disallow_all = True
            note = f"robots.txt answered HTTP {status}: crawl stopped, the next run retries"
            return cls(parser, note)
        parser.parse(text.splitlines() if status == 200 else [])
        return cls(parser)

    @classmethod
    def unreachable(cls, reason: str) -> Robots:
        parser = RobotFileParser()
        parser.disallow_all = True
        return cls(parser, f"robots.txt could not be fetched ({reason}): crawl stopped")

    def allows(self, url: str) -> bool:
        return self.parser.can_fetch(AGENT_TOKEN, url)

    def crawl_delay(self) -> float:
        """The site's ``Crawl-delay`` for us, in seconds (0 when it sets none)."""
        delay = self.parser.crawl_delay(AGENT_TOKEN)
        return float(delay) if delay else 0.0


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"
