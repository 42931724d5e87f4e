"""API benchmark (not a test: it measures): first token of a streamed answer, and a
soak of concurrent clients checked for errors and cross-user leaks.

The sample corpus is ingested into ``data_dir`` (once; a re-run reuses it) with the
configured embedder, the API is served on 127.0.0.1 in this process, and the official
``openai`` SDK streams each answerable question of the sample eval set as an ``hr``
user, twice: cold (the first time this server process sees the question: its passages'
sentence vectors come from the store ingest wrote, ``core.vector_store``; only the
question is embedded) and warm (the same question again: everything is in
``retrieval.vectors``' memory). Time to first token is from
sending the request to the first chunk with answer text. The soak runs ``clients``
threads for ``seconds``: half ask as an outsider every restricted question (none of its
``forbidden`` phrases may come back), half as ``hr``.
"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai

from app.api import create_app
from app.api.chat import MODEL_ID
from app.api.served import Served
from app.api.tokens import create_token
from core.services import Services
from core.settings import PROJECT_ROOT, Settings, SourceConfig
from evals.dataset import EvalQuestion, load_dataset

SAMPLE_CORPUS = PROJECT_ROOT / "data" / "corpus"
SAMPLE_EVALS = PROJECT_ROOT / "data" / "evals" / "sample.jsonl"
_WARM_UP = 3


@dataclass(frozen=True)
class Report:
    questions: int
    cold_first_token_p50_ms: float
    cold_first_token_p95_ms: float
    warm_first_token_p50_ms: float
    warm_first_token_p95_ms: float
    warm_answer_p95_ms: float
    soak_clients: int
    soak_seconds: float
    soak_requests: int
    soak_errors: int
    soak_leaks: int


def run(data_dir: Path, *, clients: int = 20, seconds: float = 60.0) -> Report:
    settings = Settings(data_dir=data_dir, sources={"sample": SourceConfig(path=SAMPLE_CORPUS)})
    services = Services(settings)
    if services.index.count() == 0:
        from ingest import run_job

        run_job(services, "sample", requested_by="bench")
    questions = load_dataset(SAMPLE_EVALS)
    answerable = [q for q in questions if q.answerable and not q.history]
    restricted = [q for q in questions if q.kind == "restricted" and q.forbidden]
    hr, _ = create_token(services.sessions, settings, "bench-hr", ["hr"], admin=False)
    outsider, _ = create_token(services.sessions, settings, "bench-outsider", ["all"])
    served = Served(create_app(services, rate_limit=1_000_000, run_jobs=False)).start()
    try:
        client = openai.OpenAI(base_url=f"{served.url}/v1", api_key=hr, max_retries=0)
        for q in answerable[:_WARM_UP]:
            _stream(client, q.question)
        cold = [_stream(client, q.question)[0] for q in answerable]
        warm = [_stream(client, q.question) for q in answerable]
        requests, errors, leaks = _soak(
            served.url, hr, outsider, answerable, restricted, clients, seconds
        )
    finally:
        served.stop()
        services.close()
    return Report(
        questions=len(answerable),
        cold_first_token_p50_ms=round(statistics.median(cold), 1),
        cold_first_token_p95_ms=round(_p95(cold), 1),
        warm_first_token_p50_ms=round(statistics.median(t[0] for t in warm), 1),
        warm_first_token_p95_ms=round(_p95([t[0] for t in warm]), 1),
        warm_answer_p95_ms=round(_p95([t[1] for t in warm]), 1),
        soak_clients=clients,
        soak_seconds=seconds,
        soak_requests=requests,
        soak_errors=errors,
        soak_leaks=leaks,
    )


def _stream(client: openai.OpenAI, question: str) -> tuple[float, float, str]:
    """(ms to the first answer text, ms to the end, the whole text)."""
    started = time.perf_counter()
    first: float | None = None
    parts: list[str] = []
    for chunk in client.chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": question}], stream=True
    ):
        text = chunk.choices[0].delta.content if chunk.choices else None
        if text:
            first = first if first is not None else (time.perf_counter() - started) * 1000
            parts.append(text)
    total = (time.perf_counter() - started) * 1000
    return (first if first is not None else total), total, "".join(parts)


def _soak(
    url: str,
    hr: str,
    outsider: str,
    answerable: list[EvalQuestion],
    restricted: list[EvalQuestion],
    clients: int,
    seconds: float,
) -> tuple[int, int, int]:
    """(requests, errors, leaks) of ``clients`` threads asking for ``seconds``."""
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    counts = {"requests": 0, "errors": 0, "leaks": 0}

    def worker(i: int) -> None:
        as_outsider = i % 2 == 0
        token = outsider if as_outsider else hr
        pool = restricted if as_outsider else answerable
        client = openai.OpenAI(base_url=f"{url}/v1", api_key=token, max_retries=0, timeout=120)
        n = i
        while time.monotonic() < stop:
            q = pool[n % len(pool)]
            n += 1
            outcome: dict[str, Any] = {"requests": 1}
            try:
                text = _stream(client, q.question)[2]
                if as_outsider and any(f.lower() in text.lower() for f in q.forbidden):
                    outcome["leaks"] = 1
            except openai.OpenAIError:
                outcome["errors"] = 1
            with lock:
                for key, value in outcome.items():
                    counts[key] += value

    with ThreadPoolExecutor(max_workers=clients) as threads:
        list(threads.map(worker, range(clients)))
    return counts["requests"], counts["errors"], counts["leaks"]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
