"""Chat memory: a follow-up question becomes a standalone one before it is searched.

"And for contractors?" searches badly on its own. With an LLM configured, the model
rewrites it using the recent turns; without one (or when the model fails), a rule
carries the previous question's key words into the follow-up. Fitting old turns into
the prompt is the context budget's job (``context.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.llm import ChatMessage, Completion, LLMClient, LLMError
from core.tokens import truncate_tokens
from retrieval.prompt import neutralise
from retrieval.text import STOPWORDS, terms
from retrieval.types import Turn

_REWRITE_PROMPT = """Rewrite the user's last message as one standalone question that can be \
understood without the conversation: resolve pronouns and references like "it", "that" or \
"and for X?" from the earlier turns. Keep the user's language and wording where you can. \
If it is already standalone, return it unchanged. Reply with the question only."""

_FOLLOW_UP_START = re.compile(
    r"^\s*(?:and|also|but|or|so|what about|how about|same for|what if|then)\b", re.IGNORECASE
)
_REFERENCE = re.compile(
    r"\b(?:it|its|that|this|these|those|they|them|their|there|he|she|him|her|one|ones|same)\b",
    re.IGNORECASE,
)
_TURN_TOKENS = 300
_TURNS_FOR_REWRITE = 6
_SHORT_QUESTION_TERMS = 2


def is_follow_up(question: str) -> bool:
    """Does ``question`` lean on the conversation (a pronoun, "and …?", very short)?"""
    return bool(
        _FOLLOW_UP_START.search(question)
        or _REFERENCE.search(question)
        or len(terms(question)) <= _SHORT_QUESTION_TERMS
    )


def rule_based_rewrite(question: str, history: Sequence[Turn]) -> str:
    """The follow-up plus the previous question's key words it does not repeat."""
    previous = next((t.content for t in reversed(history) if t.role == "user"), None)
    if previous is None or not is_follow_up(question):
        return question
    have = set(terms(question))
    carried = [
        w
        for w in dict.fromkeys(re.findall(r"[\w'’-]+", previous))
        if w.lower() not in STOPWORDS
        and not _REFERENCE.fullmatch(w)
        and terms(w)
        and terms(w)[0] not in have
    ]
    return f"{question.strip()} ({' '.join(carried)})" if carried else question


def standalone_question(
    question: str, history: Sequence[Turn], llm: LLMClient | None = None
) -> tuple[str, Completion | None, str | None]:
    """The question to search with, the rewrite call (to meter), and any error.

    The LLM is asked only when there is history and the question looks like a
    follow-up; on failure the rule-based rewrite stands in.
    """
    if not history or not is_follow_up(question):
        return question, None, None
    if llm is None:
        return rule_based_rewrite(question, history), None, None
    try:
        result = llm.complete(_rewrite_messages(question, history, llm.model), max_tokens=120)
    except LLMError as exc:
        return rule_based_rewrite(question, history), None, str(exc)
    rewritten = result.text.strip().strip('"').strip()
    return (rewritten or rule_based_rewrite(question, history)), result, None


def _rewrite_messages(question: str, history: Sequence[Turn], model: str) -> list[ChatMessage]:
    recent = history[-_TURNS_FOR_REWRITE:]
    transcript = "\n".join(
        f"{t.role}: {neutralise(truncate_tokens(t.content, _TURN_TOKENS, model))}" for t in recent
    )
    return [
        {"role": "system", "content": _REWRITE_PROMPT},
        {
            "role": "user",
            "content": f"Conversation:\n{transcript}\n\nLast message: {neutralise(question)}",
        },
    ]
