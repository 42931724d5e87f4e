"""Reports of a run: one self-contained HTML file (inline SVG plots) and a Markdown
summary, optionally against a second run.

The HTML needs no network and no other file: send it as an attachment, open it
anywhere. Plots are drawn with matplotlib's object API (no pyplot state, no display).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from html import escape
from pathlib import Path

from matplotlib.figure import Figure

from evals.metrics import HIGHER, METRICS
from evals.stats import Comparison, compare
from evals.store import QuestionResult, Run

HEADLINE = (
    "hit@5",
    "mrr",
    "ndcg@10",
    "faithfulness",
    "answer_relevancy",
    "context_precision",
    "context_recall",
    "citation_precision",
    "citation_recall",
    "must_include",
    "refusal_correct",
    "forbidden_leakage",
)
"""The quality metrics the plots and the per-kind table show (cost and time are listed)."""
_WORST = 10


def write_report(run: Run, out: Path, baseline: Run | None = None) -> tuple[Path, Path]:
    """Write ``run-<id>.html`` and ``run-<id>.md`` into ``out``; returns both paths."""
    out.mkdir(parents=True, exist_ok=True)
    comparisons = compare_runs(baseline, run) if baseline else None
    stem = f"run-{run.id}" + (f"-vs-{baseline.id}" if baseline else "")
    html_path, md_path = out / f"{stem}.html", out / f"{stem}.md"
    html_path.write_text(_html(run, baseline, comparisons), encoding="utf-8")
    md_path.write_text(markdown_summary(run, baseline, comparisons), encoding="utf-8")
    return html_path, md_path


def compare_runs(a: Run, b: Run) -> list[Comparison]:
    """B against A on the questions both answered (paired bootstrap per metric)."""
    return compare({r.qid: r.metrics for r in a.results}, {r.qid: r.metrics for r in b.results})


def worst(results: Sequence[QuestionResult], n: int = _WORST) -> list[QuestionResult]:
    """The questions that went most wrong: leaks first, then wrong refusals, then the
    lowest mean of the quality metrics."""

    def badness(r: QuestionResult) -> tuple[float, float, float]:
        m = r.metrics
        quality = [m[k] for k in HEADLINE if METRICS[k] == HIGHER and m.get(k) is not None]
        return (
            -(m.get("forbidden_leakage") or 0.0),
            m.get("refusal_correct") if m.get("refusal_correct") is not None else 1.0,
            sum(quality) / len(quality) if quality else 1.0,
        )

    return sorted(results, key=badness)[:n]


# -- Markdown ----------------------------------------------------------------------------
def markdown_summary(
    run: Run, baseline: Run | None = None, comparisons: list[Comparison] | None = None
) -> str:
    lines = [
        f"# Eval run {run.id}: {run.name}",
        "",
        f"- dataset `{run.dataset}`, source `{run.source}`, {run.questions} questions, "
        f"judge `{run.judge}`, status {run.status}",
        f"- commit `{run.git_commit[:12] or 'unknown'}`, started {run.started_at:%Y-%m-%d %H:%M}"
        f" UTC, {run.aggregates.get('questions_per_minute')} questions/minute",
        "",
        "| metric | value | 95% CI | n |",
        "|---|---:|---|---:|",
    ]
    for name, est in run.aggregates.get("overall", {}).items():
        lines.append(
            f"| {name} | {_fmt(est['value'])} | {_fmt(est['low'])} – {_fmt(est['high'])} "
            f"| {est['n']} |"
        )
    kinds = run.aggregates.get("by_kind", {})
    if kinds:
        shown = [m for m in HEADLINE if any(m in k for k in kinds.values())]
        lines += ["", "## By kind", "", "| kind | n | " + " | ".join(shown) + " |"]
        lines.append("|---|---:|" + "---:|" * len(shown))
        for kind, agg in kinds.items():
            count = sum(r.kind == kind for r in run.results) or "?"
            cells = [_fmt(agg[m]["value"]) if m in agg else "–" for m in shown]
            lines.append(f"| {kind or '(none)'} | {count} | " + " | ".join(cells) + " |")
    if comparisons is not None and baseline is not None:
        lines += ["", f"## Against run {baseline.id}", ""]
        lines += _comparison_md(comparisons)
    if run.results:
        lines += ["", "## Worst questions", ""]
        for r in worst(run.results, 5):
            lines.append(f"- `{r.qid}` ({r.kind}): {r.question}")
    return "\n".join(lines) + "\n"


def _comparison_md(comparisons: list[Comparison]) -> list[str]:
    lines = [
        "| metric | n | before | after | change | 95% CI | p | |",
        "|---|---:|---:|---:|---:|---|---:|---|",
    ]
    for c in comparisons:
        flag = "**regression**" if c.regression else ("improvement" if c.improvement else "")
        lines.append(
            f"| {c.metric} | {c.n} | {_fmt(c.a)} | {_fmt(c.b)} | {_fmt(c.delta, signed=True)} "
            f"| {_fmt(c.low, signed=True)} – {_fmt(c.high, signed=True)} | {c.p_value:.3f} "
            f"| {flag} |"
        )
    return lines


# -- HTML --------------------------------------------------------------------------------
_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ddd;padding:4px 8px;
text-align:left;vertical-align:top}th{background:#f4f4f4}.num{text-align:right}
.bad{color:#b00020;font-weight:600}.good{color:#1b7f3b}.q{border:1px solid #ddd;padding:
.5rem 1rem;margin:1rem 0;border-radius:6px}.muted{color:#666;font-size:.9em}
pre{white-space:pre-wrap;background:#fafafa;padding:.5rem}
"""


