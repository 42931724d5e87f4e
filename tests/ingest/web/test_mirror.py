"""A web source as a job: crawled, ingested, searchable and cited by URL, incrementally."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.services import Services
from core.settings import SourceConfig
from ingest import job_events, list_documents, queue_job, run_job, run_pending_jobs
from ingest.isolation import ParseWorker
from ingest.web.extract import ExtractError, read_page
from ingest.web.mirror import isolated_reader
from retrieval import answer, search
from retrieval.types import Done, User
from tests.conftest import make_settings
from tests.ingest.web.conftest import FAILING, GOOD_PAGES, NEVER_FETCHED, web_config
from tests.support.web_server import Route, WebServer

ENGINEER = User("erin", ("all", "engineering"))


@pytest.fixture
def web_services(site: tuple[WebServer, WebServer], tmp_path: Path) -> Iterator[Services]:
    server, _ = site
    svc = Services(make_settings(tmp_path / "footnote", sources={"intranet": web_config(server)}))
    yield svc
    svc.close()


def test_site_ingested_searchable_and_cited_by_url(
    site: tuple[WebServer, WebServer], web_services: Services
) -> None:
    server, other = site
    result = run_job(web_services, "intranet")
    assert result.status == "succeeded", result.error
    assert result.added == len(GOOD_PAGES) and result.chunks_embedded > 0
    assert result.failed == len(FAILING) and result.skipped == 2  # robots.txt, a 404
    failures = dict(result.failures)
    for rel, reason in FAILING.items():
        assert reason in failures[rel]

    events = {(e.path, e.action): e.reason or "" for e in job_events(web_services, result.job_id)}
    assert "robots.txt" in events[("docs/private/secret.md", "skipped")]
    assert "404" in events[("docs/broken.md", "skipped")]
    assert "redirect loop" in events[("docs/loop-a.md", "failed")]
    for path in NEVER_FETCHED:
        assert server.fetched(path) == []
    assert other.requests == []

    docs = {d.path: d for d in list_documents(web_services)}
    assert set(docs) == set(GOOD_PAGES)
    assert docs["docs/policies/leave.md"].title == "Leave policy"
    assert docs["docs/policies/leave.md"].groups == ["engineering"]
    assert list_documents(web_services, user_groups=["all"]) == []

    (best, *_) = search("annual leave carry over", ENGINEER, services=web_services)
    assert best.path == "docs/policies/leave.md" and best.section[-1] == "Annual leave"
    assert search("annual leave carry over", User("guest"), services=web_services) == []

    done = [e for e in answer("How many days of annual leave?", ENGINEER, services=web_services)]
    final = done[-1]
    assert isinstance(final, Done)
    links = {c.path: c.link for c in final.answer.citations}
    assert links.get("docs/policies/leave.md") == server.url("/docs/policies/leave.html")
    assert final.answer.citations[0].to_dict()["link"].startswith(server.origin)

    (pdf, *_) = search("visitors sign in at the desk", ENGINEER, services=web_services)
    assert (pdf.path, pdf.page) == ("docs/handbook.pdf", 2)
    done = list(answer("Where do visitors sign in?", ENGINEER, services=web_services))
    cited = {c.path: c for c in done[-1].answer.citations}  # type: ignore[union-attr]
    assert cited["docs/handbook.pdf"].link == server.url("/docs/handbook.pdf")
    assert cited["docs/handbook.pdf"].page == 2


def test_recrawl_embeds_only_what_changed_and_removes_what_disappeared(
    site: tuple[WebServer, WebServer], web_services: Services
) -> None:
    server, _ = site
    first = run_job(web_services, "intranet")

    again = run_job(web_services, "intranet")
    assert (again.added, again.updated, again.deleted) == (0, 0, 0)
    assert again.unchanged == len(GOOD_PAGES) and again.chunks_embedded == 0
    assert again.failed == len(FAILING)  # still failing, each alone

    server.page(
        "/docs/policies/leave.html",
        "<h1>Leave policy</h1><h2>Annual leave</h2><p>Everyone gets 30 days of annual "
        "leave a year and may carry over at most five days.</p>",
        title="Leave policy",
        links=("/docs/",),
    )
    server.routes["/docs/intro.html"] = Route.error(404)
    changed = run_job(web_services, "intranet")
    assert changed.updated == 1 and changed.deleted == 1 and changed.added == 0
    assert 0 < changed.chunks_embedded < first.chunks_embedded
    paths = {d.path for d in list_documents(web_services)}
    assert paths == set(GOOD_PAGES) - {"docs/intro.md"}
    found = search("buddy for their first two weeks", ENGINEER, services=web_services)
    assert all(p.path != "docs/intro.md" for p in found)
    (best, *_) = search("days of annual leave", ENGINEER, services=web_services)
    assert "30 days" in best.text


def test_ad_hoc_url_is_queued_and_recrawled_from_its_folder(
    site: tuple[WebServer, WebServer], tmp_path: Path
) -> None:
    server, _ = site
    svc = Services(make_settings(tmp_path / "footnote"))
    try:
        from ingest.web import web_source

        name, config = web_source(svc.settings, server.url("/docs/"), delay_s=0, max_bytes=50_000)
        assert name == server.origin.removeprefix("http://").replace(":", "-") + "-docs"
        job_id = queue_job(svc, server.url("/docs/"))
        (result,) = run_pending_jobs(svc)
        assert result.job_id == job_id and result.status == "succeeded", result.error
        assert result.added == len(GOOD_PAGES) and result.failed == len(FAILING)
        assert config.path == svc.settings.data_dir / "web" / name
        again = run_job(svc, server.url("/docs/"))
        assert again.unchanged == len(GOOD_PAGES) and again.chunks_embedded == 0
    finally:
        svc.close()


def test_web_source_config(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from ingest import SourceError, resolve_source
    from ingest.web import web_source

    with pytest.raises(ValidationError, match="needs `path`"):
        SourceConfig()
    with pytest.raises(ValidationError, match="http:// or https://"):
        SourceConfig(url="ftp://files.example.com/")
    settings = make_settings(
        tmp_path,
        sources={
            "kb": SourceConfig(path=tmp_path),
            "handbook": SourceConfig(url="https://intranet.example.com/handbook/intro.html"),
        },
    )
    handbook = settings.sources["handbook"]
    assert handbook.kind == "web" and handbook.path == tmp_path / "web" / "handbook"
    assert resolve_source(settings, "https://intranet.example.com/handbook/intro.html")[0] == (
        "handbook"
    )
    with pytest.raises(SourceError, match="pick another --source name"):
        web_source(settings, "https://other.example.com/", "kb")
    name, config = web_source(settings, "https://wiki.example.com:8443/space/", max_pages=5)
    assert name == "wiki.example.com-8443-space" and config.max_pages == 5
    assert resolve_source(settings, "https://wiki.example.com:8443/space/")[1].max_pages == 5


def test_pages_are_extracted_in_the_parse_worker(tmp_path: Path) -> None:
    """A job reads pages in the killable worker: the same page as in-process, and a page
    over the worker's budget fails alone with the reason (here: a 1 ms time budget)."""
    body = (
        b"<html><head><title>Leave</title></head><body><main><h1>Leave</h1>"
        + (b"<p>Annual leave is 25 days, booked in the HR portal a week ahead.</p>" * 3)
        + b"</main></body></html>"
    )
    url = "http://intranet.test/leave"
    worker = ParseWorker(make_settings(tmp_path / "a"))
    try:
        assert isolated_reader(worker)(body, url) == read_page(body, url)
    finally:
        worker.close()
    hurried = ParseWorker(make_settings(tmp_path / "b", parse_timeout_s=0.001))
    try:
        hurried.start()
        with pytest.raises(ExtractError, match="took longer than"):
            isolated_reader(hurried)(body * 2000, url)
    finally:
        hurried.close()
