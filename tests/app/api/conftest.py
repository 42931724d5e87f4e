"""A real API server on 127.0.0.1 over the shared sample corpus, and tokens for it.

The server is uvicorn in a thread of the test process, so it serves the session's
``sample_services`` (the sample corpus ingested once with the real embedder): the
embedded index has one owner, and here it is this process.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from app.api import create_app
from app.api.tokens import create_token, revoke_token
from core.services import Services

START_TIMEOUT_S = 30.0


class Served:
    """An ASGI app served by uvicorn on a free port of 127.0.0.1, in a daemon thread."""

    def __init__(self, app: FastAPI) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Served:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the API server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()


@dataclass(frozen=True)
class Tokens:
    outsider: str
    """Groups "all" only: the restricted documents of the sample corpus are not theirs."""
    hr: str
    admin: str
    expired: str
    revoked: str


@pytest.fixture(scope="session")
def tokens(sample_services: Services) -> Tokens:
    def make(user: str, groups: list[str], **kwargs: object) -> str:
        token, _ = create_token(
            sample_services.sessions, sample_services.settings, user, groups, **kwargs
        )
        return token

    revoked, info = create_token(
        sample_services.sessions, sample_services.settings, "mallory", ["hr"]
    )
    revoke_token(sample_services.sessions, info.id)
    return Tokens(
        outsider=make("outsider", ["all"]),
        hr=make("hana", ["hr"]),
        admin=make("kim", ["all"], admin=True),
        expired=make("old-bot", ["hr"], expires_in=timedelta(minutes=-1)),
        revoked=revoked,
    )


@pytest.fixture(scope="session")
def api(sample_services: Services) -> Iterator[Served]:
    """The API over the sample corpus, running queued jobs like the index owner does."""
    served = Served(create_app(sample_services)).start()
    yield served
    served.stop()


@pytest.fixture
def client(api: Served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.url, timeout=60) as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