def _html(run: Run, baseline: Run | None, comparisons: list[Comparison] | None) -> str:
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>Eval run {run.id}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Eval run {run.id}: {escape(run.name)}</h1>",
        f"<p class='muted'>dataset {escape(run.dataset)} · source {escape(run.source)} · "
        f"{run.questions} questions · judge {escape(run.judge)} · status {escape(run.status)} · "
        f"commit {escape(run.git_commit[:12] or 'unknown')} · started "
        f"{run.started_at:%Y-%m-%d %H:%M} UTC</p>",
        "<h2>Aggregates</h2>",
        _aggregates_table(run),
        _svg(_means_plot(run, baseline)),
        "<h2>Distributions</h2>",
        _svg(_distributions_plot(run)),
    ]
    if run.aggregates.get("by_kind"):
        parts += ["<h2>By kind</h2>", _kinds_table(run)]
    if comparisons is not None and baseline is not None:
        parts += [f"<h2>Against run {baseline.id}</h2>", _comparison_table(comparisons)]
    parts += ["<h2>Worst questions</h2>", *(_question(r) for r in worst(run.results))]
    parts += ["<h2>Configuration</h2>", f"<pre>{escape(_config_text(run))}</pre>"]
    return "".join(parts) + "</body></html>"


def _aggregates_table(run: Run) -> str:
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td class='num'>{_fmt(e['value'])}</td>"
        f"<td>{_fmt(e['low'])} – {_fmt(e['high'])}</td><td class='num'>{e['n']}</td></tr>"
        for name, e in run.aggregates.get("overall", {}).items()
    )
    return f"<table><tr><th>metric</th><th>value</th><th>95% CI</th><th>n</th></tr>{rows}</table>"


def _kinds_table(run: Run) -> str:
    kinds = run.aggregates["by_kind"]
    shown = [m for m in HEADLINE if any(m in agg for agg in kinds.values())]
    head = "".join(f"<th>{escape(m)}</th>" for m in shown)
    body = ""
    for kind, agg in kinds.items():
        cells = "".join(
            f"<td class='num'>{_fmt(agg[m]['value']) if m in agg else '–'}</td>" for m in shown
        )
        body += f"<tr><td>{escape(kind or '(none)')}</td>{cells}</tr>"
    return f"<table><tr><th>kind</th>{head}</tr>{body}</table>"


def _comparison_table(comparisons: list[Comparison]) -> str:
    head = "<tr><th>metric</th><th>n</th><th>before</th><th>after</th><th>change</th>"
    head += "<th>95% CI</th><th>p</th><th></th></tr>"
    body = ""
    for c in comparisons:
        flag = (
            "<span class='bad'>regression</span>"
            if c.regression
            else ("<span class='good'>improvement</span>" if c.improvement else "")
        )
        body += (
            f"<tr><td>{escape(c.metric)}</td><td class='num'>{c.n}</td>"
            f"<td class='num'>{_fmt(c.a)}</td><td class='num'>{_fmt(c.b)}</td>"
            f"<td class='num'>{_fmt(c.delta, signed=True)}</td>"
            f"<td>{_fmt(c.low, signed=True)} – {_fmt(c.high, signed=True)}</td>"
            f"<td class='num'>{c.p_value:.3f}</td><td>{flag}</td></tr>"
        )
    return f"<table>{head}{body}</table>"


