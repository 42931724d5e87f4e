"""Superseded leakage on documents the sample set never saw: the generated versions folder
(one pair per lineage signal) ingested for real and asked through ``evals.run_eval``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import evals
from core.services import Services
from core.settings import SourceConfig
from ingest import run_job
from tests.conftest import make_settings
from tests.support.versions import make_versions_folder

pytestmark = pytest.mark.slow

QUESTIONS = [
    ("How much is the cycle to work limit per bike?", "£2,500", "£1,000"),
    ("Over how many months is a bike repaid?", "18 months", "12 months"),
    ("When do visitor badges expire?", "12 hours", "8 hours"),
    ("How do visitors get their badges?", "e-mail", "printed at reception"),
    ("What time does lunch open on weekdays?", "12:15", "11:30"),
    ("What time did the canteen open for lunch in 2024?", "11:30", "12:15"),
]


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("versions")
    folder = make_versions_folder(root / "docs")
    services = Services(
        make_settings(
            root / "footnote",
            embedder="local",
            sources={"docs": SourceConfig(path=folder)},
        )
    )
    assert run_job(services, "docs").status == "succeeded"
    yield services
    services.close()


def test_no_superseded_fact_is_stated_on_unseen_documents(
    versions: Services, tmp_path: Path
) -> None:
    dataset = tmp_path / "versions.jsonl"
    rows = [
        {
            "id": f"unseen-{i}",
            "kind": "superseded",
            "question": question,
            "must_include": [current],
            "forbidden": [old],
        }
        for i, (question, current, old) in enumerate(QUESTIONS, start=1)
    ]
    dataset.write_text("".join(json.dumps(r) + "\n" for r in rows))
    run = evals.run_eval(dataset, "docs", services=versions, name="unseen versions")
    overall = run.aggregates["overall"]
    assert overall["superseded_leakage"]["n"] == len(QUESTIONS)
    assert overall["superseded_leakage"]["value"] == 0.0, [
        (r.qid, r.answer) for r in run.results if r.metrics.get("superseded_leakage")
    ]
    assert overall["must_include"]["value"] >= 0.8, [(r.qid, r.answer) for r in run.results]
