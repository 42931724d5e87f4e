"""Retrieval benchmark on a BEIR-format dataset (not a test: it measures).

The corpus (``corpus.jsonl``) is chunked with ingest's chunker to the embedder's
window, embedded with the configured embedder (vectors are cached under
``data_dir/bench`` so a re-run skips the slow part) and written to a fresh embedded
index in a temporary folder. Each query of the split (``qrels/<split>.tsv``) is then
searched four ways in the same run — hybrid (the settings' fusion, fused in Python as
``retrieval.search`` does), the same fusion inside the engine (``Index.search_hybrid``,
one query), dense only and BM25 only — a document scoring as its best chunk; how often
the engine's fused order equals Python's is counted too. Reported: nDCG@10, Recall@10,
MRR@10, query latency p50/p95 (query embedding included), and peak RSS.

``scale_to`` adds synthetic points (random unit vectors, random-word BM25 text, random
access groups) until the index holds that many, then times the full access-filtered
hybrid search again (both fusions): the latency a 100k-chunk deployment would see.
``tune`` searches fusion weights / rrf_k / candidates on another split's qrels.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import random
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from core.embeddings import Embedder
from core.index import ChunkRecord, Hit, HybridQuery, SearchFilter
from core.index.edge import EdgeIndex
from core.settings import Settings
from core.tokens import count_tokens
from ingest.chunking import Limits, chunk_document
from ingest.parsing import Element, ParsedDocument
from retrieval.search import Fusion, Searcher, fuse

_SYNTHETIC_GROUPS = [f"team-{i}" for i in range(10)]
_ASKER = SearchFilter.for_groups(["all", "team-1"])
_UPSERT_BATCH = 2000


@dataclass(frozen=True)
class ModeResult:
    mode: str
    ndcg_at_10: float
    recall_at_10: float
    mrr_at_10: float
    p50_ms: float
    p95_ms: float


@dataclass(frozen=True)
class Dataset:
    corpus: dict[str, tuple[str, str]]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def load_beir(folder: Path, split: str) -> Dataset:
    """corpus.jsonl, queries.jsonl and qrels/<split>.tsv (only the split's queries)."""
    for needed in ("corpus.jsonl", "queries.jsonl", f"qrels/{split}.tsv"):
        if not (folder / needed).is_file():
            raise FileNotFoundError(f"{folder / needed} is missing: is this a BEIR dataset?")
    corpus = {}
    for line in (folder / "corpus.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        corpus[str(row["_id"])] = (row.get("title") or "", row.get("text") or "")
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "qrels" / f"{split}.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, doc_id, score = line.split("\t")[:3]
        if int(score) > 0:
            qrels.setdefault(qid, {})[doc_id] = int(score)
    queries = {}
    for line in (folder / "queries.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        if str(row["_id"]) in qrels:
            queries[str(row["_id"])] = row["text"]
    return Dataset(corpus, queries, qrels)


# -- metrics ------------------------------------------------------------------------------
def ndcg_at_10(ranked: list[str], relevant: dict[str, int]) -> float:
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at_10(ranked: list[str], relevant: dict[str, int]) -> float:
    return len(set(ranked[:10]) & set(relevant)) / len(relevant)


def mrr_at_10(ranked: list[str], relevant: dict[str, int]) -> float:
    return next((1 / (i + 1) for i, d in enumerate(ranked[:10]) if d in relevant), 0.0)


def rank_documents(hits: Iterable[tuple[Hit, float]]) -> list[str]:
    """Documents in the order of their best chunk: the first in the list (the search's
    order is the ranking; its first chunks are re-ordered by score after rank fusion,
    so the fusion scores alone do not give it)."""
    return list(dict.fromkeys(hit.payload["doc_id"] for hit, _ in hits))


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


# -- building the index ---------------------------------------------------------------------
def _chunks(dataset: Dataset, settings: Settings, embedder: Embedder) -> list[tuple[str, str]]:
    """(doc id, embedded text) per chunk, with ingest's chunker and limits."""
    limits = Limits(
        target_tokens=settings.chunk_tokens,
        count_tokens=count_tokens,
        count_window=embedder.count_input_tokens,
        max_window=embedder.max_input_tokens,
    )
    out = []
    for doc_id, (title, text) in dataset.corpus.items():
        parsed = ParsedDocument([Element("text", text)], title=title)
        out.extend((doc_id, draft.embed_text) for draft in chunk_document(parsed, limits))
    return out


def _vectors(texts: list[str], embedder: Embedder, cache_dir: Path) -> np.ndarray:
    key = hashlib.sha256(("\x00".join(texts) + embedder.name).encode()).hexdigest()[:16]
    path = cache_dir / f"{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = embedder.embed(texts)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def _fill(index: EdgeIndex, chunks: list[tuple[str, str]], vectors: np.ndarray) -> None:
    for start in range(0, len(chunks), _UPSERT_BATCH):
        batch = chunks[start : start + _UPSERT_BATCH]
        index.upsert(
            [
                ChunkRecord(
                    id=str(uuid.uuid5(uuid.NAMESPACE_OID, f"{doc_id}#{start + i}")),
                    dense=vectors[start + i],
                    sparse_text=text,
                    payload={"doc_id": doc_id, "text": text, "groups": ["all"], "ordinal": i},
                )
                for i, (doc_id, text) in enumerate(batch)
            ]
        )


def _add_synthetic(index: EdgeIndex, count: int, dim: int, vocabulary: list[str]) -> None:
    rng = np.random.default_rng(7)
    words = random.Random(7)
    for start in range(0, count, _UPSERT_BATCH):
        n = min(_UPSERT_BATCH, count - start)
        vectors = rng.standard_normal((n, dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        index.upsert(
            [
                ChunkRecord(
                    id=str(uuid.uuid5(uuid.NAMESPACE_OID, f"synthetic#{start + i}")),
                    dense=vectors[i],
                    sparse_text=" ".join(words.choices(vocabulary, k=60)),
                    payload={
                        "doc_id": f"synthetic-{start + i}",
                        "text": "",
                        "groups": [words.choice(_SYNTHETIC_GROUPS)],
                        "ordinal": 0,
                    },
                )
                for i in range(n)
            ]
        )


def _engine_search(
    searcher: Searcher, fusion: Fusion, vectors: dict[str, np.ndarray] | None = None
) -> Callable[[str], list[tuple[Hit, float]]]:
    """The hybrid fused by RRF inside the engine; the query embedded unless in ``vectors``."""

    def search(query: str) -> list[tuple[Hit, float]]:
        vector = vectors[query] if vectors else searcher.embedder.embed_query(query)
        hybrid = HybridQuery(
            vector,
            query,
            fusion.rrf_k,
            fusion.candidates,
            fusion.dense_weight,
            fusion.sparse_weight,
        )
        hits = searcher.index.search_hybrid(hybrid, _ASKER, 2 * fusion.candidates)
        return [(hit, hit.score) for hit in hits]

    return search


def compare_fusions(searcher: Searcher, dataset: Dataset, fusion: Fusion) -> dict[str, float]:
    """Python vs engine fusion on the same index, queries embedded once beforehand: search
    latency without the embedding, and the share of queries whose engine-fused chunk order
    (all of it, and the first ten documents) is Python's."""
    vectors = {q: searcher.embedder.embed_query(q) for q in dataset.queries.values()}
    index = searcher.index

    def python(query: str) -> list[tuple[Hit, float]]:
        dense = index.search_dense(vectors[query], _ASKER, fusion.candidates)
        return fuse(dense, index.search_sparse(query, _ASKER, fusion.candidates), fusion)

    engine = _engine_search(searcher, fusion, vectors)
    timings: dict[str, list[float]] = {"python": [], "engine": []}
    chunks = documents = 0
    for query in dataset.queries.values():
        lists = {}
        for name, search in (("python", python), ("engine", engine)):
            tick = time.perf_counter()
            lists[name] = search(query)
            timings[name].append((time.perf_counter() - tick) * 1000)
        ids = {name: [h.id for h, _ in hits] for name, hits in lists.items()}
        chunks += ids["python"] == ids["engine"]
        top = {name: rank_documents(hits)[:10] for name, hits in lists.items()}
        documents += top["python"] == top["engine"]
    n = max(len(dataset.queries), 1)
    out = {
        f"{name}_{q}_ms": round(_percentile(t, q), 3)
        for name, t in timings.items()
        for q in (50, 95)
    }
    return {
        **out,
        "same_chunk_order": round(chunks / n, 3),
        "same_top10_documents": round(documents / n, 3),
    }


# -- running --------------------------------------------------------------------------------
def _evaluate(
    name: str, dataset: Dataset, search: Callable[[str], list[tuple[Hit, float]]]
) -> ModeResult:
    ndcg, recall, mrr, latencies = [], [], [], []
    for qid, query in dataset.queries.items():
        tick = time.perf_counter()
        ranked = rank_documents(search(query))
        latencies.append((time.perf_counter() - tick) * 1000)
        relevant = dataset.qrels[qid]
        ndcg.append(ndcg_at_10(ranked, relevant))
        recall.append(recall_at_10(ranked, relevant))
        mrr.append(mrr_at_10(ranked, relevant))
    return ModeResult(
        name,
        round(statistics.fmean(ndcg), 4),
        round(statistics.fmean(recall), 4),
        round(statistics.fmean(mrr), 4),
        round(_percentile(latencies, 50), 2),
        round(_percentile(latencies, 95), 2),
    )


def tune(searcher: Searcher, dataset: Dataset) -> list[tuple[Fusion, float]]:
    """Fusion settings by mean nDCG@10 on ``dataset``, best first (lists fetched once)."""
    widest = 100
    lists = {}
    for qid, query in dataset.queries.items():
        dense = searcher.index.search_dense(searcher.embedder.embed_query(query), _ASKER, widest)
        lists[qid] = (dense, searcher.index.search_sparse(query, _ASKER, widest))
    scored = []
    grid = itertools.product((0.5, 0.75, 1.0, 1.25, 1.5, 2.0), (10, 20, 40, 60), (20, 40, 100))
    for dense_weight, rrf_k, candidates in grid:
        fusion = Fusion(dense_weight, 1.0, rrf_k, candidates)
        mean = statistics.fmean(
            ndcg_at_10(
                rank_documents(fuse(d[:candidates], s[:candidates], fusion)), dataset.qrels[qid]
            )
            for qid, (d, s) in lists.items()
        )
        scored.append((fusion, round(mean, 4)))
    return sorted(scored, key=lambda pair: -pair[1])


def run(
    folder: Path,
    settings: Settings,
    embedder: Embedder,
    *,
    split: str = "test",
    tune_split: str | None = None,
    scale_to: int = 0,
    progress: Callable[[str], None] = lambda _msg: None,
) -> dict[str, object]:
    """The whole benchmark; returns a JSON-able report."""
    started = time.perf_counter()
    dataset = load_beir(folder, split)
    progress(f"{len(dataset.corpus)} documents, {len(dataset.queries)} {split} queries")
    chunks = _chunks(dataset, settings, embedder)
    progress(f"{len(chunks)} chunks; embedding (cached after the first run)")
    tick = time.perf_counter()
    vectors = _vectors([t for _, t in chunks], embedder, settings.data_dir / "bench")
    embed_s = time.perf_counter() - tick
    report: dict[str, object] = {
        "dataset": str(folder),
        "split": split,
        "documents": len(dataset.corpus),
        "queries": len(dataset.queries),
        "chunks": len(chunks),
        "embedder": embedder.name,
        "embed_seconds": round(embed_s, 1),
    }
    with tempfile.TemporaryDirectory(prefix="footnote-bench-") as tmp:
        index = EdgeIndex(Path(tmp) / "index", embedder.dim)
        try:
            _fill(index, chunks, vectors)
            index.optimize()
            searcher = Searcher(index, embedder, settings)
            hybrid = Fusion.from_settings(settings)
            report["fusion"] = asdict(hybrid)
            modes = {
                "hybrid": hybrid,
                "dense": replace(hybrid, sparse_weight=0.0),
                "bm25": replace(hybrid, dense_weight=0.0),
            }
            results = []
            for name, fusion in modes.items():
                progress(f"searching: {name}")
                results.append(
                    _evaluate(name, dataset, lambda q, f=fusion: searcher.hits(q, _ASKER, f))
                )
                if name == "hybrid":
                    progress("searching: hybrid, fused in the engine")
                    engine = _engine_search(searcher, fusion)
                    results.append(_evaluate("hybrid-engine", dataset, engine))
            report["results"] = [asdict(r) for r in results]
            report["fusions"] = compare_fusions(searcher, dataset, hybrid)
            if tune_split:
                progress(f"tuning fusion on the {tune_split} split")
                ranked = tune(searcher, load_beir(folder, tune_split))
                report["tuning"] = {
                    "split": tune_split,
                    "settings_ndcg_at_10": dict(ranked).get(hybrid),
                    "best": [{**asdict(f), "ndcg_at_10": s} for f, s in ranked[:5]],
                }
            if scale_to > len(chunks):
                progress(f"adding {scale_to - len(chunks)} synthetic points")
                vocabulary = sorted({w for _, t in chunks for w in t.lower().split()})
                _add_synthetic(index, scale_to - len(chunks), embedder.dim, vocabulary)
                index.optimize()
                scaled = _evaluate("hybrid", dataset, lambda q: searcher.hits(q, _ASKER, hybrid))
                engine = _evaluate("hybrid-engine", dataset, _engine_search(searcher, hybrid))
                report["scaled"] = {"points": index.count(), **asdict(scaled)}
                report["scaled_engine"] = asdict(engine)
                report["scaled_fusions"] = compare_fusions(searcher, dataset, hybrid)
        finally:
            index.close()
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report
