"""Ingestion benchmark: ``python -m benchmarks.ingest [DIR] [--json] [--generate N]``.

Ingests DIR (default: the sample corpus) into a fresh temporary data dir with the
configured embedder, then measures in the same process: files/s and chunks/s end to
end, where the job's seconds went (``JobResult.stage_seconds``: the job's own thread,
and the prepare thread that overlaps it), the pure embedding rate of the very same
chunk texts in one call (best of two) and the job's ratio to it, then the target's
baseline: everything ingest must embed (those chunks and the sentence-vector store's
answer texts, ``retrieval.warm``) in one length-sorted call with the same model and
batch size, and the job's ratio to that; the wordpieces the model computed, padding
included, in the job's calls and in that one call (batching's cost, independent of the
load: ``padded_wordpieces_*``); an unchanged re-run and its ratio
to the full run, and peak RSS of the job (this process when the job ends), of this
process at the end, and of the parse worker, with the job's RSS every 5,000 chunks
(``job_rss_by_chunks``: growth with the corpus, apart from one call's peak). The model and
the parse worker are started first (both once per process, both warm for later jobs).

``--generate N`` first writes a corpus of N chunks (``benchmarks.generated``: text
files of 50 titled sections, ten access groups by folder), ingests that instead, and
then times ``queries`` access-filtered searches as the app makes them
(``benchmarks.search.search_latency``: MiniLM's query embedding, the search without
it, and both): the scale figures (``benchmarks.search`` measures the search alone,
without an ingest job). ``--embedder hash`` ingests without the model (the pipeline's own time
and memory at that scale; embedding time is chunks / the pure rate). Figures go to
docs/benchmarks.md ("Ingestion").
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sqlalchemy import select

import core  # noqa: F401
from benchmarks.generated import GROUPS, generated_files
from benchmarks.search import search_latency
from core.db import Chunk
from core.embeddings import Embedder
from core.services import Services
from core.settings import PROJECT_ROOT, Settings, SourceConfig
from ingest import JobResult, run_job
from ingest.chunking import embed_text
from ingest.ids import text_hash
from ingest.isolation import shared_worker
from ingest.sentence_vectors import indexed_document
from retrieval.warm import answer_texts


def run(
    folder: Path, queries: int = 0, embedder: str = "local", baseline: bool = True
) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="footnote-bench-") as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            embedder=embedder,
            sources={"bench": SourceConfig(path=folder.resolve())},
        )
        services = Services(settings)
        services.embedder.embed(["warm up the model"])
        worker = shared_worker(settings)
        tick = time.perf_counter()
        worker.start()
        worker_start_s = time.perf_counter() - tick
        trace = MemoryTrace()
        with _recorded(services.embedder) as calls:
            full = run_job(services, "bench", requested_by="bench", progress=trace)
        job_peak_mb = _peak_rss_mb()
        rerun = run_job(services, "bench", requested_by="bench")
        search = search_latency(services.index, services.settings, queries) if queries else {}
        figures = _baseline(services, full, calls) if baseline else {}
        worker_rss = worker.peak_rss_mb()
        embedder_name = services.embedder.name
        services.close()
    files_seen = full.added + full.failed
    return {
        "folder": str(folder),
        "embedder": embedder_name,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "files": files_seen,
        "files_failed": full.failed,
        "failures": full.failures,
        "chunks": full.chunks_embedded,
        "full_run_s": round(full.seconds, 2),
        "files_per_s": round(files_seen / full.seconds, 2) if full.seconds else 0.0,
        "chunks_per_s": round(full.chunks_embedded / full.seconds, 2) if full.seconds else 0.0,
        **figures,
        "stage_seconds": {k: round(v, 2) for k, v in full.stage_seconds.items()},
        "job_embed_calls": len(calls),
        "unchanged_rerun_s": round(rerun.seconds, 3),
        "rerun_ratio": round(rerun.seconds / full.seconds, 4) if full.seconds else 0.0,
        **search,
        "job_peak_rss_mb": job_peak_mb,
        "job_rss_by_chunks": trace.rows,
        "peak_rss_mb": _peak_rss_mb(),
        "parse_worker_start_s": round(worker_start_s, 2),
        "parse_worker_peak_rss_mb": round(worker_rss, 1),
    }


def _baseline(services: Services, full: JobResult, calls: list[list[str]]) -> dict[str, object]:
    """The job against the pure embedding of what it embedded, in the same process: the
    chunk texts alone (best of two) and with the answer texts (the target's ratio), and
    the padding of each."""
    with services.sessions() as session:
        hashes = set(session.scalars(select(Chunk.text_hash)))
    texts = _embedded_texts(services, hashes)
    store_texts = _answer_texts(services)
    pure_s = min(_timed_embed(services, texts) for _ in range(2))
    pure_all_s = _timed_embed(services, texts + store_texts) if store_texts else pure_s
    e2e_rate = full.chunks_embedded / full.seconds if full.seconds else 0.0
    pure_rate = len(texts) / pure_s if pure_s else 0.0
    return {
        "pure_embed_s": round(pure_s, 2),
        "pure_embed_chunks_per_s": round(pure_rate, 2),
        "ratio_to_pure_embed": round(e2e_rate / pure_rate, 3) if pure_rate else 0.0,
        "answer_texts": len(store_texts),
        "pure_embed_with_answer_texts_s": round(pure_all_s, 2),
        "ratio_to_pure_embed_with_answer_texts": (
            round(pure_all_s / full.seconds, 3) if full.seconds else 0.0
        ),
        "target_ratio": "ratio_to_pure_embed_with_answer_texts",
        **_padding(services.embedder, calls, texts + store_texts),
    }


class MemoryTrace:
    """A job's progress listener that reads this process's memory every ``every`` chunks
    written: ``rows`` of (chunks, VmRSS MB, VmHWM MB), to tell growth with the corpus
    from the peaks of single embedding calls."""

    def __init__(self, every: int = 5000) -> None:
        self.every = every
        self.chunks = 0
        self.rows: list[tuple[int, float, float]] = []

    def start(self, files_total: int) -> None:
        self.rows.append((0, *_memory_mb()))

    def advance(self, path: str, action: str, chunks_embedded: int) -> None:
        before, self.chunks = self.chunks, self.chunks + chunks_embedded
        if self.chunks // self.every > before // self.every:
            self.rows.append((self.chunks, *_memory_mb()))


def _memory_mb() -> tuple[float, float]:
    """VmRSS and VmHWM of this process in MB (Linux's /proc; the peak alone elsewhere)."""
    try:
        fields = dict(
            line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
        )
    except OSError:
        return 0.0, _peak_rss_mb()
    rss, hwm = (int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM"))
    return round(rss, 1), round(hwm, 1)


def _peak_rss_mb() -> float:
    """This process's peak RSS so far. Read right after the full job it is the job's
    peak (model and parse worker started, every file written); read at the end it also
    holds the baseline's one call over every text, which the job never makes."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@contextmanager
def _recorded(embedder: Embedder) -> Iterator[list[list[str]]]:
    """The texts of each ``embed`` call made inside the block."""
    calls: list[list[str]] = []
    embed = embedder.embed

    def recording(texts: Sequence[str]) -> np.ndarray:
        calls.append(list(texts))
        return embed(texts)

    embedder.embed = recording  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        del embedder.embed  # type: ignore[misc]


def _padding(embedder: Embedder, calls: list[list[str]], pure: list[str]) -> dict[str, int]:
    """Wordpieces the model computed, padding included, in the job's calls and in the
    one call of the target's baseline (what batching costs, whatever the load): only for
    an embedder that says how it batches (``LocalEmbedder.batches``)."""
    batches = getattr(embedder, "batches", None)
    window = embedder.max_input_tokens
    if batches is None or window is None:
        return {}
    count = embedder.input_token_counter()

    def padded(texts: list[str]) -> int:
        counts = [min(count(t), window) for t in texts]
        return sum(len(b) * max(counts[i] for i in b) for b in batches(texts) if b)

    return {
        "wordpieces": sum(min(count(t), window) for t in pure),
        "padded_wordpieces_job": sum(padded(texts) for texts in calls if texts),
        "padded_wordpieces_pure_with_answer_texts": padded(pure),
    }


def _timed_embed(services: Services, texts: list[str]) -> float:
    """Seconds to embed ``texts`` in one call: the ceiling (the best of two, on a shared
    machine, is the closer one)."""
    started = time.perf_counter()
    services.embedder.embed(texts)
    return time.perf_counter() - started


def _answer_texts(services: Services) -> list[str]:
    """The texts the job embedded for the sentence-vector store (``retrieval.warm``),
    computed again from the index, each distinct model input once: with the chunks,
    everything ingest must embed."""
    if services.vectors is None:
        return []
    doc_ids = sorted(
        {str(h.payload["doc_id"]) for h in services.index.get(list(services.index.ids()))}
    )
    documents = [indexed_document(services.index, doc_id) for doc_id in doc_ids]
    return list(answer_texts(services.embedder, documents).inputs.values())


def generate(folder: Path, chunks: int, seed: int = 7) -> Path:
    """``chunks`` chunks of plain text (its parser needs no NLP: the run measures the
    pipeline, not unstructured): a titled section per chunk, a folder per group."""
    rules = [f'"team-{g}/**" = ["team-{g}"]' for g in range(GROUPS)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "access.toml").write_text("[files]\n" + "\n".join(rules) + "\n")
    for n, (group, sections) in enumerate(generated_files(chunks, seed)):
        lines = []
        for s, text in enumerate(sections):
            lines += [f"Section {s}", "", text, ""]
        path = folder / group / f"doc-{n:05d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text("\n".join(lines))
    return folder


def _embedded_texts(services: Services, hashes: set[str]) -> list[str]:
    """The exact texts the job embedded, read back from the index payloads."""
    ids = list(services.index.ids())
    texts: dict[str, str] = {}
    for start in range(0, len(ids), 1000):
        for hit in services.index.get(ids[start : start + 1000]):
            p = hit.payload
            text = embed_text(p["title"], tuple(p["section"]), p["text"])
            if text_hash(text) in hashes:
                texts[text_hash(text)] = text
    return list(texts.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=PROJECT_ROOT / "data" / "corpus")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--generate",
        type=int,
        default=0,
        metavar="N",
        help="write a corpus of about N chunks into FOLDER (must not exist) and ingest it",
    )
    parser.add_argument(
        "--queries", type=int, default=200, help="searches timed after a --generate run"
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the pure-embedding passes after the job (a scale run: time, re-run, "
        "searches and memory only; the baseline embeds every text twice more)",
    )
    parser.add_argument(
        "--embedder",
        default="local",
        choices=("local", "hash"),
        help="hash: ingest without the model (searches still embed with MiniLM)",
    )
    args = parser.parse_args(argv)
    if args.generate:
        if args.folder.exists():
            print(f"{args.folder} exists: --generate writes a new folder", file=sys.stderr)
            return 2
        generate(args.folder, args.generate)
    elif not args.folder.is_dir():
        print(f"{args.folder} is not a folder", file=sys.stderr)
        return 2
    queries = args.queries if args.generate else 0
    report = run(args.folder, queries, args.embedder, baseline=not args.no_baseline)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            if key != "failures":
                print(f"{key:>26}: {value}")
        for path, reason in report["failures"]:  # type: ignore[union-attr]
            print(f"{'failed':>26}: {path}: {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
