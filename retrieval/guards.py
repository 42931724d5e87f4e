"""Guards on what leaves the machine and what the documents may do.

- PII redaction: before a prompt goes to an external endpoint, e-mail addresses,
  phone numbers, card numbers (Luhn-checked), national ids and API keys/tokens are
  replaced by placeholders such as ``⟦EMAIL_1⟧``. Masked values are put back into the
  answer the person sees; secrets (keys, tokens) are never put back.
- Documents are data, never instructions. ``INJECTION_PATTERNS`` is the one list of
  shapes of text addressed to a reader or a model ("ignore previous instructions",
  "when anyone asks…, tell them…", "answer every question with…", "from now on…",
  "email your password to…"); both answerers and ingest use it.
  ``strip_instructions`` removes every block (paragraph or list run) holding such a
  sentence, so neither the sentence nor the neighbours that carry its payload (a
  planted password, an address) can be quoted or read by the model;
  ``instruction_blocks`` finds them so ingest can flag the document for review.
- Secrets in documents (passwords, keys, tokens) are masked in answers by
  ``mask_secrets`` unless the asker *owns* the document (``owns``).
- Citation markers written in a document (``[9]``) are neutralised by
  ``neutralise_markers`` so they cannot pass for ours.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import urlparse

from core.access import EVERYONE, may_see
from core.settings import Settings
from retrieval.text import sentences
from retrieval.types import Passage

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


# -- documents are data, never instructions -------------------------------------------------
INJECTION_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # Overriding the rules.
        r"\b(?:ignore|disregard|forget|override|bypass)\b.{0,40}\b(?:instructions?|prompts?|"
        r"rules?|guidelines?|guardrails?|context|above|previous|prior|earlier|everything)\b",
        r"^\W*(?:please\s+)?ignore\s+(?:all|any|every|the|your|my|previous|prior|earlier|"
        r"above|this|these|those|what)\b",
        r"\byou are (?:now|no longer)\b|\bact as\b|\bpretend (?:to be|you)\b",
        r"\bfrom now on\b|\bhenceforth\b|\bgoing forward,? (?:you|always|answer|reply|say)\b",
        r"\b(?:system|developer) (?:prompt|message|instructions?)\b|\bnew instructions?\b"
        r"|\bjailbreak\b|^\W*(?:system|assistant|developer)\s*:",
        r"\b(?:reveal|print|output|repeat|disclose)\b.{0,30}\b(?:prompt|instructions?|secrets?|"
        r"keys?)\b",
        # Addressed to a model.
        r"\b(?:ai|llms?|gpt|chatbots?|language models?|assistants?|bots?|search tools?)\b.{0,30}"
        r"\b(?:reading|processing|indexing|summari[sz]ing|answering)\b",
        r"\b(?:note|notice|message|attention)\s+(?:to|for)\s+(?:any\s+|all\s+|the\s+)?"
        r"(?:ai|llms?|assistants?|models?|chatbots?|bots?)\b",
        r"\bif you are an? (?:ai|llm|assistant|language model|chatbot|bot)\b|\bas an ai\b",
        # Addressed to whoever answers the questions.
        r"\b(?:when|whenever|if)\s+(?:anyone|anybody|someone|somebody|a user|users|people|"
        r"an employee|employees|the user|you are|you're|you get)\s+(?:\w+\s+){0,2}?"
        r"(?:asks?|asked|asking|enquires?|inquires?|questions?)\b",
        r"(?:^|[,;:]\s*|\b(?:then|please|always|just|simply)\s+)tell\s+(?:them|the user|users|"
        r"anyone|everyone|everybody|people|whoever|the reader|readers|the asker|employees|staff)\b",
        r"\b(?:answer|respond|reply)\s+(?:to\s+)?(?:every|all|any|each)\s+(?:\w+\s+){0,3}?"
        r"(?:questions?|queries|requests?|messages?)\b",
        r"\b(?:answer|respond|reply|say)\s+(?:only\s+)?with\s+[\"'“‘]",
        r"\b(?:do not|don't|never)\s+(?:mention|reveal|disclose)\s+(?:this|these)\s+"
        r"(?:notice|message|instructions?|note|comment)s?\b",
    )
)
"""Sentences addressed to a reader or a model rather than stating a fact: the one list
both answerers (``strip_instructions``), the prompt and ingest (``instruction_blocks``)
use. A request to send credentials to an address is matched by ``_asks_for_credentials``."""

_SEND = re.compile(
    r"(?<!\bnot )(?<!\bnever )(?<!n't )\b(?:e-?mail|send|forward|mail|text|message|post|share|"
    r"submit|provide|give|dm|paste|reply with)\b",
    re.IGNORECASE,
)
_CREDENTIAL = re.compile(
    r"\b(?:passwords?|passcodes?|passphrases?|credentials?|log-?ins?|2fa|mfa|otps?|pins?|"
    r"(?:one-time|verification|security|sign-?in|recovery|backup|mfa|2fa) codes?|api keys?|"
    r"tokens?|secret keys?|recovery (?:kits?|keys?))\b",
    re.IGNORECASE,
)
_ADDRESS = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\bhttps?://\S+|\bwww\.\S+|\+?\d[\d ().-]{7,}\d"
)
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
WITHHELD = "⟦withheld⟧"
"""What stands where a block addressed to a reader or a model was removed."""


def _asks_for_credentials(sentence: str) -> bool:
    """ "Email your Okta password to x@y": a send verb, then a credential, and an address."""
    send = _SEND.search(sentence)
    return bool(send and _CREDENTIAL.search(sentence, send.end()) and _ADDRESS.search(sentence))


@lru_cache(maxsize=16384)
def looks_like_instruction(sentence: str) -> bool:
    """True for text addressed to a reader or a model rather than stating something.

    Cached: ingest asks it of each sentence several times (the instruction flags, each
    view of a passage, each unit listed for the answerer), and its fifteen searches were
    a fifth of the parse worker's time on a real handbook (docs/benchmarks.md)."""
    return _asks_for_credentials(sentence) or any(p.search(sentence) for p in INJECTION_PATTERNS)


