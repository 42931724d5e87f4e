"""Footnote over HTTP: an OpenAI-compatible API with the app's access rules.

``create_app(services)`` builds the FastAPI app (routes under ``/v1``, ``/healthz``,
OpenAPI docs at ``/docs``, the MCP tools at ``/mcp``); ``footnote api`` serves it with
uvicorn. The caller is the bearer token (``app.api.tokens``), whose groups bound
everything it gets back, as a person's do in the app. The answer path, search and the
catalog are the same public functions the app calls: nothing here decides what a
document says or who may read it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import FastAPI, Request
from sqlalchemy import text
from starlette.routing import Route

from app.api import chat, errors, jobs, library
from app.api.auth import DEFAULT_RATE_LIMIT, RateLimiter, services_of
from core.services import Services

JOB_POLL_S = 2.0


def create_app(
    services: Services,
    *,
    rate_limit: int = DEFAULT_RATE_LIMIT,
    run_jobs: bool = True,
    host: str = "127.0.0.1",
) -> FastAPI:
    """The API over ``services``, with the MCP tools at ``/mcp`` (streamable HTTP).

    ``run_jobs``: this process runs queued ingestion jobs (it owns the embedded index,
    or the index is a Qdrant server). ``host``: the address served, which the MCP
    endpoint's DNS-rebinding protection checks the ``Host`` header against.
    """
    from app.mcp_server import MCP_PATH, mcp_endpoint  # it builds on app.api's modules

    limiter = RateLimiter(rate_limit)
    mcp_app, mcp_sessions = mcp_endpoint(services, limiter, host)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with mcp_sessions(), anyio.create_task_group() as tasks:
            if run_jobs:
                tasks.start_soon(jobs.drain_jobs, services, JOB_POLL_S)
            yield
            tasks.cancel_scope.cancel()

    app = FastAPI(
        title="Footnote API",
        version="1",
        summary="Answers from your company's documents, with footnotes.",
        description=(
            "OpenAI-compatible chat completions with citations, search, documents and "
            "ingestion jobs. Every route but /healthz takes `Authorization: Bearer <token>` "
            "(`footnote tokens create`); the token's groups bound what it may see."
        ),
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.limiter = limiter
    errors.install(app)
    app.include_router(chat.router)
    app.include_router(library.router)
    app.include_router(jobs.router)
    app.router.routes.append(Route(MCP_PATH, endpoint=mcp_app))

    @app.get("/healthz", tags=["health"], summary="Liveness: the database answers")
    def healthz(request: Request) -> dict[str, Any]:
        with services_of(request).sessions() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app


__all__ = ["DEFAULT_RATE_LIMIT", "create_app"]
