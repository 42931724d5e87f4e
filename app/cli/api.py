"""``footnote api``: serve the HTTP API (OpenAI-compatible chat, search, documents, jobs).

The server opens the index at start-up. With the embedded index it becomes the index's
owner: it runs queued ingestion jobs (from `footnote ingest` or `POST /v1/jobs`), and
the app cannot open the same index beside it. With `QDRANT_URL` any number of API
servers, apps and CLIs work at once.
"""

from __future__ import annotations

import typer
import uvicorn
from rich.console import Console

from app.api import DEFAULT_RATE_LIMIT, create_app
from core.index import IndexLocked
from core.services import get_services

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
        services = get_services()
        try:
            services.index  # noqa: B018 (own the index now, or say who does)
        except IndexLocked as exc:
            err.print(f"[red]{exc}[/]")
            raise typer.Exit(1) from None
        err.print(f"Footnote API on [bold]http://{host}:{port}[/] (docs at /docs; Ctrl+C stops it)")
        try:
            uvicorn.run(create_app(services, rate_limit=rate_limit), host=host, port=port)
        finally:
            services.close()
