"""An outsider's token asks every restricted question of the sample eval set, every
way the API answers, and no forbidden phrase comes back in any response.

Restricted questions (kind "restricted") are about documents of groups the outsider
is not in: neither chat (plain or streamed), search nor the document list may show
them. The eval set's other ``forbidden`` items are prompt-injection bait in documents
everyone may read; those are the answerer's to resist, so they are asked through chat
only (search rightly returns the passage that holds the bait).
"""

from __future__ import annotations

import httpx
import pytest

from evals.dataset import EvalQuestion, load_dataset
from tests.app.api.conftest import Tokens, bearer
from tests.conftest import SAMPLE_EVALS

GUARDED = [q for q in load_dataset(SAMPLE_EVALS) if q.forbidden]
RESTRICTED = [q for q in GUARDED if q.kind == "restricted"]


def _leaks(text: str, q: EvalQuestion) -> list[str]:
    return [phrase for phrase in q.forbidden if phrase.lower() in text.lower()]


def test_the_sample_set_has_restricted_questions() -> None:
    assert len(RESTRICTED) >= 8


@pytest.mark.parametrize("q", GUARDED, ids=lambda q: q.id)
def test_chat_leaks_nothing(client: httpx.Client, tokens: Tokens, q: EvalQuestion) -> None:
    messages = [{"role": "user", "content": q.question}]
    for stream in (False, True):
        response = client.post(
            "/v1/chat/completions",
            headers=bearer(tokens.outsider),
            json={"model": "footnote", "messages": messages, "stream": stream},
        )
        assert response.status_code == 200
        assert _leaks(response.text, q) == []


@pytest.mark.parametrize("q", RESTRICTED, ids=lambda q: q.id)
def test_search_leaks_nothing(client: httpx.Client, tokens: Tokens, q: EvalQuestion) -> None:
    response = client.post(
        "/v1/search", headers=bearer(tokens.outsider), json={"query": q.question, "top_k": 20}
    )
    assert response.status_code == 200 and response.json()["data"]
    assert _leaks(response.text, q) == []


def test_documents_leak_nothing(client: httpx.Client, tokens: Tokens) -> None:
    listing = client.get("/v1/documents", headers=bearer(tokens.outsider))
    details = [
        client.get(d["url"], headers=bearer(tokens.outsider)).text for d in listing.json()["data"]
    ]
    everything = listing.text + "".join(details)
    for q in RESTRICTED:
        assert _leaks(everything, q) == []
