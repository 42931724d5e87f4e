"""The ``footnote`` command line: one typer app, a module per command group."""

from __future__ import annotations

import typer

from app.cli import api, ask, bench, db, evals, ingest, serve, tokens

app = typer.Typer(
    name="footnote",
    help="Footnote: answers from your company's documents, with footnotes.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_show_locals=False,
)
db.register(app)
ask.register(app)
bench.register(app)
serve.register(app)
ingest.register(app)
evals.register(app)
api.register(app)
tokens.register(app)


def main() -> None:
    app()
