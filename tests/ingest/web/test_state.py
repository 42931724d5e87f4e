"""The snapshot folder: safe, stable file names, atomic writes, removal."""

from __future__ import annotations

from pathlib import Path

from ingest.web import Snapshot
from ingest.web.state import PageState, page_file


def test_page_files_are_readable_safe_and_distinct() -> None:
    assert page_file("http://h/docs/") == "docs/index.md"
    assert page_file("http://h/") == "index.md"
    assert page_file("http://h/docs/a.html") == "docs/a.md"
    assert page_file("http://h/docs/a") == "docs/a.md"
    assert page_file("http://h/docs/a.html?id=2") != page_file("http://h/docs/a.html?id=3")
    assert page_file("http://h/../../etc/passwd") == "etc/passwd.md"
    assert page_file("http://h/.hidden/x") == "hidden/x.md"  # the scan skips hidden names
    assert page_file("http://h/a%20b/c%0a.html") == "a_b/c_.md"
    assert len(page_file("http://h/" + "x" * 500)) < 100


def test_snapshot_round_trip_and_collisions(tmp_path: Path) -> None:
    snapshot = Snapshot(tmp_path)
    rel = snapshot.file_for("http://h/a.html")
    assert snapshot.write_page(rel, "# A\n") and not snapshot.write_page(rel, "# A\n")
    snapshot.pages["http://h/a.html"] = PageState("http://h/a.html", rel, etag='"1"')
    assert snapshot.file_for("http://h/a") != rel  # same derived name, another page
    snapshot.site = {"url": "http://h/"}
    snapshot.save()

    again = Snapshot(tmp_path)
    assert again.pages["http://h/a.html"].etag == '"1"' and again.site == {"url": "http://h/"}
    snapshot.write_page("deep/er/b.md", "b")
    snapshot.pages["http://h/deep/er/b"] = PageState("http://h/deep/er/b", "deep/er/b.md")
    snapshot.remove("http://h/deep/er/b")
    assert not (tmp_path / "deep").exists()  # empty folders go with their last page
    assert not list(tmp_path.glob(".tmp-*"))


def test_damaged_state_starts_afresh(tmp_path: Path) -> None:
    (tmp_path / ".footnote-web.json").write_text('{"pages": [{"nope": 1}]')
    snapshot = Snapshot(tmp_path)
    assert snapshot.pages == {} and snapshot.site == {}
