"""Hybrid search: dense (embeddings) and sparse (BM25) over the same chunks, fused.

Both lists come from the ``Index`` protocol, so the embedded and the server backend
behave alike, and both are filtered by the asker's access groups inside the engine's
query: a chunk the asker may not see is never returned, so it cannot reach a prompt.
The lists are fused here in two steps, each for what it does best (measured in
docs/benchmarks.md, "Fusion: rank or score?"):

1. **Which chunks**: weighted reciprocal rank fusion (a chunk's score is
   ``Σ weight / (rrf_k + rank)``), which needs no score calibration between the two and
   finds the most answering chunks among the first ``top_k``; and, for a question, the
   dense list's first chunk, which rank fusion sinks below every chunk both lists find
   when BM25 does not find it at all (a question in other words than the page's: "proof
   of what I'm paid for the bank" and the employment-verification page, docs/evals.md,
   session 11).
2. **In which order**: those first ``top_k`` are re-ordered by their scores — each
   list's scores as z-scores over the chunks either list found, ``dense_share`` dense and
   the rest BM25 (a chunk one list did not return gets that list's lowest score). Rank
   fusion lets a long, chatty question's noisy BM25 list pull the dense list's first hit
   down; the scores say how much better that hit is, so it comes back first. The answer
   leads with its first passage, so this order is what the person reads first.
3. **Where both agree**: when the dense and the BM25 list rank the same document first,
   it leads. Chunk by chunk, a document's best dense chunk and its best BM25 chunk can
   each lose to a third chunk of another document that both rank second, so fusion
   ranked below both lists a document both ranked first (docs/evals.md, session 9).

A statement or a set of keywords (not a question) gets one more step, pseudo-relevance
feedback: the candidates of both lists are re-scored against the query vector
moved ``feedback`` of the way toward the first fused hit's vector, and fused again. The
best hit of a topic search is an example of the topic, so chunks like it rise (SciFact's
claims: nDCG@10 0.727 → 0.741). A question is left alone: its first hit may answer one
of its parts, and moving toward it buries the others (the sample set's questions lost
0.01 MRR with it; their keywords alone gained 0.003). docs/benchmarks.md, "Feedback for
statements".

Then the result is made useful as answer context: near-duplicate texts are dropped,
at most ``max_chunks_per_doc`` chunks come from one document, and chunks that follow
each other in one section are merged back into one passage.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from core.access import asker_groups
from core.embeddings import Embedder
from core.index import Hit, Index, SearchFilter
from core.settings import Settings
from retrieval.question import is_question
from retrieval.text import terms
from retrieval.types import Filters, Passage, User

_NEAR_DUPLICATE = 0.85
"""Term-set Jaccard similarity above which two chunks say the same thing."""


@dataclass(frozen=True)
class Fusion:
    """How the two lists are combined (defaults from ``Settings``)."""

    dense_weight: float = 1.0
    sparse_weight: float = 1.0
    rrf_k: int = 60
    candidates: int = 40
    ordered: int = 8
    """The first this many fused chunks are re-ordered by score (0: rank fusion only)."""
    dense_share: float = 0.7
    """Weight of the dense z-score in that order; BM25's is the rest."""
    feedback: float = 0.3
    """For a statement: the first fused hit's share of the re-scoring vector (0: off)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Fusion:
        s = settings
        return cls(
            s.dense_weight,
            s.sparse_weight,
            s.rrf_k,
            s.candidates,
            s.top_k,
            s.dense_share,
            s.feedback,
        )


def search_filter(user: User, filters: Filters | None = None) -> SearchFilter:
    """The engine-side filter: the asker's groups ("all" always among them, as
    ``core.access`` says), narrowed by any optional filters."""
    f = filters or Filters()
    return SearchFilter.for_groups(
        asker_groups(user.groups),
        sources=tuple(f.sources),
        doc_ids=tuple(f.doc_ids),
        date_from=f.date_from,
        date_to=f.date_to,
    )


def fuse(
    dense: Sequence[Hit], sparse: Sequence[Hit], fusion: Fusion, *, question: bool = False
) -> list[tuple[Hit, float]]:
    """Weighted reciprocal rank fusion of two ranked lists, its first ``fusion.ordered``
    (and, for a ``question``, the dense list's first) re-ordered by score, the document
    both lists rank first leading; each hit with its rank-fusion score."""
    scores: dict[str, float] = {}
    hits: dict[str, Hit] = {}
    for ranked, weight in ((dense, fusion.dense_weight), (sparse, fusion.sparse_weight)):
        for rank, hit in enumerate(ranked, start=1):
            scores[hit.id] = scores.get(hit.id, 0.0) + weight / (fusion.rrf_k + rank)
            hits.setdefault(hit.id, hit)
    fused = sorted(((hits[i], s) for i, s in scores.items()), key=lambda pair: -pair[1])
    if not dense or not sparse:
        return fused
    if fusion.ordered > 0:
        order = _score_order(dense, sparse, fusion.dense_share)
        head, rest = fused[: fusion.ordered], fused[fusion.ordered :]
        # A question's dense first chunk is always ordered by its score: rank fusion
        # sinks a chunk that BM25 does not find at all below any that both lists find
        # low. A statement shares its terms with what it is about, so there BM25 missing
        # it is evidence (SciFact 0.742 → 0.735 with the rule, docs/benchmarks.md).
        top = dense[0].id if question else None
        lifted = [pair for pair in rest if pair[0].id == top]
        rest = [pair for pair in rest if pair[0].id != top]
        head = sorted(head + lifted, key=lambda pair: -order[pair[0].id])
        fused = head + rest
    return _agreed_first(fused, dense, sparse)


def _agreed_first(
    fused: list[tuple[Hit, float]], dense: Sequence[Hit], sparse: Sequence[Hit]
) -> list[tuple[Hit, float]]:
    """``fused`` with the document both lists rank first leading (its best fused chunk
    moved to the front): when the two agree, their fusion must not overturn them."""
    agreed = _doc(dense[0])
    if agreed != _doc(sparse[0]) or _doc(fused[0][0]) == agreed:
        return fused
    i = next(i for i, (hit, _) in enumerate(fused) if _doc(hit) == agreed)
    return [fused[i], *fused[:i], *fused[i + 1 :]]


def _doc(hit: Hit) -> str:
    return str(hit.payload.get("doc_id", hit.id))


def _score_order(
    dense: Sequence[Hit], sparse: Sequence[Hit], dense_share: float
) -> dict[str, float]:
    """``dense_share`` · z(dense score) + the rest · z(BM25 score), by chunk id, over the
    chunks either list found; a list's lowest score stands in where it has none."""
    ids = list(dict.fromkeys(h.id for h in (*dense, *sparse)))
    out = dict.fromkeys(ids, 0.0)
    for ranked, share in ((dense, dense_share), (sparse, 1.0 - dense_share)):
        found = {h.id: h.score for h in ranked}
        lowest = min(found.values())
        values = [found.get(i, lowest) for i in ids]
        mean = sum(values) / len(values)
        spread = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5 or 1.0
        for i, v in zip(ids, values, strict=True):
            out[i] += share * (v - mean) / spread
    return out


class Searcher:
    """Hybrid search over one index with one embedder."""

    def __init__(self, index: Index, embedder: Embedder, settings: Settings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings

    def hits(
        self, query: str, flt: SearchFilter, fusion: Fusion | None = None
    ) -> list[tuple[Hit, float]]:
        """Fused chunk hits, best first, before any diversity rules (benchmarks use this)."""
        fusion = fusion or Fusion.from_settings(self.settings)
        dense: list[Hit] = []
        sparse: list[Hit] = []
        vector: np.ndarray | None = None
        if fusion.dense_weight > 0:
            vector = self.embedder.embed_query(query)
            dense = self.index.search_dense(vector, flt, fusion.candidates)
        if fusion.sparse_weight > 0:
            sparse = self.index.search_sparse(query, flt, fusion.candidates)
        question = is_question(query)
        fused = fuse(dense, sparse, fusion, question=question)
        if fusion.feedback > 0 and not question and vector is not None and dense and sparse:
            fed_back = self._fed_back(vector, fused[0][0], dense, sparse, fusion)
            fused = fuse(fed_back, sparse, fusion, question=False)
        return fused

    def _fed_back(
        self, vector: np.ndarray, first: Hit, dense: list[Hit], sparse: list[Hit], fusion: Fusion
    ) -> list[Hit]:
        """Both lists' candidates as one dense list, scored against ``vector`` moved
        ``fusion.feedback`` toward ``first``'s vector (both unit length; renormalised)."""
        found = self.index.vectors([first.id])
        if first.id not in found:
            return dense
        moved = np.asarray(vector, dtype=np.float32) + fusion.feedback * found[first.id]
        moved /= np.linalg.norm(moved) or 1.0
        candidates = {h.id: h for h in (*dense, *sparse)}
        scores = self.index.similarities(moved, list(candidates))
        rescored = sorted(
            (replace(candidates[cid], score=score) for cid, score in scores.items()),
            key=lambda h: -h.score,
        )
        return rescored[: fusion.candidates]

    def search(
        self,
        query: str,
        user: User,
        filters: Filters | None = None,
        *,
        top_k: int | None = None,
    ) -> list[Passage]:
        """The best passages ``user`` may see for ``query``, diverse, best first."""
        if not query.strip():
            return []
        ranked = self.hits(query, search_filter(user, filters))
        return diversify(
            (_passage(hit, score) for hit, score in ranked),
            top_k=top_k or self.settings.top_k,
            max_per_doc=self.settings.max_chunks_per_doc,
        )

    def widen(
        self,
        passages: Sequence[Passage],
        user: User,
        filters: Filters | None = None,
        *,
        documents: int = 3,
        reach: int = 2,
    ) -> list[Passage]:
        """``passages`` and, for the ``documents`` documents rank fusion scored highest
        among them, the chunks up to ``reach`` before and after the ones found, merged
        where they adjoin.

        A search finds the chunk that sounds most like the question; the sentence that
        answers it is often in the next one (the steps after "How to claim", the rest of a
        list). The extractive answerer quotes sentences, so it reads the neighbourhood.
        The neighbours go through the same access filter as the search.
        """
        base = search_filter(user, filters)
        have = {c for p in passages for c in p.chunk_ids}
        extra: list[Passage] = []
        by_fusion = sorted(passages, key=lambda p: -p.score)
        for doc_id in list(dict.fromkeys(p.doc_id for p in by_fusion))[:documents]:
            spans = [
                (p.ordinal, p.ordinal + len(p.chunk_ids) - 1)
                for p in passages
                if p.doc_id == doc_id
            ]
            low = max(min(a for a, _ in spans) - reach, 0)
            high = max(b for _, b in spans) + reach
            flt = replace(base, doc_ids=(doc_id,), ordinals=(low, high))
            hits = self.index.scroll(flt, limit=high - low + 1)
            extra += [_passage(h, 0.0) for h in hits if h.id not in have]
        extra.sort(key=lambda p: (p.doc_id, p.ordinal))
        return _merge_adjacent([*passages, *extra])


def diversify(ranked: Iterable[Passage], *, top_k: int, max_per_doc: int) -> list[Passage]:
    """Drop near-copies, cap chunks per document, keep ``top_k``, merge neighbours
    (``ranked`` is read only as far as it takes: a search builds its passages lazily)."""
    kept: list[Passage] = []
    kept_terms: list[set[str]] = []
    per_doc: dict[str, int] = {}
    for passage in ranked:
        if len(kept) == top_k:
            break
        if per_doc.get(passage.doc_id, 0) >= max_per_doc:
            continue
        words = set(terms(passage.text))
        if any(_jaccard(words, other) >= _NEAR_DUPLICATE for other in kept_terms):
            continue
        kept.append(passage)
        kept_terms.append(words)
        per_doc[passage.doc_id] = per_doc.get(passage.doc_id, 0) + 1
    return _merge_adjacent(kept)


def _merge_adjacent(passages: list[Passage]) -> list[Passage]:
    """Passages that follow each other in one section become one, at the better rank."""
    by_start = {(p.doc_id, p.ordinal): p for p in passages}
    by_end = {(p.doc_id, p.ordinal + len(p.chunk_ids) - 1): p for p in passages}
    absorbed: set[int] = set()
    merged: list[Passage] = []
    for passage in passages:
        if id(passage) in absorbed:
            continue
        start = passage
        while (prev := by_end.get((start.doc_id, start.ordinal - 1))) and _joins(prev, start):
            start = prev
        run = [start]
        while (nxt := by_start.get((run[-1].doc_id, _next_ordinal(run[-1])))) and _joins(
            run[-1], nxt
        ):
            run.append(nxt)
        absorbed.update(id(p) for p in run)
        if len(run) == 1:
            merged.append(passage)
            continue
        merged.append(
            replace(
                start,
                text="\n".join(p.text for p in run),
                score=max(p.score for p in run),
                chunk_ids=[c for p in run for c in p.chunk_ids],
            )
        )
    return merged


def _next_ordinal(p: Passage) -> int:
    return p.ordinal + len(p.chunk_ids)


def _joins(a: Passage, b: Passage) -> bool:
    """``b`` directly follows ``a`` in the same section."""
    return a is not b and _same_section(a, b)


def _same_section(a: Passage, b: Passage) -> bool:
    return a.section == b.section


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else float(a == b)


def _passage(hit: Hit, score: float) -> Passage:
    p = hit.payload
    return Passage(
        chunk_id=hit.id,
        doc_id=str(p.get("doc_id", "")),
        text=str(p.get("text", "")),
        title=str(p.get("title", "")),
        source=str(p.get("source", "")),
        path=str(p.get("path", "")),
        section=list(p.get("section") or []),
        page=p.get("page"),
        groups=list(p.get("groups") or []),
        score=score,
        chunk_ids=[hit.id],
        ordinal=int(p.get("ordinal") or 0),
    )
