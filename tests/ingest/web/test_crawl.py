"""The crawl against a real site on 127.0.0.1: scope, robots.txt, budgets, failures, 304s."""

from __future__ import annotations

from pathlib import Path

from ingest.web import Site, Snapshot, crawl
from tests.ingest.web.conftest import FAILING, GOOD_PAGES, NEVER_FETCHED, web_config
from tests.support.web_server import Route, WebServer


def _crawl(server: WebServer, root: Path, **overrides: object) -> tuple[Snapshot, object]:
    snapshot = Snapshot(root)
    report = crawl(Site.from_config(web_config(server, **overrides)), snapshot)
    return Snapshot(root), report


def test_first_crawl_keeps_pages_and_fails_bad_ones_alone(
    site: tuple[WebServer, WebServer], tmp_path: Path
) -> None:
    server, other = site
    snapshot, report = _crawl(server, tmp_path / "snap")

    files = {p.file: url for url, p in snapshot.pages.items()}
    assert files == {rel: server.url(path) for rel, path in GOOD_PAGES.items()}
    leave = (tmp_path / "snap" / "docs/policies/leave.md").read_text()
    assert f"link: {server.url('/docs/policies/leave.html')}" in leave
    assert "title: Leave policy" in leave
    assert "## Annual leave" in leave and "28 days" in leave
    assert "contact the web team" not in leave  # the footer is boilerplate
    intro = (tmp_path / "snap" / "docs/intro.md").read_text()
    assert "date: '2026-03-02T09:00:00+00:00'" in intro  # Last-Modified

    failures = dict(report.failures)
    assert set(failures) == set(FAILING)
    for rel, reason in FAILING.items():
        assert reason in failures[rel]
    assert "loop-a.html → " in failures["docs/loop-a.md"]
    skipped = dict(report.skipped)
    assert "robots.txt" in skipped["docs/private/secret.md"]
    assert "404" in skipped["docs/broken.md"]
    assert report.complete and report.written == len(GOOD_PAGES)

    for path in NEVER_FETCHED:
        assert server.fetched(path) == []
    assert other.requests == []
    assert len(server.fetched("/docs/guide/setup.html")) == 1  # moved.html does not refetch it
    assert server.fetched("/docs/huge-stream.html")  # asked for, cut at the budget


def test_recrawl_asks_conditionally_and_touches_nothing(
    site: tuple[WebServer, WebServer], tmp_path: Path
) -> None:
    server, _ = site
    _crawl(server, tmp_path / "snap")
    leave = tmp_path / "snap" / "docs/policies/leave.md"
    before = leave.stat().st_mtime_ns
    server.requests.clear()

    _, report = _crawl(server, tmp_path / "snap")
    assert report.written == 0 and report.not_modified == len(GOOD_PAGES)
    assert leave.stat().st_mtime_ns == before
    (second,) = server.fetched("/docs/policies/leave.html")
    assert second.headers.get("If-None-Match", "").startswith('"')
    (intro,) = server.fetched("/docs/intro.html")
    assert intro.headers.get("If-Modified-Since") == "Mon, 02 Mar 2026 09:00:00 GMT"


def test_same_body_without_validators_is_not_rewritten(
    site: tuple[WebServer, WebServer], tmp_path: Path
) -> None:
    server, _ = site
    server.routes["/docs/intro.html"].etag = False
    server.routes["/docs/intro.html"].last_modified = None
    _crawl(server, tmp_path / "snap")
    _, report = _crawl(server, tmp_path / "snap")
    assert report.same_body == 1 and report.not_modified == len(GOOD_PAGES) - 1
    assert report.written == 0


def test_changed_gone_and_unlinked_pages(site: tuple[WebServer, WebServer], tmp_path: Path) -> None:
    server, _ = site
    _crawl(server, tmp_path / "snap")
    server.page(
        "/docs/policies/leave.html",
        "<h1>Leave policy</h1><h2>Annual leave</h2><p>Everyone gets 30 days of annual "
        "leave a year.</p>",
        title="Leave policy",
    )
    server.routes["/docs/intro.html"] = Route.error(410)
    setup = server.routes.pop("/docs/guide/setup.html")
    server.routes["/docs/guide/setup-v2.html"] = setup  # no longer linked under its old URL
    server.routes["/docs/moved.html"] = Route.redirect("/docs/guide/setup-v2.html")

    snapshot, report = _crawl(server, tmp_path / "snap")
    assert "30 days" in (tmp_path / "snap" / "docs/policies/leave.md").read_text()
    assert set(report.removed) == {"docs/intro.md", "docs/guide/setup.md"}
    assert not (tmp_path / "snap" / "docs/intro.md").exists()
    assert {p.file for p in snapshot.pages.values()} == {
        "docs/index.md",
        "docs/policies/leave.md",
        "docs/guide/setup-v2.md",
        "docs/handbook.pdf",
    }


