"""Driving the real app pages with Streamlit's ``AppTest``, in this process.

The pages get the module's ``sample_copy`` (a copy of the sample corpus ingested with
the real embedder, for the questions, jobs and runs the pages write) through
``app.session.use_services``, and a person through
``app.session.sign_in_as``: an identity that ``resolve_identity`` builds from the
sample settings with a chosen local user, so the real group rules decide what they see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from streamlit.testing.v1 import AppTest

from app import session
from app.identity import resolve_identity
from core.services import Services
from tests.conftest import REPO

APP_SCRIPT = REPO / "app" / "streamlit_app.py"
TIMEOUT_S = 120
"""An AppTest run's limit: the first answer in a process loads the embedding model."""

OpenApp = Callable[..., AppTest]


@pytest.fixture
def open_app(sample_copy: Services) -> Iterator[OpenApp]:
    """``open_app(user="local", groups=None)``: the app, run once, as that person, over
    this module's copy of the sample corpus (questions, jobs and feedback write to it)."""

    def _open(user: str = "local", groups: list[str] | None = None) -> AppTest:
        settings = sample_copy.settings
        if groups is not None:
            settings = settings.model_copy(update={"group_map": {user: groups}})
        settings = settings.model_copy(update={"default_user": user})
        session.sign_in_as(resolve_identity(settings, {}, None, oidc_configured=False))
        return AppTest.from_file(str(APP_SCRIPT), default_timeout=TIMEOUT_S).run()

    session.use_services(sample_copy)
    yield _open
    session.stop_job_runners()
    session.use_services(None)
    session.sign_in_as(None)
