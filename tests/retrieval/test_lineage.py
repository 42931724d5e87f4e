"""Versions in answers: the version in force answers, says it was replaced, and conflicts
are named; through the extractive answerer and a real OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import AuditEntry, DocumentLink
from core.services import Services
from retrieval import answer, lineage
from retrieval.records import verify_audit_chain
from retrieval.types import Answer, Done, Notice, User
from tests.conftest import make_settings
from tests.support.openai_server import OpenAIServer, Reply
from tests.support.versions import doc_id, write_versions

EVERYONE = User("ann", groups=("all",))
BOARD = User("bo", groups=("all", "board"))


@pytest.fixture
def versioned(services: Services) -> Services:
    return write_versions(services)


@pytest.fixture
def llm_versioned(tmp_path: Path, openai_server: OpenAIServer) -> Iterator[Services]:
    svc = Services(
        make_settings(
            tmp_path / "llm",
            openai_base_url=openai_server.url,
            openai_api_key="sk-test-not-a-real-key",
            superseded_sources="demote",
        )
    )
    yield write_versions(svc)
    svc.close()


def _ask(question: str, user: User, services: Services) -> tuple[Answer, list[Notice]]:
    events = list(answer(question, user, services=services))
    done = events[-1]
    assert isinstance(done, Done)
    return done.answer, [e for e in events if isinstance(e, Notice) and e.kind != "extractive"]


def test_the_superseded_version_is_left_out_and_the_answer_says_so(versioned: Services) -> None:
    result, notices = _ask("What is the cycle scheme limit?", EVERYONE, versioned)
    assert "£2,500" in result.text and "£1,000" not in result.text
    assert "cycle-2026.md" in {p.path for p in result.passages}
    assert "cycle-2024.md" not in {p.path for p in result.passages}
    (notice,) = notices
    assert notice.kind == "lineage"
    assert notice.message.startswith("Cycle scheme 2024 was left out: replaced on 5 January 2026")
    assert "by Cycle scheme 2026 [1] (a proposed link" in notice.message
    assert result.citations[0].status.startswith("current; proposed to replace")


def test_a_question_about_the_past_gets_the_version_then_in_force(versioned: Services) -> None:
    result, notices = _ask("What time did the canteen open for lunch in 2024?", EVERYONE, versioned)
    assert "11:30" in result.text and "12:15" not in result.text
    assert [n.message for n in notices] == [
        "Canteen hours [1] was in force on 31 December 2024. "
        "Replaced on 1 February 2026 by Food hall."
    ]
    assert result.citations[0].status.startswith("in force on 31 December 2024; superseded by")
    later, _ = _ask("As of 3 February 2026, when did lunch open?", EVERYONE, versioned)
    assert "food-hall.md" in {p.path for p in later.passages}
    assert "canteen.md" not in {p.path for p in later.passages}


def test_a_newer_version_the_asker_may_not_see_is_never_named(versioned: Services) -> None:
    outsider, notices = _ask("What does the mobile app roadmap ship?", EVERYONE, versioned)
    assert "offline maps" in outsider.text
    assert not notices and "Heron" not in outsider.text and "Board" not in outsider.text
    insider, notices = _ask("What does the mobile app roadmap ship?", BOARD, versioned)
    assert "Heron" in insider.text and "offline maps" not in insider.text
    assert "replaced on 10 January 2026 by Board roadmap [1]" in notices[0].message


def test_two_current_sources_that_disagree_are_both_cited(versioned: Services) -> None:
    result, notices = _ask("How long do guest Wi-Fi vouchers last?", EVERYONE, versioned)
    (conflict,) = [n for n in notices if n.kind == "conflict"]
    assert "Guest network [" in conflict.message and "Reception FAQ [" in conflict.message
    assert {p.path for p in result.passages} >= {"wifi.md", "faq.md"}


def test_dates_in_questions() -> None:
    now = datetime(2026, 6, 1)
    assert lineage.asked_date("What was the policy in 2024?", now) == datetime(2024, 12, 31)
    assert lineage.asked_date("as of 1 March 2025, who approved?", now) == datetime(2025, 3, 1)
    assert lineage.asked_date("What applied before March 2025?", now) == datetime(2025, 2, 28)
    assert lineage.asked_date("rules in May 2025", now) == datetime(2025, 5, 31)
    assert lineage.asked_date("on 2025-04-02", now) == datetime(2025, 4, 2)
    assert lineage.asked_date("holidays in 2026", now) is None  # not past yet: the present
    assert lineage.asked_date("How many days of leave?", now) is None


def test_knowledge_manager_changes_are_audited(versioned: Services) -> None:
    old, new = doc_id("wifi.md"), doc_id("faq.md")
    link_id = lineage.set_link(versioned, new, old, "km", ("all",), datetime(2026, 1, 3))
    (info,) = [lk for lk in lineage.links_for(versioned, ("all",)) if lk.id == link_id]
    assert (info.origin, info.status, info.decided_by) == ("manual", "confirmed", "km")
    assert lineage.statuses(versioned)[old] == "superseded by Reception FAQ (3 January 2026)"
    proposal = next(lk for lk in lineage.links_for(versioned) if lk.status == "proposed")
    lineage.decide(versioned, proposal.id, "rejected", "km")
    lineage.unlink(versioned, doc_id("food-hall.md"), doc_id("canteen.md"), "km")
    lineage.unlink(versioned, new, old, "km")
    with versioned.sessions() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["lineage.link", "lineage.reject", "lineage.unlink", "lineage.unlink"]
        kept = session.scalar(
            select(DocumentLink).where(DocumentLink.older_id == doc_id("canteen.md"))
        )
        assert kept is not None and kept.status == "rejected"  # detected: kept, as rejected
        assert session.get(DocumentLink, link_id) is None  # manual: gone
    assert verify_audit_chain(versioned.sessions) is None
    with pytest.raises(lineage.LineageError, match="footnote docs"):
        lineage.set_link(versioned, doc_id("roadmap-board.md"), old, "km", ("all",))
    result, notices = _ask("What is the cycle scheme limit?", EVERYONE, versioned)
    assert "£1,000" in result.text  # the rejected proposal counts no more: two current figures
    assert [n.kind for n in notices] == ["conflict"]


def test_superseded_sources_arrive_marked_in_the_prompt(
    llm_versioned: Services, openai_server: OpenAIServer
) -> None:
    openai_server.script(Reply.text("The limit is £2,500 [1]."))
    result, notices = _ask("What is the cycle scheme limit?", EVERYONE, llm_versioned)
    request = openai_server.requests[-1]
    (marked,) = [b for b in request.superseded_sources().values() if "Cycle scheme 2024" in b]
    assert (
        "title: Cycle scheme 2024" in marked and "status: superseded by Cycle scheme 2026" in marked
    )
    assert "£1,000" in marked
    assert result.text == "The limit is £2,500 [1]." and result.citations[0].status != "current"

    openai_server.script(Reply.text("It opened at 11:30 [1]."))
    _ask("When did the canteen open for lunch in 2024?", EVERYONE, llm_versioned)
    request = openai_server.requests[-1]
    assert "12:15" not in request.prompt
    (marked,) = [b for b in request.superseded_sources().values() if "Canteen hours" in b]
    assert "status: in force on 31 December 2024; superseded by Food hall" in marked
