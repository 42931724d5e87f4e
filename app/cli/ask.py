"""``footnote ask``: one question, answered in the terminal with its footnotes."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console

from core.access import asker_groups, parse_groups
from core.index import IndexLocked
from core.services import get_services
from core.settings import get_settings
from retrieval import answer
from retrieval.types import Answer, Done, Filters, Notice, Token, User

console = Console()
errors = Console(stderr=True)


def register(app: typer.Typer) -> None:
    @app.command("ask")
    def ask_cmd(
        question: str = typer.Argument(..., help="The question, in quotes."),
        groups: str | None = typer.Option(
            None, "--groups", help="Comma-separated access groups to ask as (default: yours)."
        ),
        user: str | None = typer.Option(None, "--user", help="Who is asking (for the logs)."),
        source: Annotated[
            list[str] | None,
            typer.Option("--source", help="Only search this source (repeatable)."),
        ] = None,
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead."),
    ) -> None:
        """Answer a question from the ingested documents, with numbered sources.

        Example: `footnote ask "How many days of leave do I get?" --groups all,hr`
        """
        settings = get_settings()
        asker = User(
            id=user or settings.default_user,
            groups=parse_groups(groups) if groups else asker_groups(settings.default_user_groups),
        )
        services = get_services()
        try:
            if services.index.count() == 0:
                errors.print("[red]The index is empty.[/] Run `footnote ingest` first.")
                raise typer.Exit(1)
        except IndexLocked as exc:
            errors.print(f"[red]{exc}[/]")
            raise typer.Exit(1) from None
        filters = Filters(sources=tuple(source)) if source else None
        result: Answer | None = None
        for event in answer(question, asker, services=services, filters=filters):
            if as_json:
                result = event.answer if isinstance(event, Done) else result
            elif isinstance(event, Token):
                console.print(event.text, end="", soft_wrap=True, markup=False, highlight=False)
            elif isinstance(event, Notice):
                errors.print(f"[dim]{event.kind}: {event.message}[/]")
                if event.kind == "fallback":
                    console.print()
            elif isinstance(event, Done):
                result = event.answer
        services.close()
        if result is None:
            raise typer.Exit(1)
        if as_json:
            print(json.dumps(_as_dict(result), ensure_ascii=False))
        else:
            _print_sources(result)


def _print_sources(result: Answer) -> None:
    console.print("\n")
    if result.citations:
        console.print("[bold]Sources[/]")
    for c in result.citations:
        where = " › ".join([c.title, *c.section])
        page = f", page {c.page}" if c.page is not None else ""
        place = c.link or f"{c.source}:{c.path}"
        console.print(f"  [{c.n}] {where}{page}  [dim]{place}[/]", highlight=False)
    u = result.usage
    tokens = f"{u.input_tokens} in ({u.cached_tokens} cached), {u.output_tokens} out"
    console.print(
        f"[dim]{result.mode} · {tokens} · ${u.cost_usd:.5f} · {result.latency_ms:.0f} ms[/]"
    )


def _as_dict(result: Answer) -> dict[str, Any]:
    u = result.usage
    return {
        "answer_id": result.answer_id,
        "question": result.question,
        "standalone_question": result.standalone_question,
        "answer": result.text,
        "mode": result.mode,
        "refused": result.refused,
        "citations": [c.to_dict() for c in result.citations],
        "usage": {
            "model": u.model,
            "input_tokens": u.input_tokens,
            "cached_tokens": u.cached_tokens,
            "output_tokens": u.output_tokens,
            "cost_usd": u.cost_usd,
        },
        "latency_ms": round(result.latency_ms, 1),
        "left_out": result.left_out,
        "notices": result.notices,
    }
