"""The app's link to the rest of Footnote: services, who is asking, the job runner.

One Streamlit server process owns the embedded index, so it is also the process that
runs ingestion jobs, including those queued by ``footnote ingest`` from a terminal: a
background thread, started once per process, drains the queue.

Tests drive the real pages through ``AppTest`` in their own process; ``use_services``
hands the app their ``Services`` and ``sign_in_as`` an identity built by
``resolve_identity`` from their own settings.
"""

from __future__ import annotations

import logging
import threading

import streamlit as st

from app.identity import Identity, resolve_identity
from core.services import Services, get_services

log = logging.getLogger(__name__)

JOB_POLL_SECONDS = 2.0
"""How often the runner looks for queued ingestion jobs."""

_services: Services | None = None
_identity: Identity | None = None
_runners: dict[int, _JobRunner] = {}
_runners_lock = threading.Lock()


def use_services(services: Services | None) -> None:
    """Serve these services instead of ``get_services()`` (None: back to the default)."""
    global _services
    _services = services


def sign_in_as(identity: Identity | None) -> None:
    """Take this identity instead of asking Streamlit (tests; None: back to Streamlit)."""
    global _identity
    _identity = identity


def services() -> Services:
    return _services or get_services()


def identity() -> Identity:
    """Who is asking in this browser session."""
    if _identity is not None:
        return _identity
    oidc = _oidc_configured()
    return resolve_identity(
        services().settings,
        dict(st.context.headers or {}),
        st.user.to_dict() if oidc else None,
        oidc_configured=oidc,
    )


def start_job_runner() -> None:
    """Run queued ingestion jobs in the background of this process (once per Services)."""
    svc = services()
    with _runners_lock:
        if id(svc) not in _runners:
            _runners[id(svc)] = _JobRunner(svc)


def stop_job_runners() -> None:
    """Stop every runner after the job it is on (tests, so no runner outlives its test)."""
    with _runners_lock:
        for runner in _runners.values():
            runner.stop()
        _runners.clear()


class _JobRunner:
    """A daemon thread that drains the job queue every ``JOB_POLL_SECONDS``."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="footnote-jobs", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        from ingest import run_pending_jobs

        while not self._stopping.wait(JOB_POLL_SECONDS):
            try:
                run_pending_jobs(self._services)
            except Exception:  # a bad job must not kill the runner; the job row has the error
                log.exception("ingestion job runner")

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()


def _oidc_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` section for ``st.login``."""
    try:
        return bool(st.secrets.load_if_toml_exists()) and "auth" in st.secrets
    except Exception:  # an unreadable secrets file means no OIDC, not a crash
        return False
