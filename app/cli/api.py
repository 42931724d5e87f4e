"""``footnote api``: serve the HTTP API (OpenAI-compatible chat, search, documents, jobs).

The server opens the index at start-up. With the embedded index it becomes the index's
owner: it runs queued ingestion jobs (from `footnote ingest` or `POST /v1/jobs`), and
the app cannot open the same index beside it. With `QDRANT_URL` any number of API
servers, apps and CLIs work at once.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import typer
import uvicorn
from rich.console import Console

from app.api import DEFAULT_RATE_LIMIT, create_app
from app.api.tokens import TokenRejected
from app.cli.bench import bench_app
from core.index import IndexLocked
from core.services import Services, get_services

err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    @app.command("api")
    def api_cmd(
        host: str = typer.Option(
            "127.0.0.1", "--host", help="Address to bind; 0.0.0.0 serves the whole network."
        ),
        port: int = typer.Option(8600, "--port", "-p", help="Port to listen on."),
        rate_limit: int = typer.Option(
            DEFAULT_RATE_LIMIT, "--rate-limit", help="Requests a minute per token (429 past it)."
        ),
    ) -> None:
        """Serve the Footnote API; callers need a token (`footnote tokens create`).

        Example: `footnote api --port 8600`, then open http://127.0.0.1:8600/docs
        """
        if not 0 < port < 65536:
            raise typer.BadParameter(f"{port} is not a TCP port; pick one in 1-65535.")
        if rate_limit < 1:
            raise typer.BadParameter(
                "must allow at least 1 request a minute", param_hint="--rate-limit"
            )
        services = _owning_services()
        err.print(f"Footnote API on [bold]http://{host}:{port}[/] (docs at /docs; Ctrl+C stops it)")
        try:
            uvicorn.run(
                create_app(services, rate_limit=rate_limit, host=host), host=host, port=port
            )
        finally:
            services.close()

    @app.command("mcp")
    def mcp_cmd(
        http: bool = typer.Option(
            False, "--http", help="Serve streamable HTTP (bearer token per request), not stdio."
        ),
        host: str = typer.Option("127.0.0.1", "--host", help="Address to bind with --http."),
        port: int = typer.Option(8601, "--port", "-p", help="Port to listen on with --http."),
    ) -> None:
        """Serve Footnote's tools to MCP clients: search, ask, get_document, list_sources.

        stdio (the default) runs as the token in FOOTNOTE_TOKEN; with `--http` each request
        brings its own `Authorization: Bearer` token, at http://HOST:PORT/mcp.

        Examples: `FOOTNOTE_TOKEN=fn_... footnote mcp`, `footnote mcp --http --port 8601`
        """
        from app import mcp_server

        services = _owning_services()
        try:
            if http:
                err.print(f"Footnote MCP on [bold]http://{host}:{port}{mcp_server.MCP_PATH}[/]")
                uvicorn.run(mcp_server.http_app(services, host), host=host, port=port)
                return
            token = os.environ.get(mcp_server.TOKEN_ENV, "")
            try:
                mcp_server.check_token(services, token)
            except TokenRejected as exc:
                err.print(f"[red]{exc}[/] Set {mcp_server.TOKEN_ENV} to a token.")
                raise typer.Exit(1) from None
            mcp_server.build_server(services, token).run("stdio")
        finally:
            services.close()


@bench_app.command("api")
def bench_api_cmd(
    data_dir: str = typer.Option(
        ".footnote/bench-api", "--data-dir", help="Where the sample corpus is ingested."
    ),
    clients: int = typer.Option(20, "--clients", help="Concurrent clients in the soak."),
    seconds: float = typer.Option(60.0, "--seconds", help="How long the soak runs."),
) -> None:
    """First token of streamed answers over the API, and a concurrent soak.

    Example: `footnote bench api --clients 20 --seconds 60` (figures go to docs/benchmarks.md)
    """
    from app.api.bench import run

    err.print(f"Ingesting the sample corpus into {data_dir} if needed, then measuring...")
    print(json.dumps(asdict(run(Path(data_dir), clients=clients, seconds=seconds)), indent=2))


def _owning_services() -> Services:
    """The services with the index opened: this process owns it, or the command stops
    naming the process that does."""
    services = get_services()
    try:
        services.index  # noqa: B018 (open it now)
    except IndexLocked as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    return services
