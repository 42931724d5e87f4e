"""The token budget: long histories and huge sources still fit, lowest-ranked go first."""

from __future__ import annotations

from core.services import Services
from core.tokens import count_tokens
from retrieval import answer
from retrieval.context import pack
from retrieval.prompt import build_messages
from retrieval.text import sentences
from retrieval.types import Done, Notice, Passage, Turn, User
from tests.support.openai_server import OpenAIServer, Reply

MODEL = "gpt-4o-mini"


def _passage(i: int, sentences_count: int) -> Passage:
    text = " ".join(
        f"Fact {i}.{j} says the value is {j * 7} units." for j in range(sentences_count)
    )
    return Passage(f"c{i}", f"d{i}", text, f"Doc {i}", "t", f"d{i}.md", ["S"], None, ["all"], 1.0)


def _prompt_tokens(question: str, packed_passages: list[Passage], history: list[Turn]) -> int:
    messages = build_messages(question, packed_passages, history)
    return sum(count_tokens(m["content"], MODEL) + 4 for m in messages) + 3


def test_everything_fits_when_there_is_room() -> None:
    passages = [_passage(i, 3) for i in range(3)]
    packed = pack("q?", passages, [], model=MODEL, window=100_000, answer_tokens=500)
    assert [p.n for p in packed.passages] == [1, 2, 3]
    assert not packed.left_out and not packed.trimmed


def test_huge_sources_are_trimmed_at_sentences_then_left_out() -> None:
    passages = [_passage(i, 200) for i in range(4)]
    packed = pack("What is the value?", passages, [], model=MODEL, window=4000, answer_tokens=700)
    assert packed.passages[0].chunk_id == "c0"
    assert packed.left_out == ["c2", "c3"] or packed.left_out == ["c1", "c2", "c3"]
    for kept in packed.passages:
        assert set(sentences(kept.text)) <= set(sentences(passages[int(kept.chunk_id[1])].text))
    assert _prompt_tokens("What is the value?", packed.passages, []) + 700 <= 4000


def test_long_history_keeps_newest_turns_within_the_window() -> None:
    history = [
        Turn("user" if i % 2 == 0 else "assistant", f"turn {i} " + "word " * 300) for i in range(40)
    ]
    passages = [_passage(i, 20) for i in range(5)]
    packed = pack("And then?", passages, history, model=MODEL, window=8000, answer_tokens=700)
    assert packed.history and packed.history[-1] == history[-1]
    assert packed.history == history[-len(packed.history) :]
    assert packed.dropped_turns == 40 - len(packed.history)
    assert len(packed.passages) == 5  # sources are kept before old turns
    assert _prompt_tokens("And then?", packed.passages, packed.history) + 700 <= 8000


def test_budget_notice_and_left_out_in_the_answer(
    llm_services: Services, openai_server: OpenAIServer
) -> None:
    llm_services.settings.llm_context_window = 700
    llm_services.settings.answer_tokens = 300
    openai_server.script(Reply.text("25 days [1]."))
    history = [Turn("user", "earlier " * 400), Turn("assistant", "reply " * 400)]
    question = "How much annual leave do employees get?"
    events = list(answer(question, User("ann"), history, services=llm_services))
    result = events[-1].answer if isinstance(events[-1], Done) else None
    assert result is not None and result.mode == "llm"
    assert result.left_out and "budget" in {e.kind for e in events if isinstance(e, Notice)}
    sent = openai_server.chat_requests()[-1].body["messages"]
    assert sum(count_tokens(m["content"], MODEL) + 4 for m in sent) + 3 + 300 <= 700
