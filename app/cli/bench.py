"""``footnote bench``: benchmarks (figures go to docs/benchmarks.md).

Other benchmarks register their own subcommand on ``bench_app``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from core.embeddings import make_embedder
from core.settings import get_settings

console = Console(stderr=True)
bench_app = typer.Typer(
    help="Benchmarks: retrieval quality and speed, parsing fidelity.", no_args_is_help=True
)


@bench_app.command("retrieval")
def retrieval_cmd(
    dataset: Annotated[
        Path, typer.Argument(help="A BEIR folder: corpus.jsonl, queries.jsonl, qrels/.")
    ],
    split: str = typer.Option("test", "--split", help="The qrels split to report on."),
    tune: str | None = typer.Option(
        None, "--tune", help="Also search fusion settings on this split (e.g. train)."
    ),
    scale_to: int = typer.Option(
        100_000, "--scale-to", help="Pad the index with synthetic points to time search (0: off)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Hybrid vs dense vs BM25 retrieval: nDCG@10, Recall@10, MRR@10, latency, memory.

    Example: `footnote bench retrieval ../shared/datasets/scifact --tune train`
    """
    from benchmarks.retrieval import run

    if not dataset.is_dir():
        console.print(f"[red]{dataset} is not a folder.[/] Give a BEIR dataset folder.")
        raise typer.Exit(1)
    settings = get_settings()
    try:
        report = run(
            dataset,
            settings,
            make_embedder(settings),
            split=split,
            tune_split=tune,
            scale_to=scale_to,
            progress=lambda msg: console.print(f"[dim]{msg}[/]"),
        )
    except FileNotFoundError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(report, indent=2))
        return
    _print(report)


_METRICS = ("ndcg_at_10", "recall_at_10", "mrr_at_10", "p50_ms", "p95_ms")


def _print(report: dict[str, Any]) -> None:
    out = Console()
    out.print(
        f"{report['dataset']} ({report['split']}): {report['documents']} documents, "
        f"{report['chunks']} chunks, {report['queries']} queries; embedder {report['embedder']}"
    )
    table = Table("mode", "nDCG@10", "Recall@10", "MRR@10", "p50 ms", "p95 ms")
    for r in report["results"]:
        table.add_row(r["mode"], *(str(r[k]) for k in _METRICS))
    if scaled := report.get("scaled"):
        table.add_row(f"hybrid @ {scaled['points']:,}", *(str(scaled[k]) for k in _METRICS))
    out.print(table)
    if tuning := report.get("tuning"):
        out.print(
            f"on {tuning['split']}: settings nDCG@10 {tuning['settings_ndcg_at_10']}, "
            f"best {tuning['best'][0]}"
        )
    out.print(
        f"fusion {report['fusion']}; peak RSS {report['peak_rss_mb']} MB; {report['seconds']} s"
    )


@bench_app.command("qa")
def qa_cmd(
    corpus: Annotated[
        Path | None, typer.Argument(help="A folder of documents (default: the built-in sets).")
    ] = None,
    dataset: Annotated[
        Path | None, typer.Argument(help="Its eval set (JSONL; see docs/evals.md).")
    ] = None,
    name: str = typer.Option("", "--name", help="A name for the set (default: the folder's)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first N questions."),
    as_json: bool = typer.Option(False, "--json", help="Print the summaries as JSON."),
) -> None:
    """Answer quality on real documents: gold file cited, must_include, refusals.

    With no arguments: the sample corpus and, when ../shared/datasets is present, the dxw
    handbook with its 60 questions, side by side. Each corpus is ingested into its own
    data dir under DATA_DIR/bench (re-runs re-embed nothing).

    Example: `footnote bench qa handbook/src handbook-qa.jsonl --name handbook`
    """
    from evals.qa_bench import QaSet, default_sets, run_sets

    if (corpus is None) != (dataset is None):
        console.print("[red]Give both a corpus folder and its eval set, or neither.[/]")
        raise typer.Exit(2)
    if corpus is not None and dataset is not None:
        sets = [QaSet(name or corpus.resolve().name, corpus, dataset)]
        if not sets[0].present:
            console.print(f"[red]{corpus} must be a folder and {dataset} a JSONL file.[/]")
            raise typer.Exit(2)
    else:
        sets = default_sets()
    summaries = run_sets(
        get_settings(), sets, limit=limit, progress=lambda m: console.print(f"[dim]{m}[/]")
    )
    if as_json:
        print(json.dumps(summaries, indent=2))
        return
    _print_qa(summaries)


