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
import time

import streamlit as st

from app.identity import Identity, resolve_identity
from core.services import Services, get_services

log = logging.getLogger(__name__)

JOB_POLL_SECONDS = 2.0
"""How often the runner looks for queued ingestion jobs."""

_services: Services | None = None
_identity: Identity | None = None


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
    _job_runner(id(svc), svc)


@st.cache_resource(show_spinner=False)
def _job_runner(services_id: int, _services: Services) -> threading.Thread:
    from ingest import run_pending_jobs

    def loop() -> None:
        while True:
            time.sleep(JOB_POLL_SECONDS)
            try:
                run_pending_jobs(_services)
            except Exception:  # a bad job must not kill the runner; the job row has the error
                log.exception("ingestion job runner")

    thread = threading.Thread(target=loop, name="footnote-jobs", daemon=True)
    thread.start()
    return thread


def _oidc_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` section for ``st.login``."""
    try:
        return bool(st.secrets.load_if_toml_exists()) and "auth" in st.secrets
    except Exception:  # an unreadable secrets file means no OIDC, not a crash
        return False
