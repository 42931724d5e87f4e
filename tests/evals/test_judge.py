"""The LLM judge against a real OpenAI-compatible server on 127.0.0.1, scripted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.llm import OpenAIClient
from evals.dataset import EvalQuestion
from evals.judge import JudgeVerifier
from evals.metrics import score_answer
from evals.offline import OfflineVerifier
from evals.verifier import JudgeError
from retrieval.metering import ModelCall
from tests.conftest import make_settings
from tests.evals.conftest import make_answer, passage
from tests.support.openai_server import OpenAIServer, Reply

LEAVE = "Full-time staff get 25 days of annual leave a year."
WIFI = "Visitors use the Quill-Guest network."


def _judge(tmp_path: Path, server: OpenAIServer, calls: list | None = None) -> JudgeVerifier:
    settings = make_settings(tmp_path, openai_base_url=server.url, llm_max_retries=0)
    on_call = calls.append if calls is not None else None
    return JudgeVerifier(OpenAIClient(settings, sleep=lambda _: None), on_call=on_call)


def _json(data: object) -> Reply:
    return Reply.text(json.dumps(data))


def test_claims_and_verdicts_in_json_mode(tmp_path: Path, openai_server: OpenAIServer) -> None:
    openai_server.script(
        _json({"claims": ["Staff get 25 days.", "Leave is unpaid."]}),
        _json(
            {
                "verdicts": [
                    {"claim": 1, "supported": True, "passage": 1, "reason": "stated"},
                    {"claim": 2, "supported": False, "passage": None, "reason": "not stated"},
                ]
            }
        ),
    )
    judge = _judge(tmp_path, openai_server)
    claims = judge.claims("Staff get 25 days [1]. Leave is unpaid.")
    verdicts = judge.verify(claims, [LEAVE, WIFI])
    assert [(v.claim, v.supported, v.passage) for v in verdicts] == [
        ("Staff get 25 days.", True, 0),
        ("Leave is unpaid.", False, None),
    ]
    request = openai_server.chat_requests()[-1]
    assert request.body["response_format"] == {"type": "json_object"}
    assert f"[1] {LEAVE}" in request.prompt and "[2] Leave is unpaid." in request.prompt


def test_no_claims_or_no_context_need_no_call(tmp_path: Path, openai_server: OpenAIServer) -> None:
    judge = _judge(tmp_path, openai_server)
    assert judge.claims("  ") == []
    assert judge.verify([], [LEAVE]) == []
    assert not judge.verify(["A claim."], [])[0].supported
    assert openai_server.chat_requests() == []


def test_malformed_json_is_retried_once(tmp_path: Path, openai_server: OpenAIServer) -> None:
    calls: list[ModelCall] = []
    openai_server.script(Reply.text("Sure! {claims: oops"), _json({"claims": ["One claim."]}))
    assert _judge(tmp_path, openai_server, calls).claims("One claim.") == ["One claim."]
    assert len(calls) == 2
    assert calls[0].error is not None and "malformed" in calls[0].error
    assert calls[1].error is None and calls[1].purpose == "judge"
    assert calls[1].usage.input_tokens > 0


@pytest.mark.parametrize(
    "bad",
    [
        Reply.text("not json at all"),
        Reply.text('{"verdicts": [{"claim": 1}]}'),  # wrong shape
        Reply.text('{"relevancy": 7}'),  # out of range
    ],
)
def test_twice_malformed_gives_up(tmp_path: Path, openai_server: OpenAIServer, bad: Reply) -> None:
    openai_server.script(bad, bad)
    with pytest.raises(JudgeError, match="gave up after 2 attempts"):
        _judge(tmp_path, openai_server).answer_relevancy("Q?", "A.")


def test_a_failing_endpoint_is_a_judge_error(tmp_path: Path, openai_server: OpenAIServer) -> None:
    openai_server.script(Reply.error(500))
    with pytest.raises(JudgeError, match="judge model failed"):
        _judge(tmp_path, openai_server).claims("Staff get 25 days.")


def test_score_answer_uses_the_judge(
    tmp_path: Path, openai_server: OpenAIServer, hash_verifier: OfflineVerifier
) -> None:
    passages = [passage(1, "hr/leave.md", LEAVE), passage(2, "it/wifi.md", WIFI)]
    answer = make_answer(f"{LEAVE} [1]", passages)
    question = EvalQuestion("q1", "How much leave?", reference=LEAVE, sources=("hr/leave.md",))
    openai_server.script(
        _json({"claims": ["Staff get 25 days.", "It is a year."]}),
        _json(
            {
                "verdicts": [
                    {"claim": 1, "supported": True, "passage": 1},
                    {"claim": 2, "supported": False, "passage": None},
                ]
            }
        ),
        _json({"relevancy": 0.9}),
        _json({"relevant": [False, True]}),
        _json({"claims": ["Staff get 25 days."]}),
        _json({"verdicts": [{"claim": 1, "supported": True, "passage": 1}]}),
    )
    scored = score_answer(question, answer, hash_verifier, _judge(tmp_path, openai_server))
    m = scored.metrics
    assert scored.detail["judge"]["status"] == "ok"
    assert m["faithfulness"] == 0.5
    assert m["answer_relevancy"] == 0.9
    assert m["context_precision"] == 0.5  # the one relevant passage is ranked second
    assert m["context_recall"] == 1.0
    assert m["citation_precision"] == 1.0  # citations are always checked offline
    assert scored.detail["claims"][0]["source"]["path"] == "hr/leave.md"


def test_a_judge_that_fails_falls_back_to_offline(
    tmp_path: Path, openai_server: OpenAIServer, hash_verifier: OfflineVerifier
) -> None:
    openai_server.script(Reply.text("{"), Reply.text("{"))
    answer = make_answer(f"{LEAVE} [1]", [passage(1, "hr/leave.md", LEAVE)])
    question = EvalQuestion("q1", "How much leave?")
    scored = score_answer(question, answer, hash_verifier, _judge(tmp_path, openai_server))
    judge = scored.detail["judge"]
    assert judge["status"] == "error" and "malformed" in judge["error"]
    assert scored.metrics["faithfulness"] == 1.0  # the offline verifier's verdict
    assert len(openai_server.chat_requests()) == 2
