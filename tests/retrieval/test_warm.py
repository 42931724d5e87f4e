"""Ingest warms the sentence-vector store: an answer then embeds only its question."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pytest

import core.services
from core.embeddings import HashEmbedder
from core.services import Services
from core.settings import SourceConfig
from core.vector_store import text_key
from ingest import run_job
from retrieval import answer
from retrieval.coverage import variants
from retrieval.guards import clean_question
from retrieval.question import analyse
from retrieval.types import Done, User
from retrieval.warm import ChunkText, answer_texts, merged
from tests.conftest import make_settings

_POLICY = """---
title: Travel and leave
groups: [hr, all]
---
# Travel and leave

## Annual leave

Everyone gets 28 days of annual leave a year. Unused days carry over until the end of
March. Ask your manager before you book anything longer than two weeks. Requests go
through the people portal, where your manager approves them within five working days.
Leave taken in December needs a request before the first of November. Part-time staff
get the same allowance pro rata, rounded up to the nearest half day.

To book leave:

1. Open the people portal.
2. Pick the dates and the kind of leave.
3. Send the request to your manager.

## Expenses

| Item | Limit |
| --- | --- |
| Meal | 30 EUR |
| Hotel | 150 EUR a night |
| Taxi after 21:00 | 40 EUR |

Claims are paid with the next salary when they reach finance by the 20th. The shared
card password is hunter2secret and it is kept by the office manager. Receipts older
than three months are not refunded, whatever the amount or the reason for the delay.
"""

_IT = """---
title: Laptops
groups: [it]
---
# Laptops

## Repairs

A broken laptop goes to the IT desk on the second floor. The desk lends a spare one
for the time of the repair, which takes about three days. Data on the broken laptop is
not copied for you: keep your work in the shared drive.
"""

QUESTIONS = [
    "How many days of annual leave do I get?",
    "How do I book leave, and who approves it?",
    "What is the hotel limit per night?",
    "When are expense claims paid?",
    "Where do I take a broken laptop?",
]


class _Counting(HashEmbedder):
    """The hash embedder, recording every text it embeds; ``window``: a model window
    (in words and two markers, as MiniLM counts wordpieces)."""

    def __init__(self, window: int | None = None) -> None:
        super().__init__()
        self.max_input_tokens = window
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return super().embed(texts)

    def count_input_tokens(self, text: str) -> int:
        return _words_and_markers(text)

    def input_token_counter(self) -> Callable[[str], int]:
        return _words_and_markers  # picklable: the parse worker counts with it


def _words_and_markers(text: str) -> int:
    return len(text.split()) + 2


@pytest.fixture(scope="module", params=[None, 60], ids=["no-window", "window"])
def warmed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Services, _Counting]]:
    """The two documents ingested once per window, in chunks of about 40 tokens (so
    sections span several chunks and answers join them)."""
    root = tmp_path_factory.mktemp("warm")
    folder = root / "docs"
    folder.mkdir()
    (folder / "policy.md").write_text(_POLICY, encoding="utf-8")
    (folder / "laptops.md").write_text(_IT, encoding="utf-8")
    embedder = _Counting(request.param)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOOTNOTE_CONFIG", str(root / "none.toml"))
        mp.setattr(core.services, "make_embedder", lambda settings: embedder)
        settings = make_settings(
            root / "footnote", sources={"docs": SourceConfig(path=folder)}, chunk_tokens=40
        )
        svc = Services(settings)
        _ = svc.embedder
    result = run_job(svc, "docs", requested_by="tests")
    assert result.status == "succeeded", result.error
    yield svc, embedder
    svc.close()


@pytest.mark.parametrize("groups", [("all", "hr", "it"), ("all",)], ids=["owner", "everyone"])
def test_an_answer_embeds_only_its_question(
    warmed: tuple[Services, _Counting], groups: tuple[str, ...]
) -> None:
    svc, embedder = warmed
    assert svc.vectors is not None and svc.vectors.count() > 0
    for question in QUESTIONS:
        embedder.embedded.clear()
        events = list(answer(question, User("u", groups), services=svc, record=False))
        done = events[-1]
        assert isinstance(done, Done)
        asked = analyse(clean_question(question))
        # The question, its asks, and the question without each ask word (the check that
        # the passages speak of the word it turns on, retrieval.coverage).
        allowed = {asked.text, *(a.text for a in asked.asks)}
        allowed |= set(variants(asked.text, asked.ask_terms).values())
        assert set(embedder.embedded) <= allowed, question
    # The passages were really joined from several chunks (what the warming must match).
    assert any(len(p.chunk_ids) > 1 for p in done.answer.passages)


def test_a_new_process_reads_the_vectors_from_disk(
    warmed: tuple[Services, _Counting], monkeypatch: pytest.MonkeyPatch
) -> None:
    svc, first = warmed
    fresh = _Counting(first.max_input_tokens)  # another process: an empty memory cache
    monkeypatch.setattr(core.services, "make_embedder", lambda settings: fresh)
    again = Services(svc.settings)
    again._index = svc.index  # the embedded index has one owner: share this process's
    question = QUESTIONS[1]
    list(answer(question, User("u", ("all", "hr")), services=again, record=False))
    asked = analyse(clean_question(question))
    assert set(fresh.embedded) <= {asked.text, *(a.text for a in asked.asks)}


def test_each_answer_text_is_listed_once_and_both_views_only_when_someone_owns_it() -> None:
    embedder = _Counting()
    chunks = [
        ChunkText("a", ("Leave",), "Everyone gets 28 days of leave. The password is hunter2secret"),
        ChunkText("b", ("Leave",), "Everyone gets 28 days of leave. Ask your manager first."),
    ]
    everyone = answer_texts(embedder, [(["all"], chunks)])
    owned = answer_texts(embedder, [(["hr", "all"], chunks)])
    assert len(set(everyone.inputs.values())) == len(everyone.inputs)
    assert set(everyone.inputs) < set(owned.inputs)  # the owner's view keeps the secret
    assert any("hunter2secret" in t for t in owned.inputs.values())
    assert not any("hunter2secret" in t for t in everyone.inputs.values())
    shared = text_key(embedder, "Everyone gets 28 days of leave.")
    assert {(c, j) for c, k, j in everyone.owners if k == shared} == {("a", False), ("b", False)}


def test_documents_listed_apart_and_merged_are_listed_together() -> None:
    """Ingest lists each file's answer texts in its parse worker; merged, a write batch's
    are what listing its documents together gives (each text once, every owner)."""
    embedder = _Counting()
    first = (["hr", "all"], [ChunkText("a", ("Leave",), "Everyone gets 28 days of leave.")])
    second = (
        ["all"],
        [
            ChunkText("b", ("Pay",), "Everyone gets 28 days of leave. Pay day is the 25th."),
            ChunkText("c", ("Pay",), "Expenses are paid with the salary."),
        ],
    )
    together = answer_texts(embedder, [first, second])
    apart = merged([answer_texts(embedder, [first]), answer_texts(embedder, [second])])
    assert list(apart.inputs.items()) == list(together.inputs.items())
    assert apart.owners == together.owners and apart.chunk_ids == together.chunk_ids == [
        "a",
        "b",
        "c",
    ]
    shared = text_key(embedder, "Everyone gets 28 days of leave.")
    assert {c for c, k, _ in apart.owners if k == shared} == {"a", "b"}
