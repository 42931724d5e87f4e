"""Evals: how well Footnote answers its eval sets, run after run.

Runs come from ``footnote eval`` (they are stored in SQL); this page compares them: a
chart of each metric over runs, and one run's per-question table to see what failed.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import evals
from app import session, tables

svc = session.services()

st.title("Evals")
st.caption("Retrieval and answer quality of each eval run, and how it moves over time.")

runs = evals.list_runs(svc)
if not runs:
    st.info(
        "No eval runs yet. Run the sample eval set from a terminal:\n\n"
        "```\nfootnote eval data/evals/sample.jsonl\n```",
        icon=":material/fact_check:",
    )
    st.stop()


RUN_COLUMNS = ["run", "name", "dataset", "status", "judge", "commit", "started"]
overview = pd.DataFrame(
    [
        {
            "run": run.id,
            "name": run.name,
            "dataset": run.dataset.rsplit("/", 1)[-1],
            "status": run.status,
            "judge": run.judge,
            "commit": run.git_commit[:8],
            "started": run.started_at,
            **{name: run.metric(name) for name in run.aggregates.get("overall", {})},
        }
        for run in runs
    ]
)
metrics = [c for c in overview.columns if c not in RUN_COLUMNS]

st.subheader("Metrics over runs")
if metrics:
    chosen = st.multiselect("Metrics", metrics, default=metrics[: min(4, len(metrics))])
    if chosen:
        st.line_chart(overview.set_index("run").sort_index()[chosen])
else:
    st.caption("These runs recorded no numeric metrics.")

st.subheader("Runs")
st.dataframe(
    overview,
    hide_index=True,
    width="stretch",
    column_config={
        "started": st.column_config.DatetimeColumn("started", format="YYYY-MM-DD HH:mm"),
        **{m: st.column_config.NumberColumn(m, format="%.3f") for m in metrics},
    },
)

st.subheader("Per question")
run_id = st.selectbox(
    "Run",
    [run.id for run in runs],
    format_func=lambda i: next(f"#{r.id} · {r.name or r.dataset}" for r in runs if r.id == i),
    key="eval_run",
)
results = evals.load_run(int(run_id), svc).results
if not results:
    st.caption("This run has no per-question results.")
    st.stop()
table = pd.DataFrame(
    [
        {
            "qid": r.qid,
            "kind": r.kind,
            "question": r.question,
            "refused": r.refused,
            **r.metrics,
            "latency ms": round(r.latency_ms),
            "cost": r.cost_usd,
        }
        for r in results
    ]
)
picked = tables.pick_row(
    table, "eval_table", {"cost": st.column_config.NumberColumn("cost", format="$%.4f")}
)
if picked is not None:
    result = results[picked]
    st.markdown(f"**{result.question}**")
    st.markdown(result.answer or "_(no answer)_")
    with st.expander("Details: claims, retrieved sources, citations"):
        st.json(result.detail or {})