def test_failed_page_keeps_its_previous_version(
    site: tuple[WebServer, WebServer], tmp_path: Path
) -> None:
    server, _ = site
    _crawl(server, tmp_path / "snap")
    server.routes["/docs/guide/setup.html"] = Route.error(503)
    snapshot, report = _crawl(server, tmp_path / "snap")
    assert "the version crawled before stays" in dict(report.failures)["docs/guide/setup.md"]
    assert (tmp_path / "snap" / "docs/guide/setup.md").exists()
    assert "docs/guide/setup.md" not in report.removed


def test_sitemap_start_stays_in_the_prefix(
    site: tuple[WebServer, WebServer], tmp_path: Path
) -> None:
    server, _ = site
    snapshot, report = _crawl(
        server, tmp_path / "snap", url=server.url("/sitemap.xml"), prefix="/docs/"
    )
    files = {p.file for p in snapshot.pages.values()}
    assert {"docs/intro.md", "docs/news.md", "docs/policies/leave.md"} <= files
    assert server.fetched("/outside/page.html") == []

    server.routes["/sitemap.xml"] = Route(
        (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{server.url('/docs/intro.html')}</loc></url></urlset>"
        ).encode(),
        content_type="application/xml",
    )
    snapshot, report = _crawl(
        server, tmp_path / "snap", url=server.url("/sitemap.xml"), prefix="/docs/"
    )
    assert report.removed == ["docs/news.md"]  # gone from the sitemap, linked from no page
    assert report.complete


def test_page_budget_stops_the_crawl_and_removes_nothing(
    site: tuple[WebServer, WebServer], tmp_path: Path
) -> None:
    server, _ = site
    _crawl(server, tmp_path / "snap")
    snapshot, report = _crawl(server, tmp_path / "snap", max_pages=2)
    assert report.pages == 2 and not report.complete and report.removed == []
    assert len(snapshot.pages) == len(GOOD_PAGES)
    assert "page budget reached (max_pages 2)" in dict(report.skipped)[server.url("/docs/")]


def test_politeness_delay_and_crawl_delay(
    site: tuple[WebServer, WebServer], tmp_path: Path
) -> None:
    server, _ = site
    waits: list[float] = []
    config = web_config(server, delay_s=0.5, max_pages=3)
    crawl(Site.from_config(config), Snapshot(tmp_path / "a"), sleep=waits.append)
    assert len(waits) == 3 and all(0 < w <= 0.5 for w in waits)  # robots.txt, then 3 pages

    server.routes["/robots.txt"] = Route(
        b"User-agent: *\nCrawl-delay: 7\nDisallow: /docs/private/\n", content_type="text/plain"
    )
    waits.clear()
    crawl(Site.from_config(config), Snapshot(tmp_path / "b"), sleep=waits.append)
    assert waits and max(waits) > 6


def test_robots_errors_stop_the_crawl_without_removing(
    site: tuple[WebServer, WebServer], tmp_path: Path
) -> None:
    server, _ = site
    _crawl(server, tmp_path / "snap")
    server.routes["/robots.txt"] = Route.error(503)
    server.requests.clear()
    snapshot, report = _crawl(server, tmp_path / "snap")
    assert [r.path for r in server.requests] == ["/robots.txt"]
    assert "robots.txt answered HTTP 503" in report.failures[0][1]
    assert len(snapshot.pages) == len(GOOD_PAGES) and report.removed == []


def test_noindex_and_nofollow(site: tuple[WebServer, WebServer], tmp_path: Path) -> None:
    server, _ = site
    html = (
        '<html><head><meta name="robots" content="noindex, nofollow"></head><body>'
        '<main><h1>Draft</h1><p>Not ready.</p><a href="/docs/hidden.html">x</a></main>'
        "</body></html>"
    )
    server.routes["/docs/intro.html"] = Route(html.encode())
    server.page("/docs/hidden.html", "<h1>Hidden</h1><p>Only linked from a nofollow page.</p>")
    snapshot, report = _crawl(server, tmp_path / "snap")
    assert "noindex" in dict(report.skipped)["docs/intro.md"]
    assert "docs/intro.md" not in {p.file for p in snapshot.pages.values()}
    assert server.fetched("/docs/hidden.html") == []
