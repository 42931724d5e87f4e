"""The answer path: question in, a stream of events out, the whole ``Answer`` last.

1. Rewrite a follow-up into a standalone question (``memory``).
2. Search what the asker may see (``search``: hybrid, access-filtered in the engine).
3. With an LLM: pack sources and history under the model's budget (``context``), build
   the grounded prompt (``prompt``), redact PII for external endpoints (``guards``),
   stream the reply with invalid citation markers removed and masked values restored.
   If the model fails — before or during the stream — a ``fallback`` notice says so
   and the extractive answer follows: the person gets an answer, not an exception.
   Without an LLM: the extractive answer (``extractive``), with a notice saying so.
4. Citations, usage, then log the answer, its model calls and an audit entry.

A ``Notice`` of kind ``fallback`` means the text streamed so far is void: the tokens
after it are the answer (``Done.answer.text`` is always the final text).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from core.llm import ChatMessage, LLMClient, LLMError, LLMUsage, call_cost, context_window
from core.services import Services, get_services
from retrieval.citations import clean_markers, extract_citations, to_citation
from retrieval.context import pack
from retrieval.extractive import extractive_answer
from retrieval.guards import Redactor, redaction_enabled
from retrieval.memory import standalone_question
from retrieval.prompt import REFUSAL, build_messages
from retrieval.records import ModelCall, log_answer
from retrieval.search import Searcher
from retrieval.types import (
    Answer,
    CitationEvent,
    Done,
    Event,
    Filters,
    Mode,
    Notice,
    Passage,
    Token,
    Turn,
    Usage,
    UsageEvent,
    User,
)

_HOLD_CHARS = 24
"""How long an unclosed ``[`` or ``⟦`` may hold back streamed text (a marker is short)."""


def answer(
    question: str,
    user: User,
    history: Sequence[Turn] = (),
    *,
    services: Services | None = None,
    conversation_id: str | None = None,
    filters: Filters | None = None,
) -> Iterator[Event]:
    """Answer ``question`` for ``user`` from the documents they may see, as events."""
    services = services or get_services()
    settings = services.settings
    started = time.perf_counter()
    llm = services.llm
    calls: list[ModelCall] = []
    notices: list[Notice] = []

    tick = time.perf_counter()
    standalone, rewrite, rewrite_error = standalone_question(question, history, llm)
    if llm is not None and (rewrite or rewrite_error):
        usage = rewrite.usage if rewrite else LLMUsage(llm.model)
        calls.append(ModelCall("rewrite", usage, _ms(tick), rewrite_error))

    searcher = Searcher(services.index, services.embedder, settings)
    passages = searcher.search(standalone, user, filters)

    left_out: list[str] = []
    if llm is None or not passages:
        notice = Notice("extractive", "No language model is configured: quoting the sources.")
        if llm is None:
            notices.append(notice)
            yield notice
        used = [replace(p, n=i) for i, p in enumerate(passages, start=1)]
        text, citations, refused = yield from _extractive(standalone, used, services)
        mode: Mode = "extractive" if llm is None else "llm"
    else:
        window = context_window(llm.model, settings.llm_context_window)
        packed = pack(
            standalone,
            passages,
            history,
            model=llm.model,
            window=window,
            answer_tokens=settings.answer_tokens,
        )
        used, left_out = packed.passages, packed.left_out
        if packed.left_out or packed.trimmed:
            notices.append(_budget_notice(len(packed.left_out), len(packed.trimmed)))
            yield notices[-1]
        prompt_question = question if packed.dropped_turns == 0 else standalone
        redactor = Redactor() if redaction_enabled(settings) else None
        tick = time.perf_counter()
        try:
            text, usage = yield from _generate(
                llm,
                build_messages(prompt_question, used, packed.history),
                redactor,
                len(used),
                settings.answer_tokens,
            )
            calls.append(ModelCall("answer", usage, _ms(tick)))
            citations = extract_citations(text, used)
            refused = text.strip().startswith(REFUSAL[:-1])
            mode = "llm"
        except LLMError as exc:
            calls.append(ModelCall("answer", LLMUsage(llm.model), _ms(tick), str(exc)))
            notice = Notice("fallback", f"The language model failed ({exc}). Quoting the sources.")
            notices.append(notice)
            yield notice
            text, citations, refused = yield from _extractive(standalone, used, services)
            mode = "fallback"
        if redactor and redactor.counts:
            kinds = ", ".join(f"{n} {k.lower()}" for k, n in sorted(redactor.counts.items()))
            notices.append(Notice("redacted", f"Masked before sending to the model: {kinds}."))
            yield notices[-1]

    for citation in citations:
        yield CitationEvent(citation)
    total = Usage()
    for call in calls:
        total = total + Usage(
            call.usage.model,
            call.usage.input_tokens,
            call.usage.cached_tokens,
            call.usage.output_tokens,
            call_cost(call.usage, settings),
        )
    yield UsageEvent(total)

    result = Answer(
        question=question,
        standalone_question=standalone,
        text=text,
        citations=citations,
        passages=used,
        mode=mode,
        refused=refused,
        usage=total,
        latency_ms=_ms(started),
        left_out=left_out,
        notices=[n.message for n in notices],
    )
    result.answer_id = log_answer(services.sessions, settings, user, result, calls, conversation_id)
    yield Done(result)


def _extractive(question: str, passages: list[Passage], services: Services) -> Iterator[Event]:
    """Stream the extractive answer; returns (text, citations, refused)."""
    extract = extractive_answer(question, passages, services.embedder)
    yield Token(extract.text)
    by_n = {p.n: p for p in passages}
    quotes: dict[int, list[str]] = {}
    for pick in extract.picks:
        quotes.setdefault(pick.n, []).append(pick.sentence)
    citations = [to_citation(by_n[n], " ".join(q)) for n, q in sorted(quotes.items())]
    return extract.text, citations, extract.refused


def _generate(
    llm: LLMClient,
    messages: list[ChatMessage],
    redactor: Redactor | None,
    n_sources: int,
    max_tokens: int,
) -> Iterator[Event]:
    """Stream the model's reply as tokens; returns (text, usage). Raises ``LLMError``."""
    if redactor is not None:
        messages = [
            m if m["role"] == "system" else {**m, "content": redactor.redact(m["content"])}
            for m in messages
        ]
    restore = redactor.restore if redactor else (lambda s: s)
    cleaner = _StreamCleaner(lambda s: restore(clean_markers(s, n_sources)))
    parts: list[str] = []
    usage = LLMUsage(llm.model)
    for part in llm.stream(messages, max_tokens=max_tokens):
        if isinstance(part, LLMUsage):
            usage = part
        elif out := cleaner.feed(part):
            parts.append(out)
            yield Token(out)
    if tail := cleaner.flush():
        parts.append(tail)
        yield Token(tail)
    text = "".join(parts).strip()
    if not text:
        raise LLMError("the model returned an empty answer")
    return text, usage


class _StreamCleaner:
    """Holds back a possibly unfinished ``[n]`` or ``⟦…⟧`` so ``transform`` sees it whole."""

    def __init__(self, transform: Callable[[str], str]) -> None:
        self._transform = transform
        self._buffer = ""

    def feed(self, delta: str) -> str:
        self._buffer += delta
        cut = len(self._buffer)
        for opener, closer in (("[", "]"), ("⟦", "⟧")):
            at = self._buffer.rfind(opener)
            if at != -1 and closer not in self._buffer[at:] and cut - at <= _HOLD_CHARS:
                cut = min(cut, at)
        cut = len(self._buffer[:cut].rstrip())  # a space may precede a marker to drop
        out, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return self._transform(out) if out else ""

    def flush(self) -> str:
        out, self._buffer = self._buffer, ""
        return self._transform(out) if out else ""


def _budget_notice(left_out: int, trimmed: int) -> Notice:
    parts = []
    if left_out:
        parts.append(f"{left_out} source(s) left out")
    if trimmed:
        parts.append(f"{trimmed} shortened to whole sentences")
    return Notice("budget", f"To fit the model's context window: {', '.join(parts)}.")


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
