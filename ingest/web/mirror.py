"""A web source in a job: crawl the site into its snapshot folder, then ingest the folder.

The folder pipeline does the rest unchanged: pages whose file did not change are not
read, changed ones are re-chunked and only their new text embedded, removed ones are
deleted. What the crawl could not keep is recorded on the job like a file's failure:
a ``failed`` event with its reason (counted in the job's ``failed``), or a ``skipped``
one (robots.txt, a broken link, out of the site, the page budget).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from core.db import JobEvent, utcnow
from core.services import Services
from core.settings import Settings, SourceConfig
from ingest.pipeline import Counts, Pass, Progress
from ingest.web.crawl import CrawlProgress, CrawlReport, Site, crawl
from ingest.web.state import Snapshot


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def web_source(settings: Settings, url: str, name: str | None = None) -> tuple[str, SourceConfig]:
    """The source a URL names: a configured web source with that URL, else an ad-hoc one
    named after its host (or ``name``) whose snapshot remembers the site, so the job can
    be queued, run and retried from the folder alone."""
    configured = next((n for n, c in settings.sources.items() if c.url == url), None)
    if configured is not None and name in (None, configured):
        return configured, settings.sources[configured]
    chosen = name or re.sub(r"[^\w.-]+", "-", urlsplit(url).netloc).strip("-") or "web"
    if chosen in settings.sources:
        return chosen, settings.sources[chosen].model_copy(update={"url": url})
    config = SourceConfig(url=url, path=settings.data_dir / "web" / chosen)
    assert config.path is not None
    snapshot = Snapshot(config.path)
    snapshot.site = Site.from_config(config).as_dict()
    config.path.mkdir(parents=True, exist_ok=True)
    snapshot.save()
    return chosen, config


def site_of(config: SourceConfig) -> Site | None:
    """The site a source crawls: its ``url``, or the one its snapshot folder remembers."""
    if config.url is not None:
        return Site.from_config(config)
    if config.path is None:
        return None
    record = Snapshot(config.path).site if Path(config.path).is_dir() else {}
    return Site(**record) if record else None


def run_pass(
    services: Services,
    job_id: int,
    source: str,
    config: SourceConfig,
    within: tuple[Path, ...] = (),
    progress: Progress | None = None,
) -> Counts:
    """One job's pass over a source; a website is crawled into its snapshot first."""
    site = site_of(config)
    if site is None:
        return Pass(services, job_id, source, config, within, progress).run()
    assert config.path is not None
    report = crawl(
        site,
        Snapshot(config.path),
        progress=progress if isinstance(progress, CrawlProgress) else None,
    )
    _record(services, job_id, report)
    folder = Pass(services, job_id, source, config, within, progress)
    folder.counts.failed = len(report.failures)
    folder.counts.failures = list(report.failures)
    return folder.run()


def _record(services: Services, job_id: int, report: CrawlReport) -> None:
    """The crawl's failures and skips as the job's events (the pass records the rest)."""
    now = utcnow()
    with services.sessions() as session:
        for action, outcomes in (("failed", report.failures), ("skipped", report.skipped)):
            for path, reason in outcomes:
                session.add(
                    JobEvent(
                        job_id=job_id,
                        path=path[:1000],
                        action=action,
                        reason=reason,
                        chunks=0,
                        duration_ms=0.0,
                        at=now,
                    )
                )
        session.commit()
