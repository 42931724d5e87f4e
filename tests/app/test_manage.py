"""The admin pages: Library, Ingestion, Evals and Usage, on the ingested sample corpus."""

from __future__ import annotations

import time

from core.db import EvalResult, EvalRun, Job
from core.services import Services
from tests.app.conftest import OpenApp

ADMIN = {"user": "ops", "groups": ["all", "admin", "hr", "finance", "engineering", "leadership"]}


def test_library_searches_titles_and_opens_chunks(open_app: OpenApp) -> None:
    at = open_app(**ADMIN)
    at.switch_page("views/library.py").run()
    at.text_input(key="lib_query").set_value("vpn").run()
    titles = list(at.dataframe[0].value["title"])
    assert titles and all("vpn" in t.lower() for t in titles)
    assert {m.label: m.value for m in at.metric}["Failed"] == "1"  # the empty file


def test_ingestion_runs_a_source_through_the_background_runner(
    open_app: OpenApp, sample_copy: Services
) -> None:
    at = open_app(**ADMIN)
    at.switch_page("views/ingestion.py").run()
    at.selectbox(key="run_source_name").set_value("sample")
    next(b for b in at.button if b.label == "Run ingestion").click().run()
    assert not at.exception, at.exception[0].message
    job = _finished(sample_copy, at.session_state["job_detail"])
    assert job.status == "succeeded", job.error
    assert job.requested_by == "ops"

    at.run()
    events = at.dataframe[-1].value
    assert set(events["action"]) >= {"unchanged"}
    assert "notes/empty-notes.txt" in set(events["file"])

    next(b for b in at.button if b.label == "Re-run failed files").click().run()
    assert not at.exception, at.exception[0].message
    retry = _finished(sample_copy, at.session_state["job_detail"])  # queued, run by the runner
    assert retry.id != job.id and retry.status == "succeeded", retry.error
    assert (retry.requested_by, retry.files_total, retry.failed) == ("ops", job.failed, job.failed)


def _finished(services: Services, job_id: int) -> Job:
    """The job's row once it is no longer queued or running (the runner polls every 2 s)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        with services.sessions() as session:
            job = session.get(Job, job_id)
        if job is not None and job.status not in ("queued", "running"):
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish within 300 s")


def test_evals_show_runs_metrics_and_questions(open_app: OpenApp, sample_copy: Services) -> None:
    with sample_copy.sessions.begin() as session:
        for recall in (0.6, 0.8):
            run = EvalRun(
                name=f"recall {recall}",
                dataset="data/evals/sample.jsonl",
                aggregates={
                    "overall": {
                        "recall@5": {"value": recall, "low": 0.5, "high": 0.9, "n": 1},
                        "faithfulness": {"value": 0.9, "low": 0.8, "high": 1.0, "n": 1},
                    }
                },
            )
            run.results.append(
                EvalResult(qid="fact-001", question="Who started Quillfield?", metrics={"hit": 1})
            )
            session.add(run)
    at = open_app(**ADMIN)
    at.switch_page("views/evals.py").run()
    assert not at.exception, at.exception[0].message
    runs = at.dataframe[0].value
    assert {"recall@5", "faithfulness"} <= set(runs.columns)
    assert list(at.dataframe[1].value["qid"]) == ["fact-001"]


def test_usage_counts_questions_and_unanswered_ones(open_app: OpenApp) -> None:
    swallow = "What is the airspeed of an unladen swallow?"
    at = open_app(**ADMIN)
    at.chat_input[0].set_value(swallow).run()
    at.switch_page("views/usage.py").run()
    assert not at.exception, at.exception[0].message
    assert int({m.label: m.value for m in at.metric}["Questions"]) >= 1
    assert any(s.value == "Unanswered questions" for s in at.subheader)
    tables = [d.value for d in at.dataframe if {"question", "asked"} <= set(d.value.columns)]
    assert tables and swallow in list(tables[0]["question"])
