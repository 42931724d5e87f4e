"""Usage: how much Footnote is asked, what it costs, how fast it is, where it fails.

The unanswered questions are a knowledge manager's to-do list: each one is a document
the company does not have yet (or that people cannot find).
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from app import session
from core.db import utcnow
from retrieval import usage_report

st.title("Usage")
st.caption("Questions, cost, speed and feedback across everyone who asks.")

days = st.segmented_control(
    "Period", [7, 30, 90, 365], default=30, format_func=lambda d: f"{d} days", key="usage_days"
)
report = usage_report(session.services().sessions, utcnow() - timedelta(days=days or 30))

if not report.questions:
    st.info(
        "No questions asked in this period yet. Once people use **Ask**, their questions, "
        "cost and feedback show up here.",
        icon=":material/monitoring:",
    )
    st.stop()

rated = report.helpful + report.not_helpful
cols = st.columns(5)
cols[0].metric("Questions", report.questions)
cols[1].metric("Unanswered", f"{report.unanswered_share:.0%}")
cols[2].metric("Latency p50", f"{report.latency_s['p50']:.1f} s")
cols[3].metric("Cost", f"${report.cost_usd:.2f}")
cols[4].metric("Rated helpful", f"{report.helpful} of {rated}" if rated else "–")

left, right = st.columns(2)
with left:
    st.subheader("Questions per day")
    st.bar_chart(report.per_day, stack=False)
with right:
    st.subheader("Latency")
    st.dataframe(
        [report.latency_s],
        hide_index=True,
        column_config={
            k: st.column_config.NumberColumn(k, format="%.2f s") for k in report.latency_s
        },
    )
    st.caption(
        "Answers by mode (llm: generated · extractive: no model configured · "
        "fallback: the model failed and the extract stood in)"
    )
    st.dataframe(report.by_mode, width="stretch")

st.subheader("Tokens and cost per day")
if report.per_model.empty:
    st.caption("No language-model calls in this period: answers were extractive, at no cost.")
else:
    tokens_tab, cost_tab, model_tab = st.tabs(["Tokens", "Cost", "Per model"])
    tokens_tab.bar_chart(report.tokens_per_day)
    cost_tab.bar_chart(report.cost_per_day)
    model_tab.dataframe(
        report.per_model,
        column_config={"cost_usd": st.column_config.NumberColumn("cost", format="$%.4f")},
        width="stretch",
    )

st.subheader("Unanswered questions")
st.caption("Questions Footnote could not answer from the documents: what to write or ingest next.")
if report.unanswered.empty:
    st.caption("None in this period.")
else:
    st.dataframe(report.unanswered, hide_index=True, width="stretch")

st.subheader("Feedback")
if report.feedback.empty:
    st.caption("No ratings yet. People rate answers with the thumbs under each answer.")
else:
    st.dataframe(
        report.feedback.assign(
            rating=report.feedback["rating"].map({1: "helpful", -1: "not helpful"})
        ),
        hide_index=True,
        width="stretch",
    )
