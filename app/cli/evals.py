"""``footnote eval``: run eval sets, gate on thresholds, list runs, write reports, and
check the faithfulness scorer against labelled pairs.

Exit codes: 0 fine, 2 bad input (the message says what to fix), 3 a threshold missed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

import evals
from core.index import IndexLocked
from core.services import get_services
from evals.report import HEADLINE

console = Console()
errors = Console(stderr=True)

THRESHOLD_MISSED = 3
BAD_INPUT = 2


def register(app: typer.Typer) -> None:
    eval_app = typer.Typer(
        help="Evaluate answer quality and track it over time.", no_args_is_help=True
    )

    @eval_app.command("run")
    def run_cmd(
        dataset: Annotated[Path, typer.Argument(help="The eval set (JSONL, a question a line).")],
        source: str = typer.Option(..., "--source", help="The ingested source to answer from."),
        fail_under: str = typer.Option(
            "", "--fail-under", help="Gates, e.g. faithfulness=0.9,hit@5=0.8,forbidden_leakage=0."
        ),
        limit: int | None = typer.Option(
            None, "--limit", min=1, help="Only the first N questions."
        ),
        name: str = typer.Option("", "--name", help="A label for the run."),
        judge: bool | None = typer.Option(
            None, "--judge/--no-judge", help="LLM judge (default: when an LLM is configured)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the run as one JSON object."),
    ) -> None:
        """Answer every question through the app's answer path, score and store the run.

        Example: `footnote eval run data/evals/sample.jsonl --source sample --fail-under hit@5=0.8`
        """
        try:
            thresholds = evals.parse_thresholds(fail_under)
        except ValueError as exc:
            _fail(str(exc))
        services = get_services()

        def progress(done: int, total: int, result: evals.QuestionResult) -> None:
            mark = "refused" if result.refused else f"{len(result.answer)} chars"
            errors.print(f"[dim]{done}/{total} {result.qid}: {mark}[/]", highlight=False)

        try:
            run = evals.run_eval(
                dataset,
                source,
                services=services,
                limit=limit,
                name=name,
                use_judge=judge,
                progress=progress,
            )
        except (evals.DatasetError, evals.SourceNotIndexed, IndexLocked, ValueError) as exc:
            _fail(str(exc))
        checks = evals.check_thresholds(run.aggregates.get("overall", {}), thresholds)
        if as_json:
            print(json.dumps(_run_dict(run, checks), default=str))
        else:
            _print_run(run)
            if checks:
                _print_checks(checks)
        if not all(c.passed for c in checks):
            raise typer.Exit(THRESHOLD_MISSED)

    @eval_app.command("list")
    def list_cmd(
        limit: int = typer.Option(20, "--limit", min=1),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Show eval runs, newest first. Example: `footnote eval list`"""
        runs = evals.list_runs(get_services(), limit)
        if as_json:
            print(json.dumps([_run_dict(r) for r in runs], default=str))
            return
        shown = ("hit@5", "faithfulness", "refusal_correct", "forbidden_leakage")
        table = Table("id", "started (UTC)", "name", "status", "n", *shown)
        for r in runs:
            table.add_row(
                str(r.id),
                f"{r.started_at:%m-%d %H:%M}",
                r.name,
                r.status,
                str(r.questions),
                *(_fmt(r.metric(m)) for m in shown),
            )
        console.print(table)

    @eval_app.command("report")
    def report_cmd(
        run_id: int = typer.Argument(..., help="The run to report on (see `footnote eval list`)."),
        compare: int | None = typer.Option(None, "--compare", help="A baseline run to compare."),
        out: Annotated[
            Path | None, typer.Option("--out", help="Folder (default: DATA_DIR/reports).")
        ] = None,
    ) -> None:
        """Write a self-contained HTML report and a Markdown summary of a run.

        Example: `footnote eval report 7 --compare 6 --out reports/`
        """
        services = get_services()
        try:
            run = evals.load_run(run_id, services)
            baseline = evals.load_run(compare, services) if compare is not None else None
        except evals.RunNotFound as exc:
            _fail(str(exc))
        folder = out or services.settings.data_dir / "reports"
        html, md = evals.write_report(run, folder, baseline)
        console.print(f"Wrote {html}\nWrote {md}")
        if baseline is not None:
            regressions = [c for c in evals.compare_runs(baseline, run) if c.regression]
            for c in regressions:
                console.print(
                    f"[red]regression[/] {c.metric}: {c.a:.3f} → {c.b:.3f} "
                    f"(95% CI of change {c.low:+.3f} … {c.high:+.3f})"
                )

    @eval_app.command("faithfulness")
    def faithfulness_cmd(
        pairs: Annotated[Path, typer.Argument(help='JSONL of {"context", "answer", "label"?}.')],
        threshold: float | None = typer.Option(
            None,
            "--threshold",
            min=0.0,
            max=1.0,
            help="Claim support threshold (default: calibrated).",
        ),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Score standalone (context, answer) pairs offline; with labels, print agreement.

        Example: `footnote eval faithfulness pairs.jsonl --threshold 0.3`
        """
        try:
            items, scores, agreement = evals.score_file(pairs, threshold)
        except (OSError, ValueError) as exc:
            _fail(str(exc))
        if as_json:
            rows = [
                {
                    "faithfulness": s.faithfulness,
                    "support": s.support,
                    "faithful": s.faithful,
                    "label": p.label,
                    "claims": [v.to_dict() for v in s.verdicts],
                }
                for p, s in zip(items, scores, strict=True)
            ]
            print(
                json.dumps({"pairs": rows, "agreement": agreement.to_dict() if agreement else None})
            )
            return
        table = Table("#", "faithfulness", "support", "faithful", "label")
        for i, (p, s) in enumerate(zip(items, scores, strict=True), start=1):
            table.add_row(
                str(i),
                _fmt(s.faithfulness),
                f"{s.support:.3f}",
                "yes" if s.faithful else "no",
                "" if p.label is None else str(p.label),
            )
        console.print(table)
        if agreement is not None:
            console.print(
                f"Agreement with {agreement.n} labels ({agreement.positives} faithful): "
                f"AUROC {_fmt(agreement.auroc)}, balanced accuracy "
                f"{agreement.balanced_accuracy:.3f}, F1 {agreement.f1:.3f} "
                f"at threshold {agreement.threshold:g}"
            )

    app.add_typer(eval_app, name="eval")


def _print_run(run: evals.Run) -> None:
    overall = run.aggregates.get("overall", {})
    table = Table("metric", "value", "95% CI", "n", title=f"Eval run {run.id}: {run.name}")
    for name in (*HEADLINE, "latency_ms", "latency_p95_ms", "cost_usd"):
        if name in overall:
            e = overall[name]
            table.add_row(
                name, _fmt(e["value"]), f"{_fmt(e['low'])} – {_fmt(e['high'])}", str(e["n"])
            )
    console.print(table)
    console.print(
        f"{run.questions} questions, {run.aggregates.get('questions_per_minute')} per minute; "
        f"judge {run.judge} ({run.aggregates.get('judge_errors', 0)} judge errors). "
        f"Report: `footnote eval report {run.id}`"
    )


def _print_checks(checks: list[evals.Check]) -> None:
    table = Table("metric", "value", "threshold", "result", title="Thresholds")
    for c in checks:
        result = "[green]pass[/]" if c.passed else "[red]MISSED[/]"
        table.add_row(c.metric, _fmt(c.value), c.rule, result)
    console.print(table)
    missed = [c.metric for c in checks if not c.passed]
    if missed:
        errors.print(f"[red]Missed {len(missed)} threshold(s):[/] {', '.join(missed)}")


def _run_dict(run: evals.Run, checks: list[evals.Check] | None = None) -> dict[str, object]:
    out: dict[str, object] = {
        "id": run.id,
        "name": run.name,
        "dataset": run.dataset,
        "source": run.source,
        "status": run.status,
        "judge": run.judge,
        "git_commit": run.git_commit,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "questions": run.questions,
        "aggregates": run.aggregates,
    }
    if checks is not None:
        out["thresholds"] = [
            {"metric": c.metric, "threshold": c.threshold, "value": c.value, "passed": c.passed}
            for c in checks
        ]
    return out


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _fail(message: str) -> NoReturn:
    errors.print(f"[red]{message}[/]")
    raise typer.Exit(BAD_INPUT)
