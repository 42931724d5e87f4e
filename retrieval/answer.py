"""The answer path: question in, a stream of events out, the whole ``Answer`` last.

1. Rewrite a follow-up into a standalone question (``memory``).
2. Search what the asker may see (``search``: hybrid, access-filtered in the engine);
   for the extractive answer, widened to the neighbouring chunks of the top documents.
3. With an LLM: pack sources and history under the model's budget (``context``), build
   the grounded prompt (``prompt``), redact PII for external endpoints (``guards``),
   stream the reply with invalid citation markers removed and masked values restored.
   If the model fails — before or during the stream — a ``fallback`` notice says so
   and the extractive answer follows: the person gets an answer, not an exception.
   Without an LLM: the extractive answer (``extractive``), with a notice saying so.
4. Citations, usage, then log the answer, its model calls and an audit entry. An eval
   question (``record=False``) is nobody's question: it leaves no answer row and no
   audit entry, so usage counts people only, but its model calls are still metered
   (purpose "eval") so what evals cost is not lost.

A ``Notice`` of kind ``fallback`` means the text streamed so far is void: the tokens
after it are the answer (``Done.answer.text`` is always the final text).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace

from core.llm import ChatMessage, LLMClient, LLMError, LLMUsage, context_window
from core.services import Services, get_services
from core.settings import Settings
from core.tokens import count_tokens
from retrieval import lineage
from retrieval.citations import clean_markers, extract_citations, to_citation, with_links
from retrieval.context import pack
from retrieval.extractive import extractive_answer
from retrieval.guards import (
    OutputGuard,
    Redactor,
    as_data,
    clean_question,
    redaction_enabled,
    secrets_in,
)
from retrieval.memory import standalone_question
from retrieval.metering import ModelCall, call_cost, meter_calls
from retrieval.prompt import REFUSAL, build_messages
from retrieval.records import log_answer
from retrieval.search import Searcher
from retrieval.types import (
    Answer,
    Citation,
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

_ABANDONED = "abandoned: the reader stopped the stream (input tokens estimated)"
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
    record: bool = True,
) -> Iterator[Event]:
    """Answer ``question`` for ``user`` from the documents they may see, as events.

    ``record=False`` for questions no person asked (eval runs): see step 4 above. An
    answer whose reader stops early (a closed tab, a dropped connection) is still
    logged, with what was shown, and its model calls metered.
    """
    services = services or get_services()
    trace = _Trace(time.perf_counter())
    events = _answer(question, user, history, services, conversation_id, filters, record, trace)
    try:
        for event in events:
            if isinstance(event, Token):
                trace.shown.append(event.text)
            yield event
    finally:
        events.close()  # first: a model call cut short meters itself
        if not trace.recorded:
            _record_unfinished(services, user, trace, conversation_id, record)


@dataclass
class _Trace:
    """What an answer did so far, for the record when it does not finish."""

    started: float
    calls: list[ModelCall] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    question: str = ""
    standalone: str = ""
    recorded: bool = False


def _answer(
    question: str,
    user: User,
    history: Sequence[Turn],
    services: Services,
    conversation_id: str | None,
    filters: Filters | None,
    record: bool,
    trace: _Trace,
) -> Iterator[Event]:
    settings = services.settings
    started = trace.started
    question = trace.question = clean_question(question)
    llm = services.llm
    calls = trace.calls
    notices: list[Notice] = []

    tick = time.perf_counter()
    standalone, rewrite, rewrite_error = standalone_question(question, history, llm)
    trace.standalone = standalone
    if llm is not None and (rewrite or rewrite_error):
        usage = rewrite.usage if rewrite else LLMUsage(llm.model)
        calls.append(ModelCall("rewrite", usage, _ms(tick), rewrite_error))

    searcher = Searcher(services.index, services.embedder, settings)
    found = searcher.search(standalone, user, filters)
    if llm is None:
        # Quoting sentences needs the neighbourhood of what the search found (the steps
        # after "How to claim"); an LLM reads the packed passages whole instead.
        found = searcher.widen(found, user, filters)
    # Documents are data: instruction blocks withheld, [n] neutralised, secrets masked.
    passages = [as_data(p, user.groups) for p in found]
    # Versions (retrieval/lineage.py): only what is in force now, or at the date asked about.
    versions = lineage.apply(passages, standalone, user, services)
    passages = versions.passages

    if llm is None:
        notices.append(Notice("extractive", "No language model is configured: quoting sources."))
        yield notices[-1]
    if llm is None or not passages:
        numbered = [replace(p, n=i) for i, p in enumerate(passages, start=1)]
        outcome = yield from _extractive(standalone, numbered, services, "extractive")
        outcome = outcome if llm is None else replace(outcome, mode="llm")
    else:
        outcome = yield from _with_llm(
            llm, question, standalone, passages, history, services, calls, notices
        )

    # Versions: "replaced on … by … [n]" and conflicts, numbered as the sources ended up.
    for notice in versions.notices(outcome.passages):
        notices.append(notice)
        yield notice
    outcome = replace(
        outcome, citations=versions.cite(with_links(outcome.citations, services.sessions))
    )
    for citation in outcome.citations:
        yield CitationEvent(citation)
    total = _total(calls, settings)
    yield UsageEvent(total)

    result = Answer(
        question=question,
        standalone_question=standalone,
        text=outcome.text,
        citations=outcome.citations,
        passages=outcome.passages,
        mode=outcome.mode,
        refused=outcome.refused,
        usage=total,
        latency_ms=_ms(started),
        left_out=outcome.left_out,
        notices=[n.message for n in notices],
    )
    trace.recorded = True
    if record:
        result.answer_id = log_answer(
            services.sessions, settings, user, result, calls, conversation_id
        )
    else:
        meter_calls(services.sessions, settings, calls, purpose="eval")
    yield Done(result)


@dataclass(frozen=True)
class _Outcome:
    text: str
    citations: list[Citation]
    refused: bool
    mode: Mode
    passages: list[Passage]
    left_out: list[str] = field(default_factory=list)


def _with_llm(
    llm: LLMClient,
    question: str,
    standalone: str,
    passages: list[Passage],
    history: Sequence[Turn],
    services: Services,
    calls: list[ModelCall],
    notices: list[Notice],
) -> Iterator[Event]:
    """Pack, prompt, redact, stream; on ``LLMError`` the extract. Returns an ``_Outcome``."""
    settings = services.settings
    window = context_window(llm.model, settings.llm_context_window)
    packed = pack(
        standalone,
        passages,
        history,
        model=llm.model,
        window=window,
        answer_tokens=settings.answer_tokens,
    )
    if packed.left_out or packed.trimmed:
        notices.append(_budget_notice(len(packed.left_out), len(packed.trimmed)))
        yield notices[-1]
    # The rewritten question stands in when turns it leaned on were dropped.
    prompt_question = question if packed.dropped_turns == 0 else standalone
    messages = build_messages(prompt_question, packed.passages, packed.history)
    restore: Callable[[str], str] = _unchanged
    if redaction_enabled(settings):
        redactor = Redactor()
        messages = [
            m if m["role"] == "system" else {**m, "content": redactor.redact(m["content"])}
            for m in messages
        ]
        restore = redactor.restore
        if redactor.counts:
            kinds = ", ".join(f"{n} {k.lower()}" for k, n in sorted(redactor.counts.items()))
            notices.append(Notice("redacted", f"Masked before sending to the model: {kinds}."))
            yield notices[-1]

    tick = time.perf_counter()
    try:
        keep = secrets_in(" ".join(p.text for p in packed.passages))  # the asker owns these
        text, usage = yield from _stream(
            llm, messages, restore, len(packed.passages), settings, keep
        )
    except GeneratorExit:  # the reader stopped: the prompt was sent, so it is billed
        sent = count_tokens(" ".join(m["content"] for m in messages), llm.model)
        calls.append(ModelCall("answer", LLMUsage(llm.model, sent), _ms(tick), _ABANDONED))
        raise
    except LLMError as exc:
        calls.append(ModelCall("answer", LLMUsage(llm.model), _ms(tick), str(exc)))
        notices.append(Notice("fallback", f"The language model failed ({exc}). Quoting sources."))
        yield notices[-1]
        outcome = yield from _extractive(standalone, packed.passages, services, "fallback")
        return replace(outcome, left_out=packed.left_out)
    calls.append(ModelCall("answer", usage, _ms(tick)))
    return _Outcome(
        text=text,
        citations=extract_citations(text, packed.passages),
        refused=text.startswith(REFUSAL[:-1]),
        mode="llm",
        passages=packed.passages,
        left_out=packed.left_out,
    )


def _stream(
    llm: LLMClient,
    messages: list[ChatMessage],
    restore: Callable[[str], str],
    n_sources: int,
    settings: Settings,
    keep: set[str],
) -> Iterator[Event]:
    """The model's reply as tokens, markers cleaned, masks restored, and sentences that
    carry out a planted instruction or show a secret not in ``keep`` dropped or masked
    (``OutputGuard``); (text, usage)."""
    cleaner = _StreamCleaner(lambda s: restore(clean_markers(s, n_sources)))
    guard = OutputGuard(keep)
    parts: list[str] = []
    usage = LLMUsage(llm.model)
    for part in llm.stream(messages, max_tokens=settings.answer_tokens):
        if isinstance(part, LLMUsage):
            usage = part
        elif out := guard.feed(cleaner.feed(part)):
            parts.append(out)
            yield Token(out)
    if tail := guard.feed(cleaner.flush()) + guard.flush():
        parts.append(tail)
        yield Token(tail)
    text = "".join(parts).strip()
    if not text:
        raise LLMError("the model returned an empty answer")
    return text, usage


def _extractive(
    question: str, passages: list[Passage], services: Services, mode: Mode
) -> Iterator[Event]:
    """Stream the extractive answer; returns an ``_Outcome``."""
    extract = extractive_answer(question, passages, services.embedder)
    yield Token(extract.text)
    by_n = {p.n: p for p in passages}
    quotes: dict[int, list[str]] = {}
    for pick in extract.picks or extract.closest:
        quotes.setdefault(pick.n, []).append(pick.sentence)
    citations = [to_citation(by_n[n], " ".join(q)) for n, q in sorted(quotes.items())]
    return _Outcome(extract.text, citations, extract.refused, mode, passages)


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


def _unchanged(text: str) -> str:
    return text


def _total(calls: list[ModelCall], settings: Settings) -> Usage:
    total = Usage()
    for call in calls:
        total = total + Usage(**asdict(call.usage), cost_usd=call_cost(call.usage, settings))
    return total


def _record_unfinished(
    services: Services, user: User, trace: _Trace, conversation_id: str | None, record: bool
) -> None:
    """Log an answer that stopped before its end with the text shown so far."""
    if not record:
        meter_calls(services.sessions, services.settings, trace.calls, purpose="eval")
        return
    unfinished = Answer(
        question=trace.question,
        standalone_question=trace.standalone or trace.question,
        text="".join(trace.shown).strip(),
        citations=[],
        passages=[],
        mode="llm" if services.llm is not None else "extractive",
        refused=False,
        usage=_total(trace.calls, services.settings),
        latency_ms=_ms(trace.started),
    )
    log_answer(services.sessions, services.settings, user, unfinished, trace.calls, conversation_id)


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
