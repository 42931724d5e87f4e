"""How one answer looks: text with footnote markers, a banner when it is extractive,
source cards, and a small line with tokens, cost and time.

Used for the answer being streamed and for answers reloaded from the conversation
history, so both look the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import streamlit as st
from sqlalchemy import select

from core.access import may_see
from core.db import Document
from core.services import Services
from core.settings import Settings
from retrieval.types import User

_MARKER = re.compile(r"\[(\d{1,3})\]")

BANNERS = {
    "extractive": (
        "**Quoted answer.** No language model is configured, so Footnote quotes the most "
        "relevant passages word for word. Set OPENAI_API_KEY (or OPENAI_BASE_URL) for "
        "written answers."
    ),
    "fallback": (
        "**The language model failed**, so the passages it would have used stand in for its answer."
    ),
}


def with_markers(text: str, numbers: Sequence[int]) -> str:
    """Turn each ``[n]`` that points at a citation into a badge matching its source card."""
    known = set(numbers)

    def badge(match: re.Match[str]) -> str:
        n = int(match.group(1))
        return f":blue-badge[{n}]" if n in known else match.group(0)

    return _MARKER.sub(badge, text)


def render_banner(meta: Mapping[str, Any]) -> None:
    """Say plainly when the answer is quoted rather than written, and any other notice."""
    mode = str(meta.get("mode", ""))
    notices = [str(n) for n in meta.get("notices") or []]
    if mode == "extractive":
        st.info(BANNERS["extractive"], icon=":material/format_quote:")
    elif mode == "fallback":
        st.warning(" ".join([BANNERS["fallback"], *notices]), icon=":material/warning:")
    else:
        for notice in notices:
            st.caption(f":material/info: {notice}")


def render_text(text: str, citations: Sequence[Mapping[str, Any]]) -> None:
    st.markdown(with_markers(text, [int(c["n"]) for c in citations]))


def render_sources(
    citations: Sequence[Mapping[str, Any]], services: Services, user: User, key: str
) -> None:
    """One expandable card per footnote: where it is, what it says, the file itself.

    A card whose document the person may no longer see (groups changed since the
    answer was given) says so instead of quoting it.
    """
    if not citations:
        return
    visible = _visible_documents(services, user, {str(c["doc_id"]) for c in citations})
    st.caption("Sources")
    for citation in citations:
        if str(citation["doc_id"]) not in visible:
            st.caption(f"[{citation['n']}] A source you no longer have access to.")
            continue
        with st.expander(f"**[{citation['n']}]** {citation['title'] or citation['path']}"):
            st.caption(_where(citation))
            status = str(citation.get("status") or "current")  # older answers have none
            if status != "current":
                st.caption(f":material/history: {status}")
            st.markdown(_quote(str(citation["quote"])))
            link = str(citation.get("link") or "")  # a web page's URL (older answers: none)
            if link.startswith(("http://", "https://")):
                st.link_button(
                    "Open the page",
                    link,
                    icon=":material/open_in_new:",
                    key=f"{key}-link-{citation['n']}",
                )
            elif (path := _file_for(citation, services.settings)) is not None:
                st.download_button(
                    f"Download {path.name}",
                    data=path.read_bytes,
                    file_name=path.name,
                    icon=":material/download:",
                    key=f"{key}-dl-{citation['n']}",
                    on_click="ignore",
                )


def usage_line(meta: Mapping[str, Any]) -> str:
    """``1,234 tokens · $0.0012 · 2.1 s · gpt-4o-mini``, or the extractive equivalent."""
    usage: Mapping[str, Any] = meta.get("usage") or {}
    if meta.get("mode") == "extractive" or not usage.get("model"):
        parts = ["Extractive answer", "no model cost"]
    else:
        tokens_in, tokens_out = (
            int(usage.get("input_tokens", 0)),
            int(usage.get("output_tokens", 0)),
        )
        parts = [
            f"{tokens_in + tokens_out:,} tokens ({tokens_in:,} in, {tokens_out:,} out)",
            f"${float(usage.get('cost_usd', 0)):.4f}",
            str(usage["model"]),
        ]
    if meta.get("latency_ms"):
        parts.append(f"{float(meta['latency_ms']) / 1000:.1f} s")
    return " · ".join(parts)


def _where(citation: Mapping[str, Any]) -> str:
    parts = [f":material/description: {citation['source']} / {citation['path']}"]
    if citation.get("section"):
        parts.append(" › ".join(citation["section"]))
    if citation.get("page"):
        parts.append(f"page {citation['page']}")
    return " · ".join(parts)


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.strip().splitlines())


def _visible_documents(services: Services, user: User, doc_ids: set[str]) -> set[str]:
    """The ids among ``doc_ids`` whose access groups include one of the user's."""
    with services.sessions() as session:
        rows = session.execute(
            select(Document.id, Document.groups).where(Document.id.in_(doc_ids))
        ).all()
    return {doc_id for doc_id, groups in rows if may_see(groups or (), user.groups)}


def _file_for(citation: Mapping[str, Any], settings: Settings) -> Path | None:
    """The cited file, when it is still inside its configured source folder."""
    source = settings.sources.get(str(citation["source"]))
    if source is None:
        return None
    root = source.path.resolve()
    path = (root / str(citation["path"])).resolve()
    if not path.is_file() or not path.is_relative_to(root):
        return None
    return path
