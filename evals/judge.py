"""The LLM judge: claim decomposition and per-claim verdicts in JSON, like RAGAS/DeepEval.

Four small JSON-mode calls, each with a fixed schema: split an answer into claims,
verdict per claim against numbered passages, answer relevancy, and which passages are
relevant to the question. A reply that is not JSON or does not fit its schema is asked
for once more; the second failure raises ``JudgeError`` and the caller scores that
question with the offline verifier instead (and records why).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from core.llm import ChatMessage, LLMClient, LLMError, LLMUsage
from evals.verifier import JudgeError, Verdict
from retrieval.metering import ModelCall
from retrieval.types import Passage

OnCall = Callable[[ModelCall], None]
"""Told about every judge call (purpose "judge"): the runner meters them."""

_SYSTEM = (
    "You are a strict evaluator of answers produced by a document assistant. "
    "Reply with one JSON object exactly as specified, nothing else."
)
_CLAIMS = (
    "Split the answer into atomic factual claims: short standalone statements, each "
    "checkable on its own, with pronouns resolved. Leave out greetings, hedges and "
    'citation markers like [1]. Reply as {{"claims": ["...", ...]}}.\n\nAnswer:\n{answer}'
)
_VERIFY = (
    "For each numbered claim decide whether the numbered passages fully support it. A "
    "claim with any detail (name, number, date, condition) not stated in the passages is "
    'not supported. Reply as {{"verdicts": [{{"claim": <claim number>, "supported": '
    'true|false, "passage": <number of the best supporting passage or null>, '
    '"reason": "..."}}, ...]}} with one verdict per claim, in order.\n\n'
    "Passages:\n{passages}\n\nClaims:\n{claims}"
)
_RELEVANCY = (
    "How directly and completely does the answer address the question? 1 means it "
    "answers exactly what was asked, 0 means it is off-topic or evasive. Reply as "
    '{{"relevancy": <number from 0 to 1>}}.\n\nQuestion: {question}\n\nAnswer:\n{answer}'
)
_RELEVANT = (
    "For each numbered passage decide whether it contains information needed to answer "
    'the question. Reply as {{"relevant": [true|false, ...]}} with one entry per '
    "passage, in order.\n\nQuestion: {question}\n\nPassages:\n{passages}"
)
_ATTEMPTS = 2
"""A malformed reply is asked for once more, then the judge gives up on the question."""


class JudgeVerifier:
    def __init__(self, llm: LLMClient, on_call: OnCall | None = None) -> None:
        self.llm = llm
        self.name = f"llm:{llm.model}"
        self._on_call = on_call

    def claims(self, answer: str) -> list[str]:
        if not answer.strip():
            return []
        return self._ask(_CLAIMS.format(answer=answer), _claims_schema)

    def verify(self, claims: Sequence[str], context: Sequence[str]) -> list[Verdict]:
        if not claims:
            return []
        if not context:
            return [Verdict(c, False, 0.0, None, "no context") for c in claims]
        prompt = _VERIFY.format(passages=_numbered(context), claims=_numbered(claims))
        rows = self._ask(prompt, lambda data: _verdicts_schema(data, len(claims), len(context)))
        return [
            Verdict(claim, supported, float(supported), passage, reason)
            for claim, (supported, passage, reason) in zip(claims, rows, strict=True)
        ]

    def verify_many(
        self, checks: Sequence[tuple[Sequence[str], Sequence[str]]]
    ) -> list[list[Verdict]]:
        return [self.verify(claims, context) for claims, context in checks]

    def answer_relevancy(self, question: str, answer: str) -> float:
        prompt = _RELEVANCY.format(question=question, answer=answer)
        return self._ask(prompt, _relevancy_schema)

    def relevant_passages(
        self, question: str, passages: Sequence[Passage], gold: Sequence[str]
    ) -> list[bool] | None:
        """The judge decides from the text; gold sources are not needed."""
        if not passages:
            return []
        prompt = _RELEVANT.format(question=question, passages=_numbered([p.text for p in passages]))
        return self._ask(prompt, lambda data: _relevant_schema(data, len(passages)))

    # -- one JSON call with its retry -----------------------------------------------------
    def _ask(self, prompt: str, parse: Callable[[Any], Any]) -> Any:
        messages: list[ChatMessage] = [
            {"role": "system", "content": _SYSTEM},
            {"role": "user", "content": prompt},
        ]
        problem = ""
        for _ in range(_ATTEMPTS):
            started = time.perf_counter()
            try:
                completion = self.llm.complete(messages, json_mode=True)
            except LLMError as exc:
                self._report(LLMUsage(self.llm.model), started, str(exc))
                raise JudgeError(f"the judge model failed: {exc}") from exc
            try:
                value = parse(json.loads(completion.text))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                problem = f"malformed judge reply ({type(exc).__name__}: {exc})"
                self._report(completion.usage, started, problem)
                continue
            self._report(completion.usage, started, None)
            return value
        raise JudgeError(f"{problem}; gave up after {_ATTEMPTS} attempts")

    def _report(self, usage: LLMUsage, started: float, error: str | None) -> None:
        if self._on_call is not None:
            ms = (time.perf_counter() - started) * 1000
            self._on_call(ModelCall("judge", usage, ms, error))


def _numbered(items: Sequence[str]) -> str:
    return "\n".join(f"[{i}] {item}" for i, item in enumerate(items, start=1))


# -- schemas: each raises ValueError/KeyError/TypeError on a reply that does not fit ----
def _claims_schema(data: Any) -> list[str]:
    claims = data["claims"]
    if not isinstance(claims, list) or not all(isinstance(c, str) for c in claims):
        raise ValueError("'claims' must be a list of strings")
    return [c.strip() for c in claims if c.strip()]


def _verdicts_schema(data: Any, claims: int, passages: int) -> list[tuple[bool, int | None, str]]:
    rows = data["verdicts"]
    if not isinstance(rows, list) or len(rows) != claims:
        raise ValueError(f"expected {claims} verdicts")
    out = []
    for row in rows:
        supported = row["supported"]
        if not isinstance(supported, bool):
            raise ValueError("'supported' must be true or false")
        passage = row.get("passage")
        index = int(passage) - 1 if passage is not None else None
        if index is not None and not 0 <= index < passages:
            index = None
        out.append((supported, index, str(row.get("reason") or "")))
    return out


def _relevancy_schema(data: Any) -> float:
    value = float(data["relevancy"])
    if not 0.0 <= value <= 1.0:
        raise ValueError("'relevancy' must be between 0 and 1")
    return value


def _relevant_schema(data: Any, passages: int) -> list[bool]:
    flags = data["relevant"]
    if not isinstance(flags, list) or len(flags) != passages:
        raise ValueError(f"expected {passages} relevance flags")
    if not all(isinstance(f, bool) for f in flags):
        raise ValueError("relevance flags must be true or false")
    return flags
