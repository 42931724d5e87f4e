"""``footnote db``: the SQL schema."""

from __future__ import annotations

import typer
from rich.console import Console

from core.db import upgrade
from core.settings import get_settings

console = Console()


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="Manage the SQL database.", no_args_is_help=True)

    @db_app.command("upgrade")
    def upgrade_cmd() -> None:
        """Apply any pending migrations (safe to run again).

        Example: `footnote db upgrade` (uses DATABASE_URL when set, else SQLite under .footnote/)
        """
        settings = get_settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade(settings)
        console.print(f"[green]Database is up to date[/] ({settings.snapshot()['database_url']})")

    app.add_typer(db_app, name="db")
