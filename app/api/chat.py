"""``POST /v1/chat/completions`` and ``GET /v1/models``: Footnote as an OpenAI model.

Any OpenAI client can ask: the reply's text carries the ``[n]`` markers, and the
citations ride in fields OpenAI clients ignore (``citations`` on the completion, or on
the last chunk of a stream, next to ``footnote``: mode, answer id, notices). ``usage``
reports the language-model tokens spent on the answer (none for an extractive one)
with their cost in dollars as ``usage.cost``.

Memory is the app's: earlier ``messages`` become the history that
``retrieval.answer`` rewrites a follow-up with. With ``conversation_id`` (or
``store: true`` to start one) the conversation is kept in SQL as the app keeps it, and
its stored turns are the history instead; the app then lists it for the same user.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from app.api.auth import Authenticated, audit_call, services_of
from app.api.errors import ApiError, error_body
from app.api.library import citation_dict
from app.api.tokens import Caller
from core.services import Services
from retrieval import ConversationNotFound, Conversations, answer
from retrieval.types import Answer, Done, Notice, Token, Turn, Usage

log = logging.getLogger(__name__)

MODEL_ID = "footnote"
"""The one model this API serves: Footnote's answerer (the LLM behind it is a setting)."""

router = APIRouter(prefix="/v1", tags=["chat"])


class ChatMessageIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI's request body; sampling options are accepted and left to Footnote."""

    model_config = ConfigDict(extra="allow")

    model: str = MODEL_ID
    messages: list[ChatMessageIn] = Field(min_length=1)
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    store: bool = False
    """Keep this exchange as a new conversation (its id comes back in ``footnote``)."""
    conversation_id: str | None = None
    """Continue this stored conversation: its turns are the history."""


@dataclass(frozen=True)
class _Exchange:
    """One question to answer: for whom, after which turns, into which conversation."""

    who: Caller
    question: str
    history: Sequence[Turn]
    conversation_id: str | None
    chat_id: str
    created: int


def ask(
    services: Services,
    who: Caller,
    question: str,
    history: Sequence[Turn] = (),
    conversation_id: str | None = None,
) -> Answer:
    """The whole cited answer (the MCP ``ask`` tool and the non-streaming route)."""
    result = None
    for event in answer(
        question, who.user, history, services=services, conversation_id=conversation_id
    ):
        if isinstance(event, Done):
            result = event.answer
    assert result is not None, "retrieval.answer always ends with Done"
    return result


def usage_dict(usage: Usage) -> dict[str, Any]:
    """``Usage`` as OpenAI's ``usage`` object, plus ``cost`` in dollars."""
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.input_tokens + usage.output_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cached_tokens},
        "cost": round(usage.cost_usd, 8),
    }


@router.get("/models", summary="The models this API serves (Footnote's answerer)")
def models_route(request: Request, who: Authenticated) -> dict[str, Any]:
    audit_call(services_of(request), who, "api.models", {})
    return {"object": "list", "data": [_model(services_of(request))]}


@router.get("/models/{model_id}", summary="One model")
def model_route(model_id: str, request: Request, who: Authenticated) -> dict[str, Any]:
    audit_call(services_of(request), who, "api.models", {"model": model_id})
    _check_model(model_id)
    return _model(services_of(request))


@router.post(
    "/chat/completions",
    summary="Ask, OpenAI-style: a cited answer, streamed as SSE chunks with stream: true",
)
def chat_route(body: ChatRequest, request: Request, who: Authenticated) -> Any:
    services = services_of(request)
    _check_model(body.model)
    exchange = _prepare(services, who, body)
    if body.stream:
        include_usage = bool((body.stream_options or {}).get("include_usage"))
        return StreamingResponse(
            _stream(services, exchange, include_usage),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    result = ask(services, who, exchange.question, exchange.history, exchange.conversation_id)
    _finish(services, exchange, result)
    return {
        "id": exchange.chat_id,
        "object": "chat.completion",
        "created": exchange.created,
        "model": MODEL_ID,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": result.text},
                "finish_reason": "stop",
            }
        ],
        "usage": usage_dict(result.usage),
        "citations": [citation_dict(c) for c in result.citations],
        "footnote": _meta(result, exchange.conversation_id),
    }


