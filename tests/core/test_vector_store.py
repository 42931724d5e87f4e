"""The sentence-vector store: round trip, one file per model, several processes, pruning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import core.vector_store as vector_store
from core.embeddings import HashEmbedder
from core.vector_store import VectorStore, model_input, model_key, text_key

_ROOT = Path(__file__).resolve().parents[2]
"""The repository, where a child process imports ``tests`` from."""


def _vectors(embedder: HashEmbedder, texts: list[str]) -> dict[bytes, np.ndarray]:
    return {text_key(embedder, t): v for t, v in zip(texts, embedder.embed(texts), strict=True)}


def test_round_trip_keeps_float32_vectors(tmp_path: Path) -> None:
    embedder = HashEmbedder()
    store = VectorStore.for_embedder(tmp_path, embedder)
    written = _vectors(embedder, ["Leave is 25 days.", "Claims go to finance."])
    store.put(written, [("chunk-1", k, False) for k in written])
    again = VectorStore.for_embedder(tmp_path, embedder)  # a fresh connection
    read = again.get([*written, b"absent"])
    assert read.keys() == written.keys()
    for key, vector in written.items():
        assert read[key].dtype == np.float32
        assert np.array_equal(read[key], vector)
    assert again.missing([*written, b"absent"]) == {b"absent"}


def test_a_model_never_reads_another_models_vectors(tmp_path: Path) -> None:
    small, large = HashEmbedder(dim=8), HashEmbedder(dim=16)
    assert model_key(small) != model_key(large)
    VectorStore.for_embedder(tmp_path, small).put(_vectors(small, ["same text"]))
    other = VectorStore.for_embedder(tmp_path, large)
    assert other.path != VectorStore.for_embedder(tmp_path, small).path
    assert other.get([text_key(large, "same text")]) == {}
    # A file of the wrong dimension (renamed by hand) is read as empty, not misread.
    wrong = VectorStore(VectorStore.for_embedder(tmp_path, small).path, large.dim)
    assert wrong.get([text_key(large, "same text")]) == {}


def _write_many(path: str, worker: int) -> None:
    embedder = HashEmbedder(dim=8)
    store = VectorStore(Path(path), 8)
    for batch in range(20):
        texts = [f"text {worker} {batch} {i}" for i in range(10)] + ["shared text"]
        vectors = _vectors(embedder, texts)
        store.put(vectors, [(f"c{worker}-{batch}", k, False) for k in vectors])
        assert store.get(vectors).keys() == vectors.keys()
    store.close()


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    """Two writer processes at once (started afresh with ``-c``: a ``spawn`` child would
    re-run whatever ``__main__`` an earlier test left behind, such as the Streamlit app)."""
    path = tmp_path / "vectors" / "hash-8.sqlite"
    code = "import sys; from tests.core.test_vector_store import _write_many; "
    code += "_write_many(sys.argv[1], int(sys.argv[2]))"
    workers = [
        subprocess.Popen([sys.executable, "-c", code, str(path), str(w)], cwd=_ROOT) for w in (1, 2)
    ]
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    assert VectorStore(path, 8).count() == 2 * 20 * 10 + 1


def test_prune_forgets_what_only_deleted_chunks_owned(tmp_path: Path) -> None:
    embedder = HashEmbedder(dim=8)
    store = VectorStore.for_embedder(tmp_path, embedder)
    a, b, shared, seam = (text_key(embedder, t) for t in ("a only", "b only", "both", "a+b"))
    vectors = _vectors(embedder, ["a only", "b only", "both", "a+b"])
    owners = [("a", a, False), ("b", b, False), ("a", shared, False), ("b", shared, False)]
    owners += [("a", seam, True), ("b", seam, True)]
    store.put(vectors, owners)
    store.prune(["b"])
    # b's own text and the text joined across a and b go; a's and the shared one stay.
    assert store.get(vectors).keys() == {a, shared}
    store.prune(["a"])
    assert store.count() == 0


def test_loose_vectors_are_kept_up_to_their_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vector_store, "LOOSE_LIMIT", 5)
    monkeypatch.setattr(vector_store, "_TRIM_EVERY", 1)
    embedder = HashEmbedder(dim=8)
    store = VectorStore.for_embedder(tmp_path, embedder)
    owned = _vectors(embedder, ["owned text"])
    store.put(owned, [("c", k, False) for k in owned])
    for i in range(12):
        store.put(_vectors(embedder, [f"question {i}"]))
    assert store.count() == 1 + 5
    newest = text_key(embedder, "question 11")
    assert newest in store.get([newest])
    assert store.get(owned).keys() == owned.keys()  # owned vectors are never trimmed


class _Windowed(HashEmbedder):
    """Reads only its first 6 tokens (words, plus two markers, as MiniLM counts)."""

    max_input_tokens = 6

    def count_input_tokens(self, text: str) -> int:
        return len(text.split()) + 2


def test_texts_the_model_reads_alike_share_a_key() -> None:
    embedder = _Windowed()
    assert model_input(embedder, "one two") == "one two"
    long = "one two three four five six seven"
    assert model_input(embedder, long) == "one two three four"
    assert text_key(embedder, long) == text_key(embedder, "one two three four\nnine ten")
    assert text_key(embedder, long) != text_key(embedder, "one two three for five")
