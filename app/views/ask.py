"""Ask: a chat with the company's documents, every claim footnoted to its source.

Conversations are kept per person in SQL (``retrieval.Conversations``); the sidebar lists
them. The answer streams in as it is written; once it is done the page reruns and shows
it from the conversation, with its sources, a banner when it is quoted rather than
written, its cost and time, and a thumbs up/down (as left, when reopened).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import streamlit as st

import retrieval
from app import answer_view, examples, session
from core.db import Feedback
from retrieval.types import Answer, Done, Event, Notice, Token

svc = session.services()
user = session.identity().user
assert user is not None  # the entry script stops before any page when nobody is signed in
chats = retrieval.Conversations(svc.sessions)

AVATARS = {"user": ":material/person:", "assistant": ":material/menu_book:"}
ACTIVE = "conversation_id"
PENDING = "pending_question"


# -- conversations in the sidebar ---------------------------------------------------------
def _open(conversation_id: str | None) -> None:
    st.session_state[ACTIVE] = conversation_id


def _rename(conversation_id: str) -> None:
    title = st.session_state.get(f"rename-{conversation_id}", "")
    chats.rename(user.id, conversation_id, title)


def _delete(conversation_id: str) -> None:
    chats.delete(user.id, conversation_id)
    st.session_state[ACTIVE] = None


mine = chats.of_user(user.id)
active: str | None = st.session_state.get(ACTIVE)
if active not in {c.id for c in mine}:
    active = None

with st.sidebar:
    st.button(
        "New conversation",
        icon=":material/add_comment:",
        on_click=_open,
        args=(None,),
        width="stretch",
    )
    if mine:
        st.caption("History")
    for conv in mine:
        st.button(
            conv.title,
            key=f"open-{conv.id}",
            on_click=_open,
            args=(conv.id,),
            type="secondary" if conv.id == active else "tertiary",
            width="stretch",
        )
    if active:
        with st.popover("Rename or delete", icon=":material/edit:", width="stretch"):
            title = next(c.title for c in mine if c.id == active)
            st.text_input("Title", value=title, key=f"rename-{active}")
            st.button("Rename", on_click=_rename, args=(active,), key="rename")
            st.button(
                "Delete conversation",
                on_click=_delete,
                args=(active,),
                icon=":material/delete:",
                key="delete",
            )


# -- one answer ---------------------------------------------------------------------------
def _save_feedback(message_id: int, answer_id: int | None) -> None:
    """Saved on the thumb and again with a comment: the latest rating of an answer counts."""
    rating = st.session_state.get(f"fb-{message_id}")
    if rating is None:
        return
    chats.feedback(
        user.id,
        1 if rating == 1 else -1,
        st.session_state.get(f"fb-comment-{message_id}", "").strip(),
        answer_id=answer_id,
        message_id=message_id,
    )
    st.toast("Thanks, your feedback is saved.", icon=":material/check:")


def _show_answer(message: Any, given: Feedback | None) -> None:
    """``given``: this person's standing feedback on the message, shown as it was left."""
    meta = message.meta or {}
    answer_view.render_banner(meta)
    answer_view.render_text(message.content, message.citations)
    answer_view.render_sources(message.citations, svc, user, key=f"m{message.id}")
    left, right = st.columns([5, 1], vertical_alignment="center")
    left.caption(answer_view.usage_line(meta))
    with right:
        st.feedback(
            "thumbs",
            key=f"fb-{message.id}",
            default=None if given is None else int(given.rating > 0),
            on_change=_save_feedback,
            args=(message.id, meta.get("answer_id")),
        )
    if st.session_state.get(f"fb-{message.id}") is not None:
        with st.form(f"fb-form-{message.id}", border=False):
            st.text_input(
                "Anything to add? (optional)",
                value=given.comment if given else "",
                key=f"fb-comment-{message.id}",
                placeholder="What was missing, wrong or helpful?",
            )
            st.form_submit_button(
                "Send feedback",
                on_click=_save_feedback,
                args=(message.id, meta.get("answer_id")),
            )


class _Stream:
    """Splits the event stream for ``st.write_stream``: text here, the rest kept aside.

    A ``fallback`` notice voids the text streamed before it (the model failed mid-way),
    so each segment stops there and the page starts a fresh one.
    """

    def __init__(self, events: Iterator[Event]) -> None:
        self._events = events
        self.answer: Answer | None = None
        self.restarted = False

    def segment(self) -> Iterator[str]:
        self.restarted = False
        for event in self._events:
            if isinstance(event, Token):
                yield event.text
            elif isinstance(event, Notice) and event.kind == "fallback":
                self.restarted = True
                return
            elif isinstance(event, Done):
                self.answer = event.answer


def _ask(question: str, conversation_id: str | None) -> None:
    if conversation_id is None:
        conversation_id = chats.create(user.id, title=question[:80]).id
        st.session_state[ACTIVE] = conversation_id
    history = chats.history(user.id, conversation_id)
    chats.add_message(user.id, conversation_id, "user", question)
    with st.chat_message("user", avatar=AVATARS["user"]):
        st.markdown(question)
    with st.chat_message("assistant", avatar=AVATARS["assistant"]):
        stream = _Stream(
            retrieval.answer(question, user, history, services=svc, conversation_id=conversation_id)
        )
        box = st.empty()
        box.write_stream(stream.segment())
        while stream.restarted:
            box.write_stream(stream.segment())
    if stream.answer is not None:
        chats.add_answer(user.id, conversation_id, stream.answer)
    st.rerun()  # show the stored answer with its sources, cost and feedback


def _pick_example() -> None:
    st.session_state[PENDING] = st.session_state.pop("example", None)


# -- the page -----------------------------------------------------------------------------
st.title("Ask")
messages = chats.messages(user.id, active) if active else []
given = chats.ratings(user.id, active) if active else {}
if not messages:
    st.markdown(
        "Ask anything about the company's documents. Every answer cites its sources with "
        "footnotes, so you can check exactly where it came from."
    )
    choices = examples.for_user(user)
    if choices:
        st.caption("Try one of these")
        st.pills(
            "Examples",
            choices,
            label_visibility="collapsed",
            key="example",
            on_change=_pick_example,
        )

for message in messages:
    with st.chat_message(message.role, avatar=AVATARS.get(message.role)):
        if message.role == "assistant":
            _show_answer(message, given.get(message.id))
        else:
            st.markdown(message.content)

question = st.chat_input("Ask a question about your documents")
if question := question or st.session_state.pop(PENDING, None):
    _ask(question, active)
