"""``footnote mcp``: Footnote's documents as MCP tools for agents and IDEs.

Tools: ``search`` (passages), ``ask`` (the cited answer), ``get_document`` and
``list_sources``: the API's functions (``app.api.library``, ``app.api.chat.ask``), so
an agent gets exactly what the same token gets over HTTP. The caller is an API token:
``FOOTNOTE_TOKEN`` for stdio (one agent, one process), the ``Authorization: Bearer``
header of each request for streamable HTTP (``--http``), where a request without a
valid token is refused with 401 before MCP sees it. The token is checked again on each
tool call, so a revoked token stops working at once. Every call is audited on its token.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.auth import DEFAULT_RATE_LIMIT, RateLimiter, admit, audit_call
from app.api.chat import ask as ask_answer
from app.api.errors import ApiError, error_body
from app.api.library import (
    citation_dict,
    document_detail,
    search_passages,
    source_counts,
)
from app.api.tokens import Caller, TokenRejected, authenticate
from core.services import Services

TOKEN_ENV = "FOOTNOTE_TOKEN"
MCP_PATH = "/mcp"

_INSTRUCTIONS = (
    "Footnote answers questions from the company's own documents, with numbered "
    "citations. Use `ask` for a cited answer, `search` for raw passages, "
    "`get_document` to read a document a citation points at (by doc_id), and "
    "`list_sources` to see what is indexed. You only ever see documents your token's "
    "groups may read."
)


def build_server(services: Services, stdio_token: str | None = None) -> MCPServer:
    """The MCP server over ``services``; ``stdio_token`` is the caller for stdio."""
    # WARNING: the SDK configures the root logger, and at INFO every HTTP call is logged.
    server = MCPServer("footnote", instructions=_INSTRUCTIONS, version="1", log_level="WARNING")

    def caller(ctx: Context) -> Caller:
        headers = ctx.headers
        token = _bearer(headers) if headers is not None else (stdio_token or "")
        try:
            return authenticate(services.sessions, services.settings, token)
        except TokenRejected as exc:
            raise ToolError(str(exc)) from None

    @server.tool()
    def search(query: str, ctx: Context, top_k: int = 8) -> list[dict[str, Any]]:
        """Passages from the documents you may read that best match `query`, best first.

        Each has its text, document title, section, page and doc_id.
        """
        who = caller(ctx)
        found = search_passages(services, who.user, query, top_k=max(1, min(top_k, 50)))
        audit_call(
            services, who, "mcp.search", {"query": query, "chunks": [p["chunk_id"] for p in found]}
        )
        return found

    @server.tool()
    def ask(question: str, ctx: Context) -> dict[str, Any]:
        """A cited answer to `question` from the documents you may read.

        The answer's [n] markers point at `citations` (document, section, page, quote).
        """
        who = caller(ctx)
        result = ask_answer(services, who, question)
        audit_call(services, who, "mcp.ask", {"answer_id": result.answer_id, "mode": result.mode})
        return {
            "answer": result.text,
            "citations": [citation_dict(c) for c in result.citations],
            "refused": result.refused,
            "mode": result.mode,
        }

    @server.tool()
    def get_document(doc_id: str, ctx: Context) -> dict[str, Any]:
        """A document you may read: metadata, status, lineage and its text by chunk."""
        who = caller(ctx)
        audit_call(services, who, "mcp.document", {"doc_id": doc_id})
        try:
            return document_detail(services, who.user, doc_id)
        except ApiError as exc:
            raise ToolError(exc.message) from None

    @server.tool()
    def list_sources(ctx: Context) -> list[dict[str, Any]]:
        """The indexed sources, with how many documents and chunks of each you may read."""
        who = caller(ctx)
        audit_call(services, who, "mcp.sources", {})
        return source_counts(services, who.user)

    return server


def http_app(
    services: Services, host: str = "127.0.0.1", rate_limit: int = DEFAULT_RATE_LIMIT
) -> ASGIApp:
    """The streamable-HTTP app at ``/mcp`` (``footnote mcp --http``)."""
    return mcp_endpoint(services, RateLimiter(rate_limit), host)[0]


def mcp_endpoint(
    services: Services, limiter: RateLimiter, host: str = "127.0.0.1"
) -> tuple[ASGIApp, Callable[[], AbstractAsyncContextManager[None]]]:
    """The MCP app and the context its sessions run in, to serve ``/mcp`` from another
    app too (``footnote api`` does: one process owns the index for both). Requests need
    a valid token within its rate limit (401 or 429 before MCP sees them)."""
    server = build_server(services)
    inner = server.streamable_http_app(streamable_http_path=MCP_PATH, host=host)
    return _RequireToken(inner, services, limiter), server.session_manager.run


def check_token(services: Services, token: str) -> Caller:
    """The stdio caller, checked once at start so a bad token fails loudly, not per call."""
    return authenticate(services.sessions, services.settings, token)


def _bearer(headers: Mapping[str, str]) -> str:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class _RequireToken:
    """ASGI middleware: each HTTP request is let in by ``admit`` or refused as JSON."""

    def __init__(self, app: ASGIApp, services: Services, limiter: RateLimiter) -> None:
        self._app = app
        self._services = services
        self._limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            try:
                await anyio.to_thread.run_sync(
                    admit, self._services, self._limiter, _bearer(headers)
                )
            except ApiError as exc:
                body = json.dumps(error_body(exc.status, exc.message, exc.code)).encode()
                extra = [(k.lower().encode(), v.encode()) for k, v in exc.headers.items()]
                await send(
                    {
                        "type": "http.response.start",
                        "status": exc.status,
                        "headers": [(b"content-type", b"application/json"), *extra],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self._app(scope, receive, send)