def _model(services: Services) -> dict[str, Any]:
    settings = services.settings
    behind = f"llm:{settings.llm_model}" if settings.llm_configured else "extractive"
    return {
        "id": MODEL_ID,
        "object": "model",
        "created": 0,
        "owned_by": "footnote",
        "answerer": behind,
    }


def _check_model(model: str) -> None:
    if model != MODEL_ID:
        raise ApiError(
            404,
            f"The model {model!r} does not exist here: use {MODEL_ID!r} (GET /v1/models).",
            code="model_not_found",
            param="model",
        )


def _prepare(services: Services, who: Caller, body: ChatRequest) -> _Exchange:
    turns = [m for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user" or not turns[-1].text().strip():
        raise ApiError(
            400,
            "The last message must be the user's question (role 'user', non-empty content).",
            code="invalid_messages",
            param="messages",
        )
    question = turns[-1].text().strip()
    history = [
        Turn(role="user" if m.role == "user" else "assistant", content=m.text()) for m in turns[:-1]
    ]
    conversation_id = body.conversation_id
    chats = Conversations(services.sessions)
    if conversation_id is not None:
        try:
            history = chats.history(who.user.id, conversation_id)
        except ConversationNotFound:
            raise ApiError(
                404,
                f"No conversation {conversation_id!r} for this token's user.",
                code="conversation_not_found",
                param="conversation_id",
            ) from None
    elif body.store:
        conversation_id = chats.create(who.user.id, title=question[:80]).id
    if conversation_id is not None:
        chats.add_message(who.user.id, conversation_id, "user", question)
    return _Exchange(
        who=who,
        question=question,
        history=history,
        conversation_id=conversation_id,
        chat_id=f"chatcmpl-{uuid.uuid4().hex}",
        created=int(time.time()),
    )


def _finish(services: Services, exchange: _Exchange, result: Answer) -> None:
    """Keep the answer in its conversation (if any) and audit the call with its cost."""
    if exchange.conversation_id is not None:
        Conversations(services.sessions).add_answer(
            exchange.who.user.id, exchange.conversation_id, result
        )
    audit_call(
        services,
        exchange.who,
        "api.chat",
        {
            "answer_id": result.answer_id,
            "conversation_id": exchange.conversation_id,
            "mode": result.mode,
            "input_tokens": result.usage.input_tokens,
            "output_tokens": result.usage.output_tokens,
            "cost_usd": result.usage.cost_usd,
        },
    )


def _meta(result: Answer, conversation_id: str | None) -> dict[str, Any]:
    return {
        "answer_id": result.answer_id,
        "conversation_id": conversation_id,
        "mode": result.mode,
        "refused": result.refused,
        "standalone_question": result.standalone_question,
        "notices": list(result.notices),
    }


def _stream(services: Services, exchange: _Exchange, include_usage: bool) -> Iterator[str]:
    """The answer as OpenAI chunks; a fallback notice becomes visible text, since a
    stream cannot take back what it sent (``footnote.mode`` says "fallback")."""

    def chunk(delta: dict[str, Any] | None, finish: str | None = None, **extra: Any) -> str:
        choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
        data = {
            "id": exchange.chat_id,
            "object": "chat.completion.chunk",
            "created": exchange.created,
            "model": MODEL_ID,
            "choices": choices,
            **extra,
        }
        return f"data: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    result: Answer | None = None
    try:
        for event in answer(
            exchange.question,
            exchange.who.user,
            exchange.history,
            services=services,
            conversation_id=exchange.conversation_id,
        ):
            if isinstance(event, Token):
                yield chunk({"content": event.text})
            elif isinstance(event, Notice) and event.kind == "fallback":
                yield chunk({"content": f"\n\n({event.message})\n\n"})
            elif isinstance(event, Done):
                result = event.answer
        assert result is not None, "retrieval.answer always ends with Done"
        _finish(services, exchange, result)
    except Exception as exc:  # the status is sent already: the error is the last event
        log.exception("streamed answer failed")
        message = f"Footnote failed mid-answer ({type(exc).__name__}); the server log has details."
        yield f"data: {json.dumps(error_body(500, message))}\n\n"
        yield "data: [DONE]\n\n"
        return
    citations = [citation_dict(c) for c in result.citations]
    yield chunk({}, "stop", citations=citations, footnote=_meta(result, exchange.conversation_id))
    if include_usage:
        yield chunk(None, usage=usage_dict(result.usage))
    yield "data: [DONE]\n\n"
