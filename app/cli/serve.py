"""``footnote app``: serve the Streamlit app.

The command becomes ``python -m streamlit run`` (the process is replaced, not forked, so
a signal to ``footnote app`` stops the server itself). The theme lives in
``app/.streamlit/config.toml``, next to the script, where Streamlit finds it whatever
the working directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.console import Console

APP_SCRIPT = Path(__file__).resolve().parent.parent / "streamlit_app.py"

console = Console()


def streamlit_command(port: int, host: str) -> list[str]:
    """The exact command ``footnote app`` runs (tests check it without starting it)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_SCRIPT),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


def register(app: typer.Typer) -> None:
    @app.command("app")
    def app_cmd(
        port: int = typer.Option(8501, "--port", "-p", help="Port to listen on."),
        host: str = typer.Option(
            "127.0.0.1", "--host", help="Address to bind; 0.0.0.0 serves the whole network."
        ),
    ) -> None:
        """Serve the Footnote app (ask, library, ingestion, evals, usage).

        Example: `footnote app --port 8501`, then open http://127.0.0.1:8501
        """
        if not 0 < port < 65536:
            raise typer.BadParameter(f"{port} is not a TCP port; pick one in 1-65535.")
        console.print(f"Footnote is starting on [bold]http://{host}:{port}[/] (Ctrl+C stops it)")
        command = streamlit_command(port, host)
        sys.stdout.flush()
        os.execv(command[0], command)
