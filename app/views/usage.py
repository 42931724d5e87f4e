"""Usage: how much Footnote is asked, what it costs, how fast it is, where it fails.

The unanswered questions are a knowledge manager's to-do list: each one is a document
the company does not have yet (or that people cannot find).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import streamlit as st

from app import reads, session
from core.db import utcnow

st.title("Usage")
st.caption("Questions, cost, speed and feedback across everyone who asks.")

days = st.segmented_control(
    "Period", [7, 30, 90, 365], default=30, format_func=lambda d: f"{d} days", key="usage_days"
)
since: datetime = utcnow() - timedelta(days=days or 30)
sessions = session.services().sessions
answers = reads.answers(sessions, since)
calls = reads.llm_calls(sessions, since)
ratings = reads.feedback(sessions, since)

if answers.empty:
    st.info(
        "No questions asked in this period yet. Once people use **Ask**, their questions, "
        "cost and feedback show up here.",
        icon=":material/monitoring:",
    )
    st.stop()

answers["day"] = pd.to_datetime(answers["at"]).dt.date
latency = answers["latency_ms"]
up = int((ratings["rating"] > 0).sum()) if not ratings.empty else 0
down = int((ratings["rating"] < 0).sum()) if not ratings.empty else 0

cols = st.columns(5)
cols[0].metric("Questions", len(answers))
cols[1].metric("Unanswered", f"{answers['refused'].mean():.0%}")
cols[2].metric("Latency p50", f"{latency.quantile(0.5) / 1000:.1f} s")
cols[3].metric("Cost", f"${calls['cost_usd'].sum() if not calls.empty else 0:.2f}")
cols[4].metric("Rated helpful", f"{up} of {up + down}" if up + down else "–")

left, right = st.columns(2)
with left:
    st.subheader("Questions per day")
    per_day = answers.groupby("day").agg(questions=("id", "count"), unanswered=("refused", "sum"))
    st.bar_chart(per_day, stack=False)
with right:
    st.subheader("Latency")
    quantiles = {f"p{int(q * 100)}": latency.quantile(q) / 1000 for q in (0.5, 0.9, 0.99)}
    st.dataframe(
        pd.DataFrame([quantiles]),
        hide_index=True,
        column_config={k: st.column_config.NumberColumn(k, format="%.2f s") for k in quantiles},
    )
    by_mode = answers.groupby("mode").agg(answers=("id", "count"))
    st.caption(
        "Answers by mode (llm: generated · extractive: no model configured · "
        "fallback: the model failed and the extract stood in)"
    )
    st.dataframe(by_mode, width="stretch")

st.subheader("Tokens and cost per day")
if calls.empty:
    st.caption("No language-model calls in this period: answers were extractive, at no cost.")
else:
    calls["day"] = pd.to_datetime(calls["at"]).dt.date
    calls["tokens"] = calls["input_tokens"] + calls["output_tokens"]
    tokens_tab, cost_tab, model_tab = st.tabs(["Tokens", "Cost", "Per model"])
    tokens_tab.bar_chart(calls.pivot_table("tokens", "day", "model", aggfunc="sum"))
    cost_tab.bar_chart(calls.pivot_table("cost_usd", "day", "model", aggfunc="sum"))
    model_tab.dataframe(
        calls.groupby("model").agg(
            calls=("ok", "count"),
            failed=("ok", lambda ok: int((~ok.astype(bool)).sum())),
            input_tokens=("input_tokens", "sum"),
            output_tokens=("output_tokens", "sum"),
            cost_usd=("cost_usd", "sum"),
        ),
        column_config={"cost_usd": st.column_config.NumberColumn("cost", format="$%.4f")},
        width="stretch",
    )

st.subheader("Unanswered questions")
st.caption("Questions Footnote could not answer from the documents: what to write or ingest next.")
refused = answers[answers["refused"].astype(bool)]
if refused.empty:
    st.caption("None in this period.")
else:
    todo = (
        refused.assign(key=refused["question"].str.strip().str.lower())
        .groupby("key")
        .agg(question=("question", "first"), asked=("id", "count"), last_asked=("at", "max"))
        .sort_values(["asked", "last_asked"], ascending=False)
    )
    st.dataframe(todo, hide_index=True, width="stretch")

st.subheader("Feedback")
if ratings.empty:
    st.caption("No ratings yet. People rate answers with the thumbs under each answer.")
else:
    ratings["rating"] = ratings["rating"].map({1: "helpful", -1: "not helpful"})
    st.dataframe(
        ratings[["at", "user_id", "rating", "comment", "question"]],
        hide_index=True,
        width="stretch",
    )
