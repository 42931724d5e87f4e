"""Structure-aware chunking, sized in tiktoken tokens, checked against the embedder.

Elements become *pieces* that should not be cut: sentences of a paragraph, the items
of a list (with its lead-in), the rows of a table (with its header). Pieces are packed
greedily into chunks of about ``target_tokens`` without crossing a heading or a page
break, so each chunk cites one section path and one page. A whole table or list that
fits is one piece and stays whole. Every chunk must also fit the embedder's window
*with* its "title › section" prefix, because that is the text embedded and the model
silently drops what is past its window; pieces that cannot fit alone are cut at word
boundaries, the last resort.

The window is counted once per piece, not once per candidate chunk: a wordpiece
tokenizer splits on whitespace before it looks anything up, so the count of texts
joined by whitespace is the sum of their counts less the repeated [CLS]/[SEP]
(``_Window``). Re-tokenizing the growing chunk at every piece was most of the
chunker's time. (A BPE counter is not exactly additive; the only one here is
OpenAI's, whose 8k window is far above any chunk.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingest.parsing import Element, ParsedDocument

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_SEPARATOR = " › "

TokenCounter = Callable[[str], int]


@dataclass(frozen=True)
class ChunkDraft:
    text: str
    """The chunk alone: what is shown and cited."""
    embed_text: str
    """``title › section`` + blank line + text: what is embedded."""
    section: tuple[str, ...]
    page: int | None
    token_count: int


@dataclass(frozen=True)
class _Piece:
    text: str
    section: tuple[str, ...]
    page: int | None
    group: int
    """Pieces of one element share a group: joined with a space or newline, not a gap."""
    joiner: str = " "
    header: str = ""
    """Repeated at the top of a chunk that continues this group (table header, lead-in)."""


@dataclass
class Limits:
    target_tokens: int
    count_tokens: TokenCounter
    """tiktoken count: the chunk size measure."""
    count_window: TokenCounter | None = None
    """The embedder's own count of the embedded text (None: no window to respect)."""
    max_window: int | None = None

    def fits_target(self, text: str) -> bool:
        return self.count_tokens(text) <= self.target_tokens


class _Window:
    """Window checks for one document: each piece's count once, sums for candidates."""

    def __init__(self, title: str, limits: Limits) -> None:
        self.title = title
        self.limits = limits
        self._counts: dict[str, int] = {}
        self._specials = limits.count_window("") if limits.count_window else 0

    def fits(self, section: tuple[str, ...], texts: Sequence[str]) -> bool:
        """Whether the embedded text of ``texts``, whitespace-joined, fits the window."""
        count, most = self.limits.count_window, self.limits.max_window
        if count is None or most is None:
            return True
        head = prefix(self.title, section)
        parts = [head, *texts] if head else list(texts)
        total = 0
        for part in parts:
            if part not in self._counts:
                self._counts[part] = count(part)
            total += self._counts[part] - self._specials
        return total + self._specials <= most


def prefix(title: str, section: tuple[str, ...]) -> str:
    return _SEPARATOR.join((title, *section)) if title else _SEPARATOR.join(section)


def embed_text(title: str, section: tuple[str, ...], text: str) -> str:
    head = prefix(title, section)
    return f"{head}\n\n{text}" if head else text


def chunk_document(doc: ParsedDocument, limits: Limits) -> list[ChunkDraft]:
    """The chunks of one parsed document, in reading order."""
    window = _Window(doc.title, limits)
    pieces = _pieces(doc, limits, window)
    chunks: list[ChunkDraft] = []
    current: list[_Piece] = []

    def emit() -> None:
        if current:
            text = _join(current)
            section = current[0].section
            chunks.append(
                ChunkDraft(
                    text=text,
                    embed_text=embed_text(doc.title, section, text),
                    section=section,
                    page=current[0].page,
                    token_count=limits.count_tokens(text),
                )
            )
            current.clear()

    for piece in pieces:
        if current and (current[0].section, current[0].page) != (piece.section, piece.page):
            emit()  # a chunk has one section and one page: citations point at both
        candidate = [*current, piece]
        if current and not _fits(candidate, limits, window):
            emit()
            if piece.header and piece.group == candidate[-2].group:
                piece = _Piece(
                    f"{piece.header}\n{piece.text}", piece.section, piece.page, piece.group, "\n"
                )
        current.append(piece)
    emit()
    return chunks


