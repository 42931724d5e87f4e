"""Fit the prompt in the model's context window, counted with the model's own tokenizer.

Everything must fit: system prompt + chat history + sources + question + the tokens
reserved for the answer (``Settings.answer_tokens``). The question and the rules are
never cut. Sources come first, in rank order: each is kept whole if it fits, else cut
back to its leading whole sentences, else left out — so the lowest-ranked go first.
Chat history gets what remains (at least a quarter of the room when it needs it),
newest turns first; older turns are dropped, their content already carried into the
standalone question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from core.tokens import count_tokens
from retrieval.prompt import SYSTEM_PROMPT, format_question, format_source, history_messages
from retrieval.text import sentences
from retrieval.types import Passage, Turn

_PER_MESSAGE = 4
"""Tokens each chat message costs beyond its content (role and separators)."""
_HISTORY_SHARE = 0.25
_MIN_TRIMMED_TOKENS = 40
"""A trimmed source shorter than this is not worth its header: leave it out."""


@dataclass
class PackedContext:
    passages: list[Passage]
    """Numbered 1..n in prompt order; some may be trimmed to leading sentences."""
    history: list[Turn]
    left_out: list[str] = field(default_factory=list)
    """Chunk ids of sources dropped whole."""
    trimmed: list[str] = field(default_factory=list)
    """Chunk ids of sources cut back to their leading sentences."""
    dropped_turns: int = 0
    prompt_tokens: int = 0


def pack(
    question: str,
    passages: Sequence[Passage],
    history: Sequence[Turn],
    *,
    model: str,
    window: int,
    answer_tokens: int,
) -> PackedContext:
    def tokens(text: str) -> int:
        return count_tokens(text, model) + _PER_MESSAGE

    fixed = tokens(SYSTEM_PROMPT) + tokens("Sources:\n\n" + format_question(question)) + 3
    room = max(0, window - answer_tokens - fixed)
    history_cost = [tokens(m["content"]) for m in history_messages(history)]
    history_reserve = min(sum(history_cost), int(room * _HISTORY_SHARE))

    packed = PackedContext(passages=[], history=[])
    used = 0
    for passage in passages:
        candidate = replace(passage, n=len(packed.passages) + 1)
        cost = count_tokens(format_source(candidate), model) + 2
        if used + cost <= room - history_reserve:
            packed.passages.append(candidate)
            used += cost
            continue
        trimmed = _trim(candidate, room - history_reserve - used, model)
        if trimmed is None:
            packed.left_out.extend(passage.chunk_ids or [passage.chunk_id])
            continue
        packed.passages.append(trimmed)
        packed.trimmed.append(passage.chunk_id)
        used += count_tokens(format_source(trimmed), model) + 2

    kept: list[Turn] = []
    for turn, cost in zip(reversed(history), reversed(history_cost), strict=True):
        if used + cost > room:
            break
        kept.append(turn)
        used += cost
    packed.history = kept[::-1]
    packed.dropped_turns = len(history) - len(kept)
    packed.prompt_tokens = fixed + used
    return packed


def _trim(passage: Passage, budget: int, model: str) -> Passage | None:
    """``passage`` cut to the leading whole sentences that fit ``budget``, or None."""
    if budget < _MIN_TRIMMED_TOKENS:
        return None
    header = count_tokens(format_source(replace(passage, text="")), model) + 2
    kept: list[str] = []
    spent = header
    for sentence in sentences(passage.text):
        cost = count_tokens(sentence + " ", model)
        if spent + cost > budget:
            break
        kept.append(sentence)
        spent += cost
    if not kept or spent < _MIN_TRIMMED_TOKENS:
        return None
    return replace(passage, text=" ".join(kept))
