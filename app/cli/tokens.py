"""``footnote tokens``: API tokens for scripts, bots, chat clients and MCP agents.

A token is printed once, when it is created, and stored only as a hash: lose it and
create another. Its groups bound what it may see exactly as a person's do in the app.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import typer
from rich.console import Console
from rich.table import Table

from app.api.tokens import create_token, list_tokens, parse_duration, revoke_token
from core.access import parse_groups
from core.services import get_services

console = Console()
err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    tokens_app = typer.Typer(
        help="API tokens for `footnote api` and `footnote mcp`: create, list, revoke.",
        no_args_is_help=True,
    )

    @tokens_app.command("create")
    def create_cmd(
        user: str = typer.Option(..., "--user", help="Who the token speaks for (logs, usage)."),
        groups: str = typer.Option(
            "all", "--groups", help="Comma-separated access groups, e.g. `hr,finance`."
        ),
        admin: bool = typer.Option(
            False, "--admin", help="May queue ingestion jobs (adds the admin group)."
        ),
        expires: str = typer.Option(
            "90d", "--expires", help="Lifetime: 30m, 12h, 90d, 2w, or `never`."
        ),
    ) -> None:
        """Create a token and print it (once: only its hash is kept).

        Example: `footnote tokens create --user hr-bot --groups hr --expires 30d`
        """
        try:
            lifetime = parse_duration(expires)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--expires") from None
        services = get_services()
        try:
            token, info = create_token(
                services.sessions,
                services.settings,
                user,
                parse_groups(groups),
                admin=admin,
                expires_in=lifetime,
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--user") from None
        until = f"until {info.expires_at:%Y-%m-%d %H:%M} UTC" if info.expires_at else "no expiry"
        err.print(
            f"Token {info.id} for [bold]{info.user}[/] (groups {', '.join(info.groups)}; "
            f"{until}). Copy it now: it is not shown again."
        )
        print(token)

    @tokens_app.command("list")
    def list_cmd(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
        """Every token with its user, groups, state and use (never the token itself).

        Example: `footnote tokens list`
        """
        tokens = list_tokens(get_services().sessions)
        if as_json:
            rows = [{**asdict(t), "state": t.state} for t in tokens]
            console.print_json(json.dumps(rows, default=str))
            return
        table = Table("id", "token", "user", "groups", "state", "expires", "last used", "calls")
        for t in tokens:
            table.add_row(
                str(t.id),
                f"{t.prefix}…",
                t.user,
                ",".join(t.groups),
                t.state,
                str(t.expires_at or "never")[:16],
                str(t.last_used_at or "-")[:16],
                str(t.requests),
            )
        console.print(table)

    @tokens_app.command("revoke")
    def revoke_cmd(token_id: int = typer.Argument(..., help="The id from `tokens list`.")) -> None:
        """Revoke a token: its next call gets 401.

        Example: `footnote tokens revoke 3`
        """
        if not revoke_token(get_services().sessions, token_id):
            err.print(f"[red]No active token {token_id}.[/] `footnote tokens list` shows them.")
            raise typer.Exit(1)
        console.print(f"Token {token_id} revoked.")

    app.add_typer(tokens_app, name="tokens")
