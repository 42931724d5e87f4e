"""Warm the sentence-vector store at ingest, with exactly the texts the answerer embeds.

The extractive answerer (``retrieval.extractive``) embeds each passage it is given and
every quotable unit of it (``quotable_units``). A passage is one chunk or, after
``Searcher.search`` / ``Searcher.widen``, adjacent chunks of one section joined with a
newline, and both answerers read it as ``guards.as_data`` makes it (instructions
withheld, markers neutralised, secrets masked for whoever does not own the document).
So for each document written, ingest hands its chunks here and every such text is
computed: each chunk, and each run of adjacent chunks of a section from every start,
grown until the model's window is full (a longer run from the same start has the same
model input, ``core.vector_store.model_input``), in the owner's and in everyone's view.
Only the texts the store lacks are embedded, in one length-sorted call.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from core.embeddings import Embedder
from core.vector_store import Key, store_of, text_key
from retrieval.extractive import quotable_units
from retrieval.guards import as_data
from retrieval.types import Passage

_RUN_LIMIT = 6
"""Chunks joined at most when the embedder has no window to fill (widening reaches two
chunks either side of a hit: five)."""
_JOIN = "\n"
"""How ``retrieval.search`` joins adjacent chunks into one passage."""
_EVERYONE = ("all",)


@dataclass(frozen=True)
class ChunkText:
    """A chunk as the index stores it: its id, section path and text (not the prefixed
    text that is embedded for search)."""

    id: str
    section: tuple[str, ...]
    text: str


def warm(embedder: Embedder, documents: Sequence[tuple[Sequence[str], Sequence[ChunkText]]]) -> int:
    """Store the vectors the answerer will need for ``documents`` (access groups and
    all chunks in order, per document); the number of texts embedded (0 without a store).

    Every text is recorded as owned by its chunks (replacing what they owned before), so
    ``VectorStore.prune`` forgets it when they are deleted.
    """
    store = store_of(embedder)
    if store is None:
        return 0
    texts: dict[Key, str] = {}
    chunk_ids: list[str] = []
    owners: set[tuple[str, Key, bool]] = set()
    for groups, chunks in documents:
        chunk_ids.extend(c.id for c in chunks)
        for text, ids, joined in _answer_texts(embedder, groups, chunks):
            key = text_key(embedder, text)
            texts.setdefault(key, text)
            owners.update((chunk_id, key, joined) for chunk_id in ids)
    lacking = store.missing(texts)
    missing = [key for key in texts if key in lacking]
    vectors = embedder.embed([texts[key] for key in missing]) if missing else []
    store.put(dict(zip(missing, vectors, strict=True)), owners, chunks=chunk_ids)
    return len(missing)


def _answer_texts(
    embedder: Embedder, groups: Sequence[str], chunks: Sequence[ChunkText]
) -> Iterator[tuple[str, tuple[str, ...], bool]]:
    """(text, owning chunk ids, joined) for each passage text and unit the answerer may
    embed for this document; joined: it spans more than one chunk."""
    single: set[str] = set()
    for chunk in chunks:
        for text in _passage_texts(chunk.text, chunk.section, groups):
            single.add(text)
            yield text, (chunk.id,), False
    window = embedder.max_input_tokens
    for start, first in enumerate(chunks):
        run = [first]
        end = len(chunks) if window is not None else start + _RUN_LIMIT
        for chunk in chunks[start + 1 : end]:
            if chunk.section != first.section:
                break
            run.append(chunk)
            joined = _JOIN.join(c.text for c in run)
            ids = tuple(c.id for c in run)
            for text in _passage_texts(joined, first.section, groups):
                if text not in single:
                    yield text, ids, True
            if window is not None and embedder.count_input_tokens(joined) >= window:
                break


def _passage_texts(text: str, section: tuple[str, ...], groups: Sequence[str]) -> set[str]:
    """The passage's text and its units, as each asker who may see it reads it."""
    out: set[str] = set()
    passage = Passage("", "", text, "", "", "", list(section), None, list(groups), 0.0)
    for asker in (tuple(groups), _EVERYONE):
        view = as_data(passage, asker).text
        out.add(view)
        out.update(u.text for u in quotable_units(view, keep_leads=True))
    return out
