"""Search latency at scale: ``python -m benchmarks.search [--points N] [--queries Q]``.

Builds a fresh embedded index (qdrant-edge) of N generated chunks, with the payload,
BM25 text and access groups ingest writes (the corpus of ``benchmarks.ingest
--generate``: ten groups, 50 sections a file), upserted directly rather than through
an ingest job (a 100k job takes minutes on these cores and is measured by
``benchmarks.ingest``; the search does not care how its points arrived). Dense vectors
are the hash embedder's (embedding 100k chunks with MiniLM takes half an hour here);
each query is embedded by MiniLM, as the app does, against them: the engine's work per
query is the same for any 384-dimension vectors.

Then, after ``optimize()``, each query is timed four ways as a member of ``all`` and
``team-1`` (the access filter does real work): MiniLM's query embedding alone; the
app's ``retrieval.search.Searcher.search`` (dense + BM25, fusion, diversity) with that
vector already computed (the engine and fusion); the same without the statement
feedback (``Settings.feedback`` 0: the queries are six-word spans, statements, so the
feedback runs on every one; this is the same run's baseline); and ``Searcher.search``
whole, the embedding included. Figures go to docs/benchmarks.md ("Ingestion", "100,000 chunks").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

import core  # noqa: F401
from benchmarks.generated import generated_files
from core.embeddings import Embedder, HashEmbedder, make_embedder
from core.index import ChunkRecord, Index, open_index
from core.settings import Settings
from ingest.chunking import embed_text
from retrieval.search import Searcher
from retrieval.types import User

_UPSERT = 2_000
"""Points per upsert."""
_ASKER = User("bench", groups=("all", "team-1"))


class _Embedded:
    """The model, with the queries' vectors computed beforehand: ``Searcher.search``
    then times the engine and the fusion alone."""

    def __init__(self, model: Embedder, vectors: dict[str, np.ndarray]) -> None:
        self.name, self.dim, self.max_input_tokens = model.name, model.dim, model.max_input_tokens
        self._model = model
        self._vectors = vectors

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.embed(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vectors[text]

    def count_input_tokens(self, text: str) -> int:
        return self._model.count_input_tokens(text)

    def input_token_counter(self) -> Callable[[str], int]:
        return self._model.input_token_counter()


def build(index: Index, points: int) -> int:
    """Upsert ``points`` generated chunks into ``index``; how many were written."""
    hashing = HashEmbedder()
    batch: list[ChunkRecord] = []
    written = 0
    for n, (group, sections) in enumerate(generated_files(points)):
        title = f"doc-{n:05d}"
        for ordinal, text in enumerate(sections):
            section = (f"Section {ordinal}",)
            embedded = embed_text(title, section, text)
            batch.append(
                ChunkRecord(
                    id=str(uuid.uuid5(uuid.NAMESPACE_OID, f"{title}#{ordinal}")),
                    dense=hashing.embed_query(embedded),
                    sparse_text=embedded,
                    payload={
                        "text": text,
                        "doc_id": title,
                        "source": "bench",
                        "path": f"{group}/{title}.txt",
                        "title": title,
                        "section": list(section),
                        "page": None,
                        "groups": [group],
                        "ordinal": ordinal,
                        "text_hash": "",
                        "doc_date": None,
                    },
                )
            )
        if len(batch) >= _UPSERT:
            index.upsert(batch)
            written += len(batch)
            batch = []
    index.upsert(batch)
    return written + len(batch)


def search_latency(index: Index, settings: Settings, queries: int) -> dict[str, object]:
    """p50/p95 of ``queries`` searches as a member of ``all`` and ``team-1``: MiniLM's
    query embedding alone, ``Searcher.search`` without it (and without the feedback),
    and ``Searcher.search`` whole, for statements and for questions.
    Statements are six-word spans of random chunks (the feedback runs on each); the
    questions ask about the same spans ("What do we say about …?"), which skip it, as
    every question does."""
    index.optimize()
    model = make_embedder(settings.model_copy(update={"embedder": "local"}))
    model.embed_query("warm up the model")
    ids = list(index.ids())
    rng = random.Random(11)
    texts = [hit.payload["text"] for hit in index.get(rng.sample(ids, min(queries, len(ids))))]
    asked = []
    for text in texts:
        words = text.split()
        start = rng.randrange(max(1, len(words) - 6))
        asked.append(" ".join(words[start : start + 6]))
    embed_ms, vectors = [], {}
    for query in asked:
        tick = time.perf_counter()
        vectors[query] = model.embed_query(query)
        embed_ms.append(_ms(tick))
    engine = Searcher(index, _Embedded(model, vectors), settings)
    plain = Searcher(index, engine.embedder, settings.model_copy(update={"feedback": 0.0}))
    whole = Searcher(index, model, settings)
    engine_ms, plain_ms, whole_ms, question_ms = [], [], [], []
    for query in asked:
        tick = time.perf_counter()
        engine.search(query, _ASKER)
        engine_ms.append(_ms(tick))
        tick = time.perf_counter()
        plain.search(query, _ASKER)
        plain_ms.append(_ms(tick))
        tick = time.perf_counter()
        whole.search(query, _ASKER)
        whole_ms.append(_ms(tick))
        tick = time.perf_counter()
        whole.search(f"What do we say about {query}?", _ASKER)
        question_ms.append(_ms(tick))
    return {
        "points": len(ids),
        "search_queries": len(asked),
        **_percentiles("query_embedding", embed_ms),
        **_percentiles("search_without_embedding", engine_ms),
        **_percentiles("search_without_embedding_or_feedback", plain_ms),
        **_percentiles("search", whole_ms),
        **_percentiles("search_question", question_ms),
    }


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


def _percentiles(name: str, values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        f"{name}_p50_ms": round(statistics.median(ordered), 2),
        f"{name}_p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000, help="chunks to index")
    parser.add_argument("--queries", type=int, default=200, help="searches timed")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="footnote-search-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp), embedder="hash")
        index = open_index(settings, HashEmbedder().dim)
        tick = time.perf_counter()
        written = build(index, args.points)
        report: dict[str, object] = {
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "build_s": round(time.perf_counter() - tick, 1),
            "written": written,
            **search_latency(index, settings, args.queries),
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        index.close()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            print(f"{key:>34}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
