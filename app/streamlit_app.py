"""Footnote's Streamlit app: the entry script that ``footnote app`` serves.

It decides who is asking (``app.session.identity``), lists only the pages that person may
open (the admin pages are not even shown to others), and starts the background runner
for ingestion jobs. Each page is a script in ``app/views`` (not ``pages``: Streamlit would
serve a folder of that name page by page, around this script and its sign-in).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import core  # noqa: F401  (offline environment before heavy imports)
from app import session

VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(
    page_title="Footnote",
    page_icon=":material/menu_book:",
    layout="wide",
    initial_sidebar_state="expanded",
)
st.logo(str(Path(__file__).resolve().parent / "static" / "logo.svg"), size="large")

who = session.identity()

if who.user is None:
    st.title("Footnote")
    st.info(who.problem, icon=":material/lock:")
    if who.mode == "oidc":
        st.button("Sign in", type="primary", on_click=st.login)
    st.stop()

session.start_job_runner()

ask = st.Page(VIEWS / "ask.py", title="Ask", icon=":material/forum:", default=True)
admin = [
    st.Page(VIEWS / "library.py", title="Library", icon=":material/library_books:"),
    st.Page(VIEWS / "ingestion.py", title="Ingestion", icon=":material/upload_file:"),
    st.Page(VIEWS / "evals.py", title="Evals", icon=":material/fact_check:"),
    st.Page(VIEWS / "usage.py", title="Usage", icon=":material/monitoring:"),
]
page = st.navigation({"": [ask], "Manage": admin} if who.is_admin else [ask])

with st.sidebar:
    mode = {"oidc": "signed in", "header": "signed in via proxy", "local": "local mode"}[who.mode]
    st.caption(f":material/person: **{who.user.name}** · {mode}")
    st.caption("Groups: " + ", ".join(who.user.groups))
    if who.mode == "oidc":
        st.button("Sign out", on_click=st.logout, type="tertiary")

page.run()
