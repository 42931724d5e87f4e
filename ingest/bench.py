"""Ingestion benchmark: ``python -m ingest.bench [DIR] [--json]``.

Ingests DIR (default: the sample corpus) into a fresh temporary data dir with the
configured embedder, then measures in the same process: files/s and chunks/s end to
end, the pure embedding rate of the very same chunk texts (the ceiling), their ratio,
an unchanged re-run and its ratio to the full run, and peak RSS. Figures go to
docs/benchmarks.md ("Ingestion").
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

import core  # noqa: F401
from core.db import Chunk
from core.services import Services
from core.settings import PROJECT_ROOT, Settings, SourceConfig
from ingest import run_job
from ingest.pipeline import text_hash


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(folder: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="footnote-bench-") as tmp:
        settings = Settings(
            data_dir=Path(tmp), sources={"bench": SourceConfig(path=folder.resolve())}
        )
        services = Services(settings)
        services.embedder.embed(["warm up the model"])
        full = run_job(services, "bench", requested_by="bench")
        rerun = run_job(services, "bench", requested_by="bench")
        with services.sessions() as session:
            hashes = set(session.scalars(select(Chunk.text_hash)))
        texts = _embedded_texts(services, hashes)
        started = time.perf_counter()
        services.embedder.embed(texts)
        pure_s = time.perf_counter() - started
        services.close()
    files_seen = full.added + full.failed
    e2e_rate = full.chunks_embedded / full.seconds if full.seconds else 0.0
    pure_rate = len(texts) / pure_s if pure_s else 0.0
    return {
        "folder": str(folder),
        "files": files_seen,
        "files_failed": full.failed,
        "failures": full.failures,
        "chunks": full.chunks_embedded,
        "full_run_s": round(full.seconds, 2),
        "files_per_s": round(files_seen / full.seconds, 2) if full.seconds else 0.0,
        "chunks_per_s": round(e2e_rate, 2),
        "pure_embed_chunks_per_s": round(pure_rate, 2),
        "ratio_to_pure_embed": round(e2e_rate / pure_rate, 3) if pure_rate else 0.0,
        "unchanged_rerun_s": round(rerun.seconds, 3),
        "rerun_ratio": round(rerun.seconds / full.seconds, 4) if full.seconds else 0.0,
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def _embedded_texts(services: Services, hashes: set[str]) -> list[str]:
    """The exact texts the job embedded, read back from the index payloads."""
    from ingest.chunking import embed_text

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
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"{args.folder} is not a folder", file=sys.stderr)
        return 2
    report = run(args.folder)
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