def _fits(pieces: list[_Piece], limits: Limits, window: _Window) -> bool:
    return limits.fits_target(_join(pieces)) and window.fits(
        pieces[0].section, [p.text for p in pieces]
    )


def _join(pieces: list[_Piece]) -> str:
    parts = [pieces[0].text]
    for prev, piece in zip(pieces, pieces[1:], strict=False):
        parts.append(piece.joiner if piece.group == prev.group else "\n\n")
        parts.append(piece.text)
    return "".join(parts)


def _sections(doc: ParsedDocument) -> list[tuple[Element, tuple[str, ...]]]:
    """Body elements with the heading path they sit under (titles build the path)."""
    stack: list[tuple[int, str]] = []
    out: list[tuple[Element, tuple[str, ...]]] = []
    for element in doc.elements:
        if element.kind == "title":
            if not stack and element.text.strip() == doc.title.strip():
                continue
            while stack and stack[-1][0] >= element.level:
                stack.pop()
            stack.append((element.level, element.text))
            continue
        out.append((element, tuple(text for _, text in stack)))
    return out


def _pieces(doc: ParsedDocument, limits: Limits, window: _Window) -> list[_Piece]:
    """Atomic pieces; lists are gathered with their lead-in paragraph."""
    pieces: list[_Piece] = []
    body = _sections(doc)
    group = 0
    i = 0
    while i < len(body):
        element, section = body[i]
        group += 1
        if element.kind == "table":
            header, rows = (element.rows[0], element.rows[1:]) if element.rows else ("", ())
            pieces.extend(
                _block(rows, header, section, element.page, group, limits, window, table=True)
            )
            i += 1
            continue
        if element.kind == "list" or _leads_list(body, i):
            lead = element.text if element.kind != "list" else ""
            j = i + 1 if lead else i
            items: list[str] = []
            while j < len(body) and body[j][0].kind == "list" and body[j][1] == section:
                items.append(f"- {body[j][0].text}")
                j += 1
            pieces.extend(_block(tuple(items), lead, section, element.page, group, limits, window))
            i = j
            continue
        for sentence in _SENTENCE_END.split(element.text):
            for part in _cut(sentence, section, limits, window):
                pieces.append(_Piece(part, section, element.page, group))
        i += 1
    return pieces


def _leads_list(body: list[tuple[Element, tuple[str, ...]]], i: int) -> bool:
    element, section = body[i]
    return (
        element.kind == "text"
        and i + 1 < len(body)
        and body[i + 1][0].kind == "list"
        and body[i + 1][1] == section
    )


def _block(
    lines: tuple[str, ...],
    header: str,
    section: tuple[str, ...],
    page: int | None,
    group: int,
    limits: Limits,
    window: _Window,
    table: bool = False,
) -> list[_Piece]:
    """A table or list: one piece when it fits the window, else a piece per line.

    A whole table may exceed the size target (it stays whole where it fits the window);
    a list is kept whole only within the target, like any other text.
    """
    whole = "\n".join(x for x in (header, *lines) if x)
    if window.fits(section, [whole]) and (table or limits.fits_target(whole)):
        return [_Piece(whole, section, page, group, "\n")]
    out = [_Piece(header, section, page, group, "\n")] if header else []
    for line in lines:
        out.extend(
            _Piece(part, section, page, group, "\n", header)
            for part in _cut(line, section, limits, window, room_for=header)
        )
    return out


def _cut(
    text: str, section: tuple[str, ...], limits: Limits, window: _Window, room_for: str = ""
) -> list[str]:
    """``text`` as is when it fits alone, else word runs that do (the last resort).

    Each check counts a candidate no longer than one chunk, so even a 50,000-word
    run-on line costs linear time.
    """
    lead = [room_for] if room_for else []

    def fits(words: list[str]) -> bool:
        joined = "\n".join([*lead, " ".join(words)])
        return limits.fits_target(joined) and window.fits(section, [*lead, *words])

    if limits.fits_target("\n".join([*lead, text])) and window.fits(section, [*lead, text]):
        return [text]
    parts: list[str] = []
    current: list[str] = []
    for word in text.split():
        if current and not fits([*current, word]):
            parts.append(" ".join(current))
            current = []
        current.append(word)
    if current:
        parts.append(" ".join(current))
    return parts
