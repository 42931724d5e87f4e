"""A web source in a job: crawl the site into its snapshot folder, then ingest the folder.

The folder pipeline does the rest unchanged: pages whose file did not change are not
read, changed ones are re-chunked and only their new text embedded, removed ones are
deleted. What the crawl could not keep is recorded on the job like a file's failure:
a ``failed`` event with its reason (counted in the job's ``failed``), or a ``skipped``
one (robots.txt, a broken link, out of the site, the page budget).
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from core.db import Document
from core.services import Services
from core.settings import Settings, SourceConfig
from ingest import pipeline
from ingest.isolation import ParseWorker, shared_worker
from ingest.parsing import ParseError
from ingest.report import Counts, Progress
from ingest.scope import JobScope
from ingest.sources import SourceError
from ingest.web.crawl import crawl
from ingest.web.extract import ExtractError, Page, read_page_file
from ingest.web.site import CrawlProgress, Site
from ingest.web.state import Snapshot


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def web_source(
    settings: Settings, url: str, name: str | None = None, **crawl: Any
) -> tuple[str, SourceConfig]:
    """The source a URL names: a configured web source with that URL, else an ad-hoc one
    named after its host and folder (or ``name``). ``crawl`` overrides its crawl settings
    (``prefix``, ``max_pages``, ``delay_s``, ``max_bytes``). An ad-hoc site's snapshot
    remembers them, so its job can be queued, run and retried from the folder alone, and
    the next ``footnote ingest URL`` crawls it the same way."""
    configured = next((n for n, c in settings.sources.items() if c.url == url), None)
    chosen = name or configured
    if chosen is not None and chosen in settings.sources:
        if settings.sources[chosen].url != url:
            raise SourceError(
                f"source {chosen!r} in footnote.toml is not the site {url}: "
                "pick another --source name"
            )
        return chosen, settings.sources[chosen].model_copy(update=crawl)
    if chosen is None:  # host and folder: two sites of one host are two sources
        start = urlsplit(url)
        where = start.netloc + start.path.rsplit("/", 1)[0]
        chosen = re.sub(r"[^\w.-]+", "-", where).strip("-") or "web"
    path = settings.data_dir / "web" / chosen
    snapshot = Snapshot(path)
    remembered = snapshot.site if snapshot.site.get("url") == url else {}
    known = {k: v for k, v in remembered.items() if k in _CRAWL_KEYS}
    config = SourceConfig(url=url, path=path, **{**known, **crawl})
    snapshot.site = Site.from_config(config).as_dict()
    path.mkdir(parents=True, exist_ok=True)
    snapshot.save()
    return chosen, config


_CRAWL_KEYS = ("prefix", "max_pages", "delay_s", "max_bytes")


def site_of(config: SourceConfig) -> Site | None:
    """The site a source crawls: its ``url``, or the one its snapshot folder remembers."""
    if config.url is not None:
        return Site.from_config(config)
    record = Snapshot(config.path).site if config.path is not None else {}
    try:
        return Site(**record) if record else None
    except TypeError:
        return None  # a record from another version: the folder is ingested as it is


def run_pass(
    services: Services, job_id: int, scope: JobScope, progress: Progress | None = None
) -> tuple[Counts, Counter[str]]:
    """One job's pass over a source (``ingest.pipeline.run_pass``); a website is crawled
    into its snapshot folder first, and the crawl's failures count as the job's."""
    site = site_of(scope.config)
    if site is None:
        return pipeline.run_pass(services, job_id, scope, progress)
    assert scope.config.path is not None
    report = crawl(
        site,
        Snapshot(scope.config.path),
        progress=progress if isinstance(progress, CrawlProgress) else None,
        reader=isolated_reader(shared_worker(services.settings)),
    )
    counts, stages = pipeline.run_pass(
        services,
        job_id,
        scope,
        progress,
        crawl_failed=report.failures,
        crawl_skipped=report.skipped,
    )
    _link_documents(services, scope.source, Snapshot(scope.config.path))
    return counts, stages


def isolated_reader(worker: ParseWorker) -> Callable[[bytes, str], Page]:
    """A page reader that extracts in ``worker``, under the parse budgets: a page that
    hangs trafilatura or takes all its memory fails alone, with the reason."""

    def read(body: bytes, url: str) -> Page:
        with tempfile.TemporaryDirectory(prefix="footnote-page-") as folder:
            saved = Path(folder) / "page.html"
            saved.write_bytes(body)
            try:
                return worker.run(read_page_file, saved, url)
            except ParseError as exc:
                raise ExtractError(str(exc)) from None

    return read


def _link_documents(services: Services, source: str, snapshot: Snapshot) -> None:
    """Give documents the site served (a PDF...) their URL as ``link``, which a page's
    Markdown carries in its front matter: citations link to it (``retrieval.citations``)."""
    links = {p.file: p.url for p in snapshot.pages.values() if not p.file.endswith(".md")}
    if not links:
        return
    with services.sessions() as session:
        query = select(Document).where(Document.source == source, Document.path.in_(links))
        for doc in session.scalars(query):
            if doc.meta.get("link") != links[doc.path]:
                doc.meta = {**doc.meta, "link": links[doc.path]}
        session.commit()
