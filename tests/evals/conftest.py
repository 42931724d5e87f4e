"""Fixtures for the eval tests: passages and answers built by hand, verifiers."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from core.embeddings import HashEmbedder
from evals.offline import OfflineVerifier
from retrieval.types import Answer, Citation, Passage, Usage


def passage(n: int, path: str, text: str) -> Passage:
    return Passage(
        chunk_id=f"c{n}",
        doc_id=f"d-{path}",
        text=text,
        title=path,
        source="sample",
        path=path,
        section=["Section"],
        page=None,
        groups=["all"],
        score=1.0 / n,
        n=n,
    )


def make_answer(
    text: str,
    passages: Sequence[Passage] = (),
    *,
    refused: bool = False,
    usage: Usage | None = None,
    latency_ms: float = 12.0,
) -> Answer:
    by_n = {p.n: p for p in passages}
    citations = [
        Citation(n, p.chunk_id, p.doc_id, p.title, p.source, p.path, p.section, p.page, "")
        for n, p in by_n.items()
        if f"[{n}]" in text
    ]
    return Answer(
        question="q",
        standalone_question="q",
        text=text,
        citations=citations,
        passages=list(passages),
        mode="extractive",
        refused=refused,
        usage=usage or Usage(),
        latency_ms=latency_ms,
    )


@pytest.fixture
def hash_verifier() -> OfflineVerifier:
    """The offline verifier on the hash embedder: structure, not model quality."""
    return OfflineVerifier(HashEmbedder())


@pytest.fixture(scope="session")
def minilm_verifier() -> OfflineVerifier:
    """The shipped verifier (real MiniLM, calibrated weights): loads the model once."""
    return OfflineVerifier()
