"""The parse worker's task: chunks, the document's groups, and the answerer's texts listed
under the ids the writer gives the chunks."""

from __future__ import annotations

from pathlib import Path

from core.embeddings.base import InputWindow
from core.embeddings.local import LocalEmbedder
from core.tokens import count_tokens
from ingest.chunking import Limits
from ingest.ids import chunk_ids, document_id
from ingest.prepare import _parse_and_chunk
from retrieval.warm import ChunkText, answer_texts

_PAGE = """---
groups: [hr]
---
# Leave

Everyone gets 28 days of annual leave a year. Unused days carry over until March.

## Booking

Ask your manager first. The password is hunter2secret, do not share it.

- Open the people portal.
- Pick the dates.
"""


def _limits(embedder: LocalEmbedder) -> Limits:
    return Limits(
        target_tokens=30,
        count_tokens=count_tokens,
        count_window=embedder.input_token_counter(),
        max_window=256,
    )


def test_the_worker_lists_the_answer_texts_the_writer_would(tmp_path: Path) -> None:
    path = tmp_path / "leave.md"
    path.write_text(_PAGE, encoding="utf-8")
    embedder = LocalEmbedder()
    doc_id = document_id("docs", "leave.md")
    chunked = _parse_and_chunk(
        path, _limits(embedder), ("all",), (doc_id, InputWindow.of(embedder))
    )
    assert chunked.groups == ("hr",)  # front matter wins over the folder's groups
    assert len(chunked.drafts) > 1 and chunked.answers is not None
    ids, _ = chunk_ids(doc_id, (d.embed_text for d in chunked.drafts))
    chunks = [
        ChunkText(i, tuple(d.section), d.text) for i, d in zip(ids, chunked.drafts, strict=True)
    ]
    expected = answer_texts(embedder, [(["hr"], chunks)])
    assert list(chunked.answers.inputs.items()) == list(expected.inputs.items())
    assert chunked.answers.owners == expected.owners
    assert chunked.answers.chunk_ids == ids


def test_without_a_store_nothing_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "leave.md"
    path.write_text(_PAGE.split("---\n", 2)[2], encoding="utf-8")
    chunked = _parse_and_chunk(path, _limits(LocalEmbedder()), ("all",), None)
    assert chunked.answers is None and chunked.groups == ("all",)
