"""The ingestion catalog's job reads: the latest jobs and what each did to each file."""

from __future__ import annotations

from pathlib import Path

from core.services import Services
from ingest import job_events, list_jobs, queue_job, run_job


def test_jobs_newest_first_with_their_file_events(services: Services, mixed_folder: Path) -> None:
    first = run_job(services, str(mixed_folder), name="docs")
    (mixed_folder / "notes.txt").write_text("The wifi password never changes.\n")
    second = run_job(services, str(mixed_folder), name="docs")
    queued = queue_job(services, str(mixed_folder), name="docs")

    assert [j.id for j in list_jobs(services)] == [queued, second.job_id, first.job_id]
    assert [j.id for j in list_jobs(services, limit=1)] == [queued]
    assert list_jobs(services)[1].status == "succeeded"

    events = job_events(services, second.job_id)
    assert [e.job_id for e in events] == [second.job_id] * len(events)
    assert {e.path: e.action for e in events}["notes.txt"] == "updated"
    assert len(events) == len(job_events(services, first.job_id))
    assert job_events(services, queued) == []
