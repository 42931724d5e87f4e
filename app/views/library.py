"""Library: what is indexed, from which source, for whom, and what failed to parse.

Even here a person sees only documents of their own groups: being an admin lets you run
the library, not read every group's papers. A document with passages that read as
instructions to a reader or a model (flagged at ingest; answers never quote them) shows
how many in the "flagged" column, with the passages on its detail, for review.

Versions: each document's standing (current, superseded by X (date), proposed) is a
column; below the table a knowledge manager confirms or rejects proposed links, sets one,
and sees what is due a review (``retrieval.lineage``, which audits every change).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ingest
from app import session, tables
from retrieval import lineage

svc = session.services()
user = session.identity().user
assert user is not None

st.title("Library")
st.caption("Every document Footnote can quote, per source, with who may see it.")

mine = ingest.list_documents(svc, user_groups=user.groups)
versions = lineage.statuses(svc, user.groups)
hidden = len(ingest.list_documents(svc)) - len(mine)

if not mine and not hidden:
    st.info(
        "Nothing is indexed yet. Run a source on the **Ingestion** page, or from a terminal: "
        "`footnote ingest sample`.",
        icon=":material/library_books:",
    )
    st.stop()

sources = sorted({d.source for d in mine})
cols = st.columns(5)
cols[0].metric("Documents", len(mine))
cols[1].metric("Chunks", sum(d.chunk_count for d in mine))
cols[2].metric("Failed", sum(d.status == "failed" for d in mine))
cols[3].metric("Flagged", sum(d.flagged > 0 for d in mine))
cols[4].metric("Sources", len(sources))
if hidden:
    st.caption(f":material/lock: {hidden} documents of groups you are not in are not listed.")

left, mid, right = st.columns([3, 2, 2])
query = left.text_input("Search by title", placeholder="e.g. expenses", key="lib_query")
picked_sources = mid.multiselect("Source", sources, key="lib_sources")
statuses = right.multiselect("Status", ["indexed", "failed", "pending"], key="lib_status")

shown = [
    d
    for d in mine
    if (not query or query.lower() in (d.title or d.path).lower())
    and (not picked_sources or d.source in picked_sources)
    and (not statuses or d.status in statuses)
]
table = pd.DataFrame(
    [
        {
            "title": d.title or d.path,
            "source": d.source,
            "path": d.path,
            "status": d.status,
            "version": versions.get(d.id, "current"),
            "groups": list(d.groups),
            "chunks": d.chunk_count,
            "flagged": d.flagged,
            "last ingested": d.indexed_at,
            "error": d.error or "",
        }
        for d in shown
    ],
    columns=[
        "title",
        "source",
        "path",
        "status",
        "version",
        "groups",
        "chunks",
        "flagged",
        "last ingested",
        "error",
    ],
)
picked = tables.pick_row(
    table,
    "lib_table",
    {
        "groups": st.column_config.ListColumn("groups"),
        "last ingested": st.column_config.DatetimeColumn(
            "last ingested", format="YYYY-MM-DD HH:mm"
        ),
        "flagged": st.column_config.NumberColumn(
            "flagged", help="Passages that read as instructions to a reader or a model"
        ),
        "error": st.column_config.TextColumn("error", width="medium"),
    },
)
st.caption(f"{len(shown)} of {len(mine)} documents. Select a row to read its chunks.")

if picked is not None:
    document = shown[picked]
    st.subheader(document.title or document.path)
    st.caption(
        f"{document.source} / {document.path} · {document.parser or 'parser unknown'} · "
        f"groups: {', '.join(document.groups)}"
    )
    if document.error:
        st.error(document.error, icon=":material/error:")
    if document.flagged:
        st.warning(
            f"{document.flagged} passage(s) read as instructions to a reader or a model; "
            "answers never quote them. Review the document with its owner:",
            icon=":material/flag:",
        )
        st.text("\n\n".join(document.flagged_excerpts))  # as text: never rendered as Markdown
    for chunk in ingest.document_chunks(svc, document.id):
        where = chunk.section or "(no section)"
        page = f" · page {chunk.page}" if chunk.page else ""
        with st.expander(f"#{chunk.ordinal + 1} · {where}{page}"):
            st.caption(f"{chunk.token_count} tokens")
            st.text(chunk.text)


# -- versions -------------------------------------------------------------------------------
st.subheader("Versions")
st.caption(
    "Which document supersedes which. Answers leave a superseded version out, except for "
    "questions about a date when it was in force. Proposals come from matching titles or "
    "file names: confirm or reject them."
)
links = lineage.links_for(svc, user.groups)
if links:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "id": lk.id,
                    "newer": lk.newer_title,
                    "supersedes": lk.older_title,
                    "from": lk.effective_at,
                    "origin": lk.origin,
                    "status": lk.status,
                    "evidence": lk.evidence,
                }
                for lk in links
            ]
        ),
        hide_index=True,
        column_config={"from": st.column_config.DateColumn("from")},
        key="lineage_table",
    )
for lk in (lk for lk in links if lk.status == "proposed"):
    with st.container(border=True, key=f"proposal-{lk.id}"):
        st.text(f"Proposed: {lk.newer_title} supersedes {lk.older_title} ({lk.evidence})")
        yes, no = st.columns(2)
        verdict = "confirmed" if yes.button("Confirm", key=f"confirm-{lk.id}") else None
        verdict = "rejected" if no.button("Reject", key=f"reject-{lk.id}") else verdict
        if verdict:
            lineage.decide(svc, lk.id, verdict, user.id, user.groups)
            st.toast(f"Link {lk.id} {verdict}.")
            st.rerun()

indexed = {
    d.id: f"{d.title or d.path} ({d.source}/{d.path})" for d in mine if d.status == "indexed"
}
with st.form("set_link", border=True):
    st.markdown("**Set a link**")
    left, right = st.columns(2)
    newer_id = left.selectbox("Newer document", list(indexed), format_func=indexed.__getitem__)
    older_id = right.selectbox("Supersedes", list(indexed), format_func=indexed.__getitem__)
    if st.form_submit_button("Save link") and newer_id and older_id:
        try:
            lineage.set_link(svc, newer_id, older_id, user.id, user.groups)
        except lineage.LineageError as exc:
            st.error(str(exc))
        else:
            st.rerun()

st.subheader("Due for review")
due = lineage.stale(svc, user.groups)
st.caption(
    f"Documents not reviewed for {svc.settings.stale_after_months} months "
    "(FOOTNOTE_STALE_AFTER_MONTHS) and documents with an unconfirmed proposal."
)
if due:
    st.dataframe(
        pd.DataFrame(
            [{"title": s.title, "path": s.path, "reviewed": s.reviewed, "why": s.why} for s in due]
        ),
        hide_index=True,
        column_config={"reviewed": st.column_config.DateColumn("reviewed")},
        key="stale_table",
    )
else:
    st.caption("Nothing is due.")
