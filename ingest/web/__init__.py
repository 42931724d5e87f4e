"""Web sources: a website crawled into a snapshot folder that the folder pipeline ingests.

Public API (everything else in this package is private to it):

- ``run_pass(services, job_id, scope, progress)`` → (``Counts``, seconds per stage): one
  job's pass over any source; a web source (``url``) is crawled first (``ingest.jobs``
  calls this for every job).
- ``web_source(settings, url, name=None)`` → (name, ``SourceConfig``): the source a URL
  names (``footnote ingest URL``), configured or ad hoc.
- ``is_url(target)``; ``crawl(site, snapshot)`` → ``CrawlReport`` and ``Site``,
  ``Snapshot``, ``CrawlProgress`` for tools and tests that crawl without a job.

The modules: ``robots`` (robots.txt), ``site`` (a source's crawl settings and the crawl's
report), ``sitemap`` (where a crawl starts), ``fetch`` (one polite, bounded GET), ``crawl``
(the incremental crawl),
``extract`` (trafilatura: main text as Markdown with headings, links), ``state`` (the
snapshot folder and its per-page URL, ETag, Last-Modified and hash), ``mirror`` (the job).
"""

from ingest.web.crawl import crawl
from ingest.web.mirror import is_url, run_pass, web_source
from ingest.web.site import CrawlProgress, CrawlReport, Site
from ingest.web.state import Snapshot

__all__ = [
    "CrawlProgress",
    "CrawlReport",
    "Site",
    "Snapshot",
    "crawl",
    "is_url",
    "run_pass",
    "web_source",
]
