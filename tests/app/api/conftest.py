"""A real API server on 127.0.0.1 over the shared sample corpus, and tokens for it.

The server is uvicorn in a thread of the test process, so it serves the module's
``sample_copy`` (a copy of the sample corpus ingested once with the real embedder,
which tokens, answers and audit entries are written to): the embedded index has one
owner, and here it is this process.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from app.api import create_app
from app.api.served import Served
from app.api.tokens import create_token, revoke_token
from core.services import Services


@dataclass(frozen=True)
class Tokens:
    outsider: str
    """Groups "all" only: the restricted documents of the sample corpus are not theirs."""
    hr: str
    admin: str
    expired: str
    revoked: str


@pytest.fixture(scope="module")
def tokens(sample_copy: Services) -> Tokens:
    return make_tokens(sample_copy)


def make_tokens(sample_copy: Services) -> Tokens:
    """One token of each kind over the sample services (new ones on each call)."""

    def make(user: str, groups: list[str], **kwargs: object) -> str:
        token, _ = create_token(sample_copy.sessions, sample_copy.settings, user, groups, **kwargs)
        return token

    revoked, info = create_token(sample_copy.sessions, sample_copy.settings, "mallory", ["hr"])
    revoke_token(sample_copy.sessions, info.id)
    return Tokens(
        outsider=make("outsider", ["all"]),
        hr=make("hana", ["hr"]),
        admin=make("kim", ["all"], admin=True),
        expired=make("old-bot", ["hr"], expires_in=timedelta(minutes=-1)),
        revoked=revoked,
    )


@pytest.fixture(scope="module")
def api(sample_copy: Services) -> Iterator[Served]:
    """The API over the sample corpus, running queued jobs like the index owner does.

    Per module, so its job runner never outlives these tests (others queue jobs too).
    """
    served = Served(create_app(sample_copy)).start()
    yield served
    served.stop()


@pytest.fixture
def client(api: Served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.url, timeout=60) as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
