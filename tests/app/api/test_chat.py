"""Chat completions through the official ``openai`` SDK, plain and streamed."""

from __future__ import annotations

import re

import httpx
import openai
import pytest

from app.api.chat import MODEL_ID
from app.api.served import Served
from core.services import Services
from retrieval import Conversations
from tests.app.api.conftest import Tokens, bearer

QUESTION = "What's the salary range for a Senior Engineer (E4) in Bristol?"


@pytest.fixture
def hr_client(api: Served, tokens: Tokens) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{api.url}/v1", api_key=tokens.hr, max_retries=0)


def test_plain_answer_has_markers_citations_and_usage(hr_client: openai.OpenAI) -> None:
    completion = hr_client.chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": QUESTION}]
    )
    text = completion.choices[0].message.content or ""
    assert "78,000" in text and re.search(r"\[\d+\]", text)
    extra = completion.model_extra or {}
    citations = extra["citations"]
    assert citations and citations[0]["path"] == "hr/salary-bands-2026.md"
    assert {"doc_id", "title", "section", "page", "quote", "url"} <= set(citations[0])
    assert extra["footnote"]["mode"] == "extractive" and extra["footnote"]["answer_id"]
    assert completion.usage is not None and completion.usage.total_tokens == 0
    assert (completion.usage.model_extra or {})["cost"] == 0.0


def test_streamed_answer_matches_the_plain_one(hr_client: openai.OpenAI) -> None:
    stream = hr_client.chat.completions.create(
        model=MODEL_ID,
        messages=[{"role": "user", "content": QUESTION}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "78,000" in text
    last = next(c for c in chunks if c.choices and c.choices[0].finish_reason == "stop")
    assert (last.model_extra or {})["citations"][0]["path"] == "hr/salary-bands-2026.md"
    assert chunks[-1].usage is not None and not chunks[-1].choices


def test_follow_up_uses_the_earlier_turns(hr_client: openai.OpenAI) -> None:
    completion = hr_client.chat.completions.create(
        model=MODEL_ID,
        messages=[
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": QUESTION},
            {"role": "assistant", "content": "GBP 78,000 to 94,000 [1]."},
            {"role": "user", "content": "And for a Staff Engineer (E5)?"},
        ],
    )
    standalone = (completion.model_extra or {})["footnote"]["standalone_question"]
    assert "Staff Engineer" in standalone and "salary" in standalone.lower()


def test_stored_conversation_is_the_apps(hr_client: openai.OpenAI, sample_copy: Services) -> None:
    first = hr_client.chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": QUESTION}], extra_body={"store": True}
    )
    conversation_id = (first.model_extra or {})["footnote"]["conversation_id"]
    assert conversation_id
    follow_up = hr_client.chat.completions.create(
        model=MODEL_ID,
        messages=[{"role": "user", "content": "And in Kraków?"}],
        extra_body={"conversation_id": conversation_id},
    )
    standalone = (follow_up.model_extra or {})["footnote"]["standalone_question"]
    assert "Senior Engineer" in standalone
    turns = Conversations(sample_copy.sessions).history("hana", conversation_id)
    assert [t.role for t in turns] == ["user", "assistant", "user", "assistant"]


def test_someone_elses_conversation_is_not_found(
    hr_client: openai.OpenAI, api: Served, tokens: Tokens
) -> None:
    first = hr_client.chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": QUESTION}], extra_body={"store": True}
    )
    conversation_id = (first.model_extra or {})["footnote"]["conversation_id"]
    other = openai.OpenAI(base_url=f"{api.url}/v1", api_key=tokens.outsider, max_retries=0)
    with pytest.raises(openai.NotFoundError, match="No conversation"):
        other.chat.completions.create(
            model=MODEL_ID,
            messages=[{"role": "user", "content": "And in Kraków?"}],
            extra_body={"conversation_id": conversation_id},
        )


def test_models_lists_footnote(hr_client: openai.OpenAI) -> None:
    assert [m.id for m in hr_client.models.list()] == [MODEL_ID]
    assert hr_client.models.retrieve(MODEL_ID).id == MODEL_ID


def test_unknown_model_and_bad_messages_are_openai_errors(hr_client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError, match="use 'footnote'"):
        hr_client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": QUESTION}]
        )
    with pytest.raises(openai.BadRequestError, match="last message must be the user's"):
        hr_client.chat.completions.create(
            model=MODEL_ID, messages=[{"role": "assistant", "content": "Hello"}]
        )


def test_invalid_json_is_a_400_in_openai_shape(client: httpx.Client, tokens: Tokens) -> None:
    response = client.post(
        "/v1/chat/completions",
        headers={**bearer(tokens.hr), "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