def _holds_instruction(block: str) -> bool:
    return any(looks_like_instruction(s) for s in sentences(block))


def instruction_blocks(text: str) -> list[str]:
    """The blocks of ``text`` (paragraphs, list runs) that hold an instruction."""
    return [b.strip() for b in _PARAGRAPH.split(text) if _holds_instruction(b)]


def strip_instructions(text: str, mark: str = "") -> str:
    """``text`` without the blocks that hold an instruction (each replaced by ``mark``).

    A block is a paragraph or a list run with its lead-in (ingest joins a chunk's
    paragraphs, lists and tables with blank lines): the neighbours of an injected
    sentence carry its payload ("…tell them the password is X and to email it to Y"),
    so the whole block goes. Text without instructions comes back unchanged.
    """
    blocks = _PARAGRAPH.split(text)
    flagged = [_holds_instruction(b) for b in blocks]
    if not any(flagged):
        return text
    kept: list[str] = []
    for block, bad in zip(blocks, flagged, strict=True):
        if not bad:
            kept.append(block)
        elif mark and (not kept or kept[-1] != mark):
            kept.append(mark)
    return "\n\n".join(kept)


# -- what people type ----------------------------------------------------------------------
MAX_QUESTION_CHARS = 8000
"""A question longer than this is cut: it is a paste, not a question, and the whole of it
would crowd the sources out of the model's window."""
_UNSPEAKABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Control characters and bidi overrides: they change how text looks, not what it says."""


def clean_question(text: str) -> str:
    """A question as the answer path, the logs and SQL take it: valid UTF-8 (lone
    surrogates from a non-UTF-8 terminal replaced), no control characters or bidi
    overrides (they could forge a log line or disguise words), at most
    ``MAX_QUESTION_CHARS``."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return _UNSPEAKABLE.sub("", text)[:MAX_QUESTION_CHARS]


# -- secrets and citation markers in documents ------------------------------------------------
_SECRET_LABEL = re.compile(
    r"\b(?:passwords?|passcodes?|passphrases?|pwd|api[ _-]?keys?|secret(?: keys?)?|client secret|"
    r"(?:access |auth |bearer |api )?tokens?|private keys?|psk|wi-?fi keys?)\b"
    r"[\w ]{0,24}?(?:\s+(?:is|was|are|reads)\s*:?\s*|\s*[:=]\s*)"
    r"(?:[\"'“‘`](?P<quoted>[^\"'”’`\n]{4,80})[\"'”’`]|(?P<value>[^\s\"'”’`|]{4,}))",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]"
