"""Guards on what leaves the machine and what the documents may do.

- PII redaction: before a prompt goes to an external endpoint, e-mail addresses,
  phone numbers, card numbers (Luhn-checked), national ids and API keys/tokens are
  replaced by placeholders such as ``⟦EMAIL_1⟧``. Masked values are put back into the
  answer the person sees; secrets (keys, tokens) are never put back.
- Injection hygiene: retrieved text is data. ``looks_like_instruction`` spots sentences
  that talk to the model ("ignore previous instructions") so the extractive answerer
  never presents them as an answer; the prompt neutralises delimiters (``prompt.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlparse

from core.settings import Settings

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def redaction_enabled(settings: Settings) -> bool:
    """On unless configured off, or the endpoint is on this machine."""
    if settings.redact_pii is not None:
        return settings.redact_pii
    host = urlparse(settings.openai_base_url or "https://api.openai.com/v1").hostname or ""
    return host not in _LOCAL_HOSTS


def _luhn(number: str) -> bool:
    digits = [int(d) for d in number if d.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    valid: Callable[[str], bool] = lambda _value: True
    restorable: bool = True


_RULES = (
    _Rule(
        "SECRET",
        re.compile(
            r"\b(?:sk-(?:proj-)?[A-Za-z0-9_-]{16,}|sk_(?:live|test)_[A-Za-z0-9]{16,}"
            r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{20,}|xox[abprs]-[A-Za-z0-9-]{10,}"
            r"|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,})"
            r"|(?i:(?<=bearer )[A-Za-z0-9._~+/-]{20,}=*)"
        ),
        restorable=False,
    ),
    _Rule("EMAIL", re.compile(r"\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")),
    _Rule("CARD", re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])"), _luhn),
    _Rule(
        "NATIONAL_ID",
        re.compile(
            r"\b\d{3}-\d{2}-\d{4}\b"  # US social security number
            r"|\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"  # UK NI
        ),
    ),
    _Rule(
        "PHONE",
        re.compile(
            r"(?<![\w+])\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}(?!\w)"
            r"|(?<!\w)\(\d{2,4}\)[ .-]?\d{3,4}[ .-]?\d{3,4}(?!\w)"
            r"|\b\d{3}[.-]\d{3}[.-]\d{4}\b"
            r"|\b0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}\b"
        ),
        lambda v: sum(c.isdigit() for c in v) >= 9,
    ),
)


@dataclass
class Redactor:
    """Replaces PII with numbered placeholders and remembers them for ``restore``.

    One redactor per answer: the same value always gets the same placeholder, so the
    model can still tell two people's addresses apart.
    """

    _placeholders: dict[str, str] = field(default_factory=dict)
    _values: dict[str, str] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)

    def redact(self, text: str) -> str:
        for rule in _RULES:
            text = rule.pattern.sub(lambda m, r=rule: self._placeholder(r, m.group(0)), text)
        return text

    def restore(self, text: str) -> str:
        """Masked values back in place; secrets stay out."""
        for placeholder, value in self._values.items():
            text = text.replace(placeholder, value)
        return re.sub(r"⟦SECRET_\d+⟧", "[secret removed]", text)

    @property
    def counts(self) -> dict[str, int]:
        """How many distinct values of each kind were redacted."""
        return dict(self._counts)

    def _placeholder(self, rule: _Rule, value: str) -> str:
        if not rule.valid(value):
            return value
        if value not in self._placeholders:
            self._counts[rule.kind] = self._counts.get(rule.kind, 0) + 1
            placeholder = f"⟦{rule.kind}_{self._counts[rule.kind]}⟧"
            self._placeholders[value] = placeholder
            if rule.restorable:
                self._values[placeholder] = value
        return self._placeholders[value]


_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules?|"
    r"guidelines?|context|above|previous)\b"
    r"|\byou are (?:now|no longer)\b|\bact as\b|\bpretend (?:to be|you)\b"
    r"|\b(?:system|developer) (?:prompt|message|instructions?)\b|\bnew instructions?\b"
    r"|\b(?:reveal|print|output|repeat)\b.{0,30}\b(?:prompt|instructions?|secrets?|keys?)\b"
    r"|\bjailbreak\b|^\s*(?:system|assistant)\s*:",
    re.IGNORECASE,
)


def looks_like_instruction(sentence: str) -> bool:
    """True for text addressed to a model rather than a reader."""
    return bool(_INSTRUCTION.search(sentence))
