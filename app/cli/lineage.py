"""``footnote docs link|unlink|confirm|reject|links`` and ``footnote docs --stale``: the
knowledge manager's side of versions, from the shell.

The logic (and the audit entry every change leaves) is ``retrieval.lineage``'s; this
module reads arguments and prints. Documents are named by id or by path; like the other
``docs`` reads, commands act as the operator unless ``--groups`` says whom to act as.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from core.access import parse_groups
from core.services import Services, get_services
from retrieval import lineage

console = Console()
err = Console(stderr=True)

_GROUPS_HELP = "Act as these comma-separated access groups (default: the operator, everything)."


def _who() -> str:
    return f"cli:{getpass.getuser()}"


def _groups(groups: str | None) -> tuple[str, ...] | None:
    return parse_groups(groups) if groups else None


def print_stale(services: Services, groups: str | None, as_json: bool) -> None:
    """Documents not reviewed in ``stale_after_months`` and unconfirmed proposals."""
    found = lineage.stale(services, _groups(groups))
    if as_json:
        console.print_json(json.dumps([asdict(s) for s in found], default=str))
        return
    months = services.settings.stale_after_months
    table = Table("path", "title", "reviewed", "why", title=f"Stale after {months} months")
    for s in found:
        table.add_row(s.path, s.title[:50], f"{s.reviewed:%Y-%m-%d}", s.why)
    console.print(table)
    if found:
        console.print(
            "Confirm or reject proposals with `footnote docs confirm ID` / `reject ID` "
            "(ids: `footnote docs links`); set FOOTNOTE_STALE_AFTER_MONTHS to change the age."
        )


def register(docs_app: typer.Typer) -> None:
    @docs_app.command("links")
    def links_cmd(
        groups: str | None = typer.Option(None, "--groups", help=_GROUPS_HELP),
        as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    ) -> None:
        """Which document supersedes which: proposals first, with where each link came
        from (front_matter, text, proposed, manual) and its status.

        Example: `footnote docs links --json`
        """
        found = lineage.links_for(get_services(), _groups(groups))
        if as_json:
            console.print_json(json.dumps([asdict(lk) for lk in found], default=str))
            return
        table = Table("id", "newer", "supersedes", "from", "origin", "status", "evidence")
        for lk in found:
            when = f"{lk.effective_at:%Y-%m-%d}" if lk.effective_at else "?"
            table.add_row(
                str(lk.id),
                lk.newer_title[:40],
                lk.older_title[:40],
                when,
                lk.origin,
                lk.status,
                lk.evidence[:60],
            )
        console.print(table)

    @docs_app.command("link")
    def link_cmd(
        newer: str = typer.Argument(..., help="The newer document (id or path)."),
        older: str = typer.Argument(..., help="The document it supersedes (id or path)."),
        effective: Annotated[
            datetime | None,
            typer.Option("--effective", help="When the newer one took over (default: its date)."),
        ] = None,
        groups: str | None = typer.Option(None, "--groups", help=_GROUPS_HELP),
    ) -> None:
        """Say that NEWER supersedes OLDER (or confirm a proposal); audited. Answers then
        leave OLDER out, except for questions about a date before EFFECTIVE.

        Example: `footnote docs link hr/hybrid-working-policy-2026.md
        hr/hybrid-working-policy-2024.md --effective 2026-01-12`
        """
        _run(lambda s: _link(s, newer, older, effective, groups))

    @docs_app.command("unlink")
    def unlink_cmd(
        newer: str = typer.Argument(..., help="The newer document (id or path)."),
        older: str = typer.Argument(..., help="The document it was said to supersede."),
        groups: str | None = typer.Option(None, "--groups", help=_GROUPS_HELP),
    ) -> None:
        """Undo a link; audited. A detected link is kept as rejected, so the next
        ingestion does not find it again.

        Example: `footnote docs unlink office/mail-and-couriers.md office/post-room.md`
        """

        def go(services: Services) -> str:
            user_groups = _groups(groups)
            newer_id, newer_title = lineage.find_document(services, newer, user_groups)
            older_id, older_title = lineage.find_document(services, older, user_groups)
            lineage.unlink(services, newer_id, older_id, _who(), user_groups)
            return f"{newer_title} no longer supersedes {older_title}."

        _run(go)

    for verdict in ("confirmed", "rejected"):
        _decision(docs_app, verdict)


def _decision(docs_app: typer.Typer, verdict: str) -> None:
    name = verdict.removesuffix("ed")

    def decide_cmd(
        link_id: int = typer.Argument(..., help="The link's id (`footnote docs links`)."),
        groups: str | None = typer.Option(None, "--groups", help=_GROUPS_HELP),
    ) -> None:
        def go(services: Services) -> str:
            lineage.decide(services, link_id, verdict, _who(), _groups(groups))
            return f"Link {link_id} {verdict}."

        _run(go)

    decide_cmd.__doc__ = (
        f"{name.capitalize()} a link, usually a proposal; audited.\n\n"
        f"Example: `footnote docs {name} 3`"
    )
    docs_app.command(name)(decide_cmd)


def _link(
    services: Services,
    newer: str,
    older: str,
    effective: datetime | None,
    groups: str | None,
) -> str:
    user_groups = _groups(groups)
    newer_id, newer_title = lineage.find_document(services, newer, user_groups)
    older_id, older_title = lineage.find_document(services, older, user_groups)
    link_id = lineage.set_link(services, newer_id, older_id, _who(), user_groups, effective)
    return f"Link {link_id}: {newer_title} supersedes {older_title}."


def _run(action: Callable[[Services], str]) -> None:
    try:
        console.print(action(get_services()))
    except lineage.LineageError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
