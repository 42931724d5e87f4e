"""Ingestion: run a source, add files to it, watch jobs, re-run what failed.

The page only queues jobs; this server process owns the embedded index and its
background runner (``app.session.start_job_runner``) runs them, together with the jobs
that ``footnote ingest`` queued from a terminal. Progress is read back from the job
rows, so it looks the same wherever a job came from.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

import ingest
from app import session
from core.db import Job, utcnow

svc = session.services()
user = session.identity().user
assert user is not None
sources = svc.settings.sources
STATUS_BADGES = {
    "queued": ":gray-badge[queued]",
    "running": ":blue-badge[running]",
    "succeeded": ":green-badge[succeeded]",
    "failed": ":red-badge[failed]",
    "cancelled": ":orange-badge[cancelled]",
}
DETAIL = "job_detail"  # the job whose file events are shown; a newly queued job becomes it

st.title("Ingestion")
st.caption("Keep the library in step with the source folders.")

if not sources:
    st.info(
        "No sources are configured. Add one to footnote.toml, e.g.\n\n"
        '```toml\n[sources.handbook]\npath = "/srv/docs/handbook"\ngroups = ["all"]\n```',
        icon=":material/folder_open:",
    )
    st.stop()


def _queue(source: str, paths: tuple[str, ...] = ()) -> None:
    job_id = ingest.queue_job(svc, source, paths, requested_by=user.id)
    st.session_state[DETAIL] = job_id
    st.toast(f"Job {job_id} queued for {source}.", icon=":material/schedule:")


run_tab, upload_tab = st.tabs(["Run a source", "Upload files"])
with run_tab, st.form("run_source", border=False):
    name = st.selectbox("Source", sorted(sources), key="run_source_name")
    st.caption(
        "Only new and changed files are parsed and embedded; files gone from the folder "
        "leave the index."
    )
    if st.form_submit_button("Run ingestion", type="primary", icon=":material/play_arrow:"):
        _queue(str(name))

with upload_tab, st.form("upload", border=False, clear_on_submit=True):
    folders = sorted(n for n, c in sources.items() if c.kind == "folder")  # a site is crawled
    target = st.selectbox("Into source", folders, key="upload_source_name")
    files = st.file_uploader("Files", accept_multiple_files=True, key="upload_files")
    if st.form_submit_button("Upload and ingest", type="primary", icon=":material/upload:"):
        if not files:
            st.warning("Choose one or more files first.")
        else:
            folder = sources[str(target)].path
            saved = []
            for upload in files:
                path = folder / Path(upload.name).name  # never a path the browser made up
                path.write_bytes(upload.getbuffer())
                saved.append(str(path))
            _queue(str(target), tuple(saved))


def _retry(job_id: int) -> None:
    """Queue a job that parses a job's failed files again, and show that new job."""
    retried = ingest.retry_failed(svc, job_id, queue=True, requested_by=user.id)
    if retried is not None:
        st.session_state[DETAIL] = retried.job_id
        st.toast(f"Job {retried.job_id} queued for the failed files.", icon=":material/replay:")


def _rate(job: Job) -> str:
    if not job.started_at or not job.chunks_embedded:
        return ""
    seconds = ((job.finished_at or utcnow()) - job.started_at).total_seconds()
    return f"{job.chunks_embedded / max(seconds, 0.001):.1f} chunks/s"


def _progress(job: Job) -> None:
    share = job.files_done / job.files_total if job.files_total else 0.0
    label = (
        f"Job {job.id} · {job.source} · {job.status} · files {job.files_done}/{job.files_total}"
        f" · chunks {job.chunks_embedded}/{job.chunks_total} {_rate(job)}"
    )
    st.progress(min(share, 1.0), text=label)


def _when(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S") if when else ""


jobs = ingest.list_jobs(svc)
busy = any(job.status in ("queued", "running") for job in jobs)


@st.fragment(run_every=1.0 if busy else None)
def _jobs_panel() -> None:
    """Live while a job is queued or running; one full rerun when the last one ends."""
    current = ingest.list_jobs(svc)
    active = [job for job in current if job.status in ("queued", "running")]
    if busy and not active:
        st.rerun()
    st.subheader("Jobs")
    if not current:
        st.caption("No jobs yet. Run a source above to build the library.")
        return
    for job in active:
        _progress(job)
    table = pd.DataFrame(
        [
            {
                "job": job.id,
                "source": job.source,
                "status": job.status,
                "by": job.requested_by,
                "started": _when(job.started_at),
                "files": job.files_total,
                "added": job.added,
                "updated": job.updated,
                "unchanged": job.unchanged,
                "deleted": job.deleted,
                "failed": job.failed,
                "chunks": job.chunks_embedded,
                "rate": _rate(job),
            }
            for job in current
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")


_jobs_panel()

if jobs:
    st.subheader("Job details")
    if st.session_state.get(DETAIL) not in {job.id for job in jobs}:
        st.session_state[DETAIL] = jobs[0].id
    chosen = st.selectbox(
        "Job",
        [job.id for job in jobs],
        format_func=lambda i: next(
            f"#{j.id} · {j.source} · {_when(j.created_at)}" for j in jobs if j.id == i
        ),
        key=DETAIL,
    )
    job = next(j for j in jobs if j.id == chosen)
    with st.container(key="job-summary"):
        st.markdown(
            f"{STATUS_BADGES.get(job.status, job.status)} **{job.source}** · requested by "
            f"{job.requested_by or 'unknown'} · {job.added} added, {job.updated} updated, "
            f"{job.unchanged} unchanged, {job.deleted} deleted, {job.failed} failed"
        )
    if job.error:
        st.error(job.error, icon=":material/error:")
    events = ingest.job_events(svc, job.id)
    failed = [e for e in events if e.action == "failed"]
    if failed:
        st.warning(f"{len(failed)} files failed in this job.", icon=":material/warning:")
        st.button("Re-run failed files", icon=":material/replay:", on_click=_retry, args=(job.id,))
    if events:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "file": e.path,
                        "action": e.action,
                        "chunks": e.chunks,
                        "ms": round(e.duration_ms),
                        "reason": e.reason or "",
                    }
                    for e in events
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption("No file events yet.")