def _print_qa(summaries: dict[str, dict[str, Any]]) -> None:
    """One table per scope (overall, then each kind): a column per set, value [low–high]."""
    from evals.qa_bench import HEADLINE

    out = Console()
    scopes = dict.fromkeys(s for summary in summaries.values() for s in summary)
    scopes.pop("retrieval", None)
    for scope in scopes:
        table = Table(title=scope, title_justify="left")
        table.add_column("metric")
        for set_name in summaries:
            table.add_column(set_name)
        for metric in HEADLINE:
            cells = [summaries[s].get(scope, {}).get(metric) for s in summaries]
            if any(cells):
                table.add_row(metric, *(_estimate(c) for c in cells))
        out.print(table)
    table = Table(title="retrieval: rank of the first gold file", title_justify="left")
    table.add_column("mode")
    for set_name in summaries:
        table.add_column(f"{set_name} hit@1 / hit@5 / MRR@10")
    modes = dict.fromkeys(m for s in summaries.values() for m in s.get("retrieval", {}))
    for mode in modes:
        cells = [summaries[s].get("retrieval", {}).get(mode) for s in summaries]
        table.add_row(
            mode, *(" / ".join(f"{v:.3f}" for v in c.values()) if c else "–" for c in cells)
        )
    out.print(table)


def _estimate(est: dict[str, Any] | None) -> str:
    if not est:
        return "–"
    return f"{est['value']:.3f} [{est['low']:.2f}–{est['high']:.2f}] n={est['n']}"


@bench_app.command("parse")
def parse_cmd(
    folder: Annotated[
        Path,
        typer.Argument(
            help="Documents to parse; `NAME.EXT.md` (or .txt) beside a file is its expected text."
        ),
    ],
    worst: int = typer.Option(10, "--worst", help="List this many lowest-F1 files (0: none)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Parsing fidelity: word recall, precision and F1 per format against expected text.

    Every file is parsed as ingest would; where `report.pdf.md` sits beside `report.pdf`
    the parsed words are compared with it. Failures are listed with their reason.

    Example: `footnote bench parse ../shared/datasets/real-docs`
    """
    from benchmarks.parsing import run

    if not folder.is_dir():
        console.print(f"[red]{folder} is not a folder.[/] Give a folder of documents.")
        raise typer.Exit(1)
    report = run(folder, progress=lambda rel: console.print(f"[dim]parsing {rel}[/]"))
    if as_json:
        print(json.dumps(report, indent=2))
        return
    _print_parse(report, worst)


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _print_parse(report: dict[str, Any], worst: int) -> None:
    out = Console()
    table = Table("format", "files", "failed", "scored", "recall", "precision", "F1", "seconds")
    rows = [*report["formats"].items(), ("all", report["overall"])]
    for name, r in rows:
        table.add_row(
            name,
            str(r["files"]),
            str(r["failed"]),
            str(r["scored"]),
            *(_figure(r[k]) for k in ("recall", "precision", "f1")),
            f"{r['seconds']:.1f}",
        )
    out.print(table)
    files = report["files"]
    scored = sorted((f for f in files if f["f1"] is not None), key=lambda f: f["f1"])
    if worst and scored:
        out.print("lowest F1:")
        for f in scored[:worst]:
            out.print(
                f"  {f['f1']:.3f}  {f['path']}  (recall {f['recall']:.3f}, "
                f"precision {f['precision']:.3f})"
            )
    failed = [f for f in files if f["reason"]]
    if failed:
        out.print(f"failed ({len(failed)}):")
        for f in failed:
            out.print(f"  {f['path']}: {f['reason']}")


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")
