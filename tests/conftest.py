"""Fixtures every test package shares.

Tests never read the developer's environment: LLM keys, DATABASE_URL and QDRANT_URL
are removed, and each test gets its own data directory. Package-specific fixtures live
in that package's conftest.
"""

from __future__ import annotations

import copy
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import core  # noqa: F401  (offline environment before anything heavy is imported)
import core.services
from core.services import Services
from core.settings import Settings, SourceConfig, get_settings
from core.vector_store import VectorStore, attach
from tests.support.openai_server import OpenAIServer

REPO = Path(__file__).resolve().parent.parent
SAMPLE_CORPUS = REPO / "data" / "corpus"
SAMPLE_EVALS = REPO / "data" / "evals" / "sample.jsonl"
SHARED_DATASETS = REPO.parent / "shared" / "datasets"

_FOREIGN_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "DATABASE_URL",
    "QDRANT_URL",
    "QDRANT_API_KEY",
)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for key in _FOREIGN_ENV:
        monkeypatch.delenv(key, raising=False)
    for key in list(os.environ):
        if key.startswith("FOOTNOTE_"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("FOOTNOTE_CONFIG", str(tmp_path / "no-footnote.toml"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a test: its own data dir, the hash embedder unless told otherwise."""
    values: dict[str, object] = {"data_dir": data_dir, "embedder": "hash"}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(
        tmp_path / "footnote",
        sources={"sample": SourceConfig(path=SAMPLE_CORPUS)},
    )


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    svc = Services(settings)
    yield svc
    svc.close()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh data dir and the hash embedder for ``footnote`` commands run in-process,
    with the process-wide services reset before and closed after."""
    monkeypatch.setenv("FOOTNOTE_DATA_DIR", str(tmp_path / "footnote"))
    monkeypatch.setenv("FOOTNOTE_EMBEDDER", "hash")
    monkeypatch.setattr(core.services, "_services", None)
    yield tmp_path
    if core.services._services is not None:
        core.services._services.close()


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A real OpenAI-compatible server on 127.0.0.1 (see tests/support/openai_server.py)."""
    server = OpenAIServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sample_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The sample corpus ingested once (source "sample") with the REAL local embedder.

    Session-scoped and shared, so only read: tests that answer (answers cache question
    vectors), run jobs or evals take ``sample_copy``. Its settings are built with the
    foreign environment removed, since ``_isolated_env`` is per test and runs later.
    """
    from ingest import run_job

    with pytest.MonkeyPatch.context() as mp:
        for key in _FOREIGN_ENV:
            mp.delenv(key, raising=False)
        for key in list(os.environ):
            if key.startswith("FOOTNOTE_"):
                mp.delenv(key, raising=False)
        mp.setenv("FOOTNOTE_CONFIG", str(tmp_path_factory.mktemp("config") / "none.toml"))
        settings = Settings(
            data_dir=tmp_path_factory.mktemp("sample-footnote"),
            embedder="local",
            sources={"sample": SourceConfig(path=SAMPLE_CORPUS)},
        )
    svc = Services(settings)
    result = run_job(svc, "sample", requested_by="tests")
    assert result.status == "succeeded", result.error
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def sample_copy(
    sample_services: Services, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    """A writable copy of ``sample_services`` (its SQL and index files), one per module:
    for tests that run jobs, evals or questions, so the shared fixture stays as ingested."""
    sample_services.index.flush()
    data_dir = tmp_path_factory.mktemp("sample-copy") / "data"
    shutil.copytree(
        sample_services.settings.data_dir, data_dir, ignore=shutil.ignore_patterns("*.lock")
    )
    svc = Services(sample_services.settings.model_copy(update={"data_dir": data_dir}))
    embedder = copy.copy(sample_services.embedder)  # one model per process, ...
    attach(embedder, VectorStore.for_embedder(data_dir, embedder))  # ... the copy's vectors
    svc.embedder = embedder
    yield svc
    svc.close()