def _question(r: QuestionResult) -> str:
    metrics = ", ".join(f"{k} {_fmt(v)}" for k, v in r.metrics.items() if v is not None)
    claims = "".join(
        f"<li class='{'good' if c.get('supported') else 'bad'}'>"
        f"{'✓' if c.get('supported') else '✗'} {escape(str(c.get('claim', '')))} "
        f"<span class='muted'>({_fmt(c.get('score'))}"
        f"{', ' + escape(c['source']['path']) if c.get('source') else ''}"
        f"{', ' + escape(c['reason']) if c.get('reason') else ''})</span></li>"
        for c in r.detail.get("claims", [])
    )
    gold = set(r.detail.get("gold_sources", []))
    sources = "".join(
        f"<li>[{p['n']}] {'<b>' if p['path'] in gold else ''}{escape(p['path'])}"
        f"{'</b>' if p['path'] in gold else ''} <span class='muted'>"
        f"{escape(' › '.join(p.get('section') or []))}</span></li>"
        for p in r.detail.get("retrieved", [])
    )
    judge = r.detail.get("judge", {})
    judge_note = (
        f"<p class='bad'>judge error, scored offline: {escape(judge.get('error', ''))}</p>"
        if judge.get("status") == "error"
        else ""
    )
    return (
        f"<div class='q'><h3>{escape(r.qid)} <span class='muted'>{escape(r.kind)}</span></h3>"
        f"<p><b>Q:</b> {escape(r.question)}</p><pre>{escape(r.answer)}</pre>"
        f"<p class='muted'>{escape(metrics)}</p>{judge_note}"
        f"<p>Claims:</p><ul>{claims or '<li>none</li>'}</ul>"
        f"<p>Retrieved (gold in bold: {escape(', '.join(sorted(gold)) or 'none')}):</p>"
        f"<ul>{sources or '<li>none</li>'}</ul></div>"
    )


def _config_text(run: Run) -> str:
    import json

    shown = {k: v for k, v in run.config.items() if k != "settings"}
    return json.dumps(shown, indent=2, default=str)


# -- plots -------------------------------------------------------------------------------
def _means_plot(run: Run, baseline: Run | None) -> Figure:
    overall = run.aggregates.get("overall", {})
    names = [m for m in HEADLINE if m in overall]
    fig = Figure(figsize=(10, 3.6))
    ax = fig.subplots()
    x = list(range(len(names)))
    values = [overall[m]["value"] for m in names]
    errors = [
        [v - overall[m]["low"] for m, v in zip(names, values, strict=True)],
        [overall[m]["high"] - v for m, v in zip(names, values, strict=True)],
    ]
    width = 0.4 if baseline else 0.7
    ax.bar(
        [i - (width / 2 if baseline else 0) for i in x],
        values,
        width,
        yerr=errors,
        capsize=3,
        label=f"run {run.id}",
        color="#4c72b0",
    )
    if baseline:
        before = baseline.aggregates.get("overall", {})
        ax.bar(
            [i + width / 2 for i in x],
            [before.get(m, {}).get("value", 0) for m in names],
            width,
            label=f"run {baseline.id}",
            color="#bbbbbb",
        )
        ax.legend()
    ax.set_xticks(x, names, rotation=35, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title("Means with 95% bootstrap intervals")
    fig.tight_layout()
    return fig


def _distributions_plot(run: Run) -> Figure:
    panels = ["faithfulness", "answer_relevancy", "context_recall", "latency_ms"]
    fig = Figure(figsize=(10, 2.6))
    for ax, name in zip(fig.subplots(1, len(panels)), panels, strict=True):
        values = [r.metrics[name] for r in run.results if r.metrics.get(name) is not None]
        bounds = None if name == "latency_ms" else (0.0, 1.0)
        ax.hist(values, bins=10, range=bounds, color="#4c72b0")
        ax.set_title(name, fontsize=9)
    fig.tight_layout()
    return fig


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _fmt(value: object, signed: bool = False) -> str:
    if value is None:
        return "–"
    number = float(value)  # type: ignore[arg-type]
    text = f"{number:+.3f}" if signed else f"{number:.3f}"
    return text if abs(number) < 1000 else f"{number:,.0f}"
