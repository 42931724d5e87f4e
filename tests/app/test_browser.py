"""The app in a real browser, served the way ``make run`` serves it.

A fresh data directory, ``footnote db upgrade`` and ``footnote ingest sample`` as
commands, then ``footnote app`` on a free port of 127.0.0.1; Debian's chromium,
driven by Playwright, asks a question from the sample eval set, opens a footnote,
rates the answer, runs an ingestion job from the Ingestion page, confirms a proposed
version link in the Library, and takes a screenshot of every page (into
``artifacts/screenshots``, printed at the end).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from core.db import AuditEntry, DocumentLink, Feedback, Job
from tests.conftest import REPO, SAMPLE_CORPUS, SAMPLE_EVALS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
FOOTNOTE = Path(sys.executable).parent / "footnote"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WAIT_MS = 120_000
"""Generous on purpose: the first answer loads the embedding model (a few seconds)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _clean_env(data_dir: Path, config: Path) -> dict[str, str]:
    """This machine's environment without keys or Footnote settings, plus the test's."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FOOTNOTE_", "OPENAI_", "QDRANT_")) and key != "DATABASE_URL"
    }
    env.update(FOOTNOTE_DATA_DIR=str(data_dir), FOOTNOTE_CONFIG=str(config))
    return env


def _footnote(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [str(FOOTNOTE), *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"footnote {' '.join(args)}:\n{result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def server() -> Iterator[dict[str, object]]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    root = ARTIFACTS / "browser-run"  # kept after the run: server.log tells what went wrong
    shutil.rmtree(root, ignore_errors=True)
    inbox = root / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "parking.md").write_text(
        "# Parking\n\nVisitors park on level -2; ask reception for a day pass.\n"
    )
    config = root / "footnote.toml"
    config.write_text(
        f'[sources.sample]\npath = "{SAMPLE_CORPUS}"\n\n'
        f'[sources.inbox]\npath = "{inbox}"\n\n'
        '[group_map]\nlocal = ["all", "admin", "hr", "finance", "engineering", "leadership"]\n'
    )
    env = _clean_env(root / "data", config)
    _footnote(env, "db", "upgrade")
    _footnote(env, "ingest", "sample")

    port = _free_port()
    log = (root / "server.log").open("w")
    proc = subprocess.Popen(
        [str(FOOTNOTE), "app", "--port", str(port)],
        env=env,
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=1).text == "ok":
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.terminate()
        pytest.fail(f"footnote app did not start:\n{(root / 'server.log').read_text()}")
    yield {"url": url, "sql": f"sqlite:///{root / 'data' / 'footnote.db'}", "root": root}
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def _first_eval_question() -> str:
    for line in SAMPLE_EVALS.read_text(encoding="utf-8").splitlines():
        item = json.loads(line) if line.strip() else {}
        if item.get("question") and item.get("answerable", True) and not item.get("history"):
            return str(item["question"])
    pytest.fail(f"no answerable question in {SAMPLE_EVALS}")


def test_ask_cite_rate_ingest_and_screenshot_every_page(server: dict[str, object]) -> None:
    from playwright.sync_api import expect, sync_playwright

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    question = _first_eval_question()
    url = str(server["url"])

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(WAIT_MS)
        expect.set_options(timeout=WAIT_MS)
        page.goto(url)
        expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible()
        expect(page.get_by_text("Try one of these")).to_be_visible()
        page.screenshot(path=SCREENSHOTS / "1-ask-empty.png", full_page=True)

        # Ask, and wait for the streamed answer to settle with its sources.
        page.get_by_test_id("stChatInputTextArea").fill(question)
        page.keyboard.press("Enter")
        messages = page.get_by_test_id("stChatMessage")
        expect(messages).to_have_count(2)
        thumbs_up = page.get_by_role("radio", name="Thumbs up")
        expect(thumbs_up).to_be_visible()  # shown once the answer is stored, with its sources

        # Open the first footnote: it names its source document.
        card = page.get_by_test_id("stExpander").first
        card.locator("summary").click()
        expect(card.get_by_text("sample /")).to_be_visible()
        page.wait_for_timeout(500)  # the expander's opening animation
        page.screenshot(path=SCREENSHOTS / "2-ask-answer.png", full_page=True)

        # Thumbs up, with a comment.
        thumbs_up.click()
        page.get_by_label("Anything to add? (optional)").fill("Clear and well sourced.")
        page.get_by_role("button", name="Send feedback").click()
        expect(page.get_by_text("your feedback is saved")).to_be_visible()

        # Ingestion: run the small inbox source and wait for its job to finish.
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Ingestion").click()
        expect(page.get_by_role("heading", name="Ingestion")).to_be_visible()
        page.get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name="inbox").click()
        page.get_by_role("button", name="Run ingestion").click()
        expect(page.get_by_text(re.compile(r"Job \d+ queued for inbox"))).to_be_visible()
        expect(page.locator(".st-key-job-summary")).to_contain_text("succeeded inbox")
        page.screenshot(path=SCREENSHOTS / "3-ingestion.png", full_page=True)

        for n, name in enumerate(["Library", "Evals", "Usage"], start=4):
            page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
            expect(page.get_by_role("heading", name=name)).to_be_visible()
            page.wait_for_timeout(1500)  # let charts draw before the picture
            page.screenshot(path=SCREENSHOTS / f"{n}-{name.lower()}.png", full_page=True)

        # Library, versions: the proposal found by title is confirmed by a person.
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Library").click()
        expect(page.get_by_role("heading", name="Versions")).to_be_visible()
        expect(page.get_by_role("heading", name="Due for review")).to_be_visible()
        proposal = page.get_by_text("Proposed: Sabbatical leave supersedes Sabbatical leave")
        expect(proposal).to_be_visible()
        page.get_by_role("button", name="Confirm").first.click()
        expect(proposal).to_have_count(0)
        page.screenshot(path=SCREENSHOTS / "7-library-versions.png", full_page=True)
        browser.close()

    engine = create_engine(str(server["sql"]))
    with engine.connect() as conn:
        ratings = conn.execute(select(Feedback.rating, Feedback.comment)).all()
        jobs = conn.execute(select(Job.source, Job.status, Job.added)).all()
        links = conn.execute(select(DocumentLink.origin, DocumentLink.status)).all()
        audit = conn.execute(select(AuditEntry.action)).scalars().all()
    assert (1, "Clear and well sourced.") in [tuple(r) for r in ratings]
    assert ("inbox", "succeeded", 1) in [tuple(j) for j in jobs]
    assert ("proposed", "confirmed") in [tuple(lk) for lk in links] and "lineage.confirm" in audit
    print(f"\nscreenshots: {SCREENSHOTS}")