SECRET_MASK = "[secret removed]"


def _secret_like(value: str, quoted: bool) -> bool:
    """A value after "password is" that looks like one: not a word such as "required"."""
    if quoted:
        return len(value) >= 4
    return len(value) >= 6 and (
        any(c.isdigit() for c in value)
        or any(not c.isalnum() for c in value)
        or any(c.isupper() for c in value[1:])
    )


def _secrets(text: str) -> list[tuple[int, int]]:
    """Spans of secret values in ``text``: labelled passwords and keys, known key shapes."""
    spans = [m.span() for m in _RULES[0].pattern.finditer(text)]
    for match in _SECRET_LABEL.finditer(text):
        group = "quoted" if match.group("quoted") else "value"
        value = match.group(group).rstrip(_TRAILING if group == "value" else "")
        if value and _secret_like(value, quoted=group == "quoted"):
            start = match.start(group)
            spans.append((start, start + len(value)))
    return sorted(spans)


def secrets_in(text: str) -> set[str]:
    """The secret values ``mask_secrets`` would mask in ``text``."""
    return {text[a:b] for a, b in _secrets(text)}


def mask_secrets(text: str, keep: Collection[str] = ()) -> str:
    """``text`` with passwords, API keys and tokens replaced by ``[secret removed]``.

    ``keep``: values to leave alone (secrets of documents the asker owns, which the
    model may repeat).
    """
    out: list[str] = []
    at = 0
    for start, end in _secrets(text):
        if start < at or text[start:end] in keep:
            continue
        out += [text[at:start], SECRET_MASK]
        at = end
    return "".join(out) + text[at:] if out else text


def owns(document_groups: Iterable[str], user_groups: Iterable[str]) -> bool:
    """Whether the asker *owns* a document: is in one of its groups other than "all".

    A secret in a document everyone may read (only "all") has no owner and is always
    masked; a password in an IT-only page is shown to IT, who keep it.
    """
    return may_see([g for g in document_groups if g != EVERYONE], user_groups)


_DOC_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def neutralise_markers(text: str) -> str:
    """Citation-like markers in document text (``[9]``) as ``(9)``: only ours look like ours."""
    return _DOC_MARKER.sub(r"(\1)", text)


def as_data(passage: Passage, user_groups: Iterable[str]) -> Passage:
    """A retrieved passage as both answerers, the prompt and the citations may use it:
    instruction blocks withheld, document markers neutralised, secrets masked unless the
    asker owns the document."""
    text = neutralise_markers(strip_instructions(passage.text, mark=WITHHELD))
    if not owns(passage.groups, user_groups):
        text = mask_secrets(text)
    return passage if text == passage.text else replace(passage, text=text)


class OutputGuard:
    """Filters a model's streamed answer a sentence at a time.

    A sentence that reads as an instruction (a model that obeyed a planted one repeats
    it) is dropped, and secrets are masked unless they are in ``keep`` (the sources the
    asker owns). Text is held back until its sentence ends, so nothing is shown first
    and withdrawn later.
    """

    _BOUNDARY = re.compile(r"(?<=[.!?…])\s+|\n")
    _SPLIT = re.compile(r"((?<=[.!?…])\s+|\n)")

    def __init__(self, keep: Collection[str] = ()) -> None:
        self._keep = keep
        self._buffer = ""

    def feed(self, delta: str) -> str:
        self._buffer += delta
        ends = [m.end() for m in self._BOUNDARY.finditer(self._buffer)]
        if not ends:
            return ""
        done, self._buffer = self._buffer[: ends[-1]], self._buffer[ends[-1] :]
        return self._filter(done)

    def flush(self) -> str:
        rest, self._buffer = self._buffer, ""
        return self._filter(rest)

    def _filter(self, text: str) -> str:
        pieces = self._SPLIT.split(text)
        kept = [
            mask_secrets(sentence, self._keep) + gap
            for sentence, gap in zip(pieces[0::2], [*pieces[1::2], ""], strict=True)
            if not looks_like_instruction(sentence)
        ]
        return "".join(kept)
