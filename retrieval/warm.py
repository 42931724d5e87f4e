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
Only the texts the store lacks are embedded (``lacking``: ingest embeds them in the same
length-sorted call as the chunks of its batch), each distinct model input once (a unit
of both views, or of a chunk and the runs that join it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import numpy as np

from core.access import EVERYONE
from core.embeddings import Embedder
from core.embeddings.base import InputWindow
from core.vector_store import Key, keyed_input, store_of
from retrieval.extractive import quotable_units
from retrieval.guards import as_data, owns
from retrieval.types import Passage

_RUN_LIMIT = 6
"""Chunks joined at most when the embedder has no window to fill (widening reaches two
chunks either side of a hit: five)."""
_JOIN = "\n"
"""How ``retrieval.search`` joins adjacent chunks into one passage."""


@dataclass(frozen=True)
class ChunkText:
    """A chunk as the index stores it: its id, section path and text (not the prefixed
    text that is embedded for search)."""

    id: str
    section: tuple[str, ...]
    text: str


@dataclass
class AnswerTexts:
    """What warming ``documents`` stores: the model input of each text by key, the
    (chunk id, key, joined) owner rows, and the chunks whose owner rows are replaced."""

    inputs: dict[Key, str] = field(default_factory=dict)
    owners: set[tuple[str, Key, bool]] = field(default_factory=set)
    chunk_ids: list[str] = field(default_factory=list)


def answer_texts(
    embedder: Embedder | InputWindow,
    documents: Sequence[tuple[Sequence[str], Sequence[ChunkText]]],
) -> AnswerTexts:
    """Every text the answerer may embed for ``documents`` (access groups and all chunks
    in order, per document), each distinct model input once: a unit found in the owner's
    and everyone's view, or in a chunk and in the runs that join it, is one text."""
    out = AnswerTexts()
    for groups, chunks in documents:
        out.chunk_ids.extend(c.id for c in chunks)
        for text, ids, joined in _answer_texts(embedder, groups, chunks):
            key, model_text = keyed_input(embedder, text)
            out.inputs.setdefault(key, model_text)
            out.owners.update((chunk_id, key, joined) for chunk_id in ids)
    return out


@dataclass
class Lacking:
    """What warming a write batch must embed: the model inputs the store lacks (in
    ``texts`` order), and what ``store`` records once their vectors are known. Split
    from ``warm`` so the writer embeds them in the same length-sorted call as the chunks
    (one call per batch pads less than two, ``ingest.writer``)."""

    wanted: AnswerTexts
    keys: list[Key]
    texts: list[str]

    def store(self, embedder: Embedder, vectors: Sequence[np.ndarray] | np.ndarray) -> None:
        """Store ``vectors`` (one per text, in order) with every owner row."""
        store = store_of(embedder)
        if store is not None:
            found = dict(zip(self.keys, vectors, strict=True))
            store.put(found, self.wanted.owners, chunks=self.wanted.chunk_ids)


def merged(parts: Iterable[AnswerTexts]) -> AnswerTexts:
    """The answer texts of several documents as one, as ``answer_texts`` lists them
    together (ingest lists each file's in its parse worker)."""
    out = AnswerTexts()
    for part in parts:
        for key, text in part.inputs.items():
            out.inputs.setdefault(key, text)
        out.owners |= part.owners
        out.chunk_ids.extend(part.chunk_ids)
    return out


def lacking(
    embedder: Embedder, documents: Sequence[tuple[Sequence[str], Sequence[ChunkText]]]
) -> Lacking | None:
    """The answer texts of ``documents`` that the store lacks (None without a store)."""
    if store_of(embedder) is None:
        return None
    return lacking_of(embedder, answer_texts(embedder, documents))


def lacking_of(embedder: Embedder, wanted: AnswerTexts) -> Lacking | None:
    """The texts of ``wanted`` that the store lacks (None without a store)."""
    store = store_of(embedder)
    if store is None:
        return None
    missing = store.missing(wanted.inputs)
    keys = [key for key in wanted.inputs if key in missing]
    return Lacking(wanted, keys, [wanted.inputs[key] for key in keys])


def warm(
    embedder: Embedder,
    documents: Sequence[tuple[Sequence[str], Sequence[ChunkText]]],
    timed: Callable[[str], AbstractContextManager[object]] = lambda stage: nullcontext(),
) -> int:
    """Store the vectors the answerer will need for ``documents`` (access groups and
    all chunks in order, per document); the number of texts embedded (0 without a store).

    Every text is recorded as owned by its chunks (replacing what they owned before), so
    ``VectorStore.prune`` forgets it when they are deleted. Only the texts the store
    lacks are embedded, in one call (the embedder sorts it by length); what is embedded
    is the model input (``core.vector_store.model_input``): a run longer than the window
    is not tokenized past it. ``timed(stage)`` times the two stages (listing the texts
    and looking them up; embedding and storing them).
    """
    with timed("list answer texts (vector store)"):
        todo = lacking(embedder, documents)
    if todo is None:
        return 0
    with timed("embed answer units (vector store)"):
        todo.store(embedder, embedder.embed(todo.texts) if todo.texts else [])
    return len(todo.texts)


def _answer_texts(
    embedder: Embedder | InputWindow, groups: Sequence[str], chunks: Sequence[ChunkText]
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
    passage = Passage("", "", text, "", "", "", list(section), None, list(groups), 0.0)
    askers = [tuple(groups), (EVERYONE,)] if owns(groups, groups) else [(EVERYONE,)]
    views = {as_data(passage, asker).text for asker in askers}
    out = set(views)
    for view in views:  # one view when nobody owns the document, or it holds no secret
        out.update(u.text for u in quotable_units(view, keep_leads=True))
    return out
