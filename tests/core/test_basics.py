"""Settings, token counting and the embedders (the real model where it matters)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.embeddings import HashEmbedder, make_embedder
from core.settings import Settings
from core.tokens import count_tokens, encoding_name, truncate_tokens
from tests.conftest import make_settings


def test_settings_hide_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:pw@db/footnote")
    settings = Settings(data_dir=tmp_path)
    assert "sk-secret" not in repr(settings) and "sk-secret" not in str(settings.snapshot())
    assert "pw" not in settings.snapshot()["database_url"]  # type: ignore[operator]


def test_sources_resolve_relative_to_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "footnote.toml"
    config.write_text('[sources.docs]\npath = "folder"\n')
    monkeypatch.setenv("FOOTNOTE_CONFIG", str(config))
    assert Settings().sources["docs"].path == (tmp_path / "folder").resolve()


def test_tokens_offline() -> None:
    assert count_tokens("hello world") == 2
    assert count_tokens("<|endoftext|>") > 1  # special tokens are text
    assert encoding_name("gpt-4o-mini") == "o200k_base"
    assert count_tokens(truncate_tokens("one two three four", 2)) == 2


def test_hash_embedder_is_deterministic_and_normalised() -> None:
    emb = HashEmbedder()
    a, b = emb.embed(["leave policy", "leave policy"])
    assert np.allclose(a, b) and np.linalg.norm(a) == pytest.approx(1.0)


@pytest.mark.slow
def test_local_embedder_window_and_vectors(tmp_path: Path) -> None:
    emb = make_embedder(make_settings(tmp_path, embedder="local"))
    vectors = emb.embed(["annual leave", "holiday allowance", "gpu kernels"])
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert emb.max_input_tokens == 256
    assert emb.count_input_tokens("hello") == 3  # [CLS] hello [SEP]


@pytest.mark.slow
def test_local_embedder_batches_by_wordpieces_with_the_same_vectors(tmp_path: Path) -> None:
    """Texts are batched by the wordpieces the model reads (not by characters), and a
    text's vector does not depend on the batch it was embedded in."""
    emb = make_embedder(make_settings(tmp_path, embedder="local"))
    emb.batch_size = 2  # type: ignore[attr-defined]
    many_short_words = "a b c d e f g h i j"  # 12 wordpieces in 19 characters
    texts = ["Unquestionably.", many_short_words, "leave", "Pay day is the 25th.", "ok"]
    batches = emb.batches(texts)  # type: ignore[attr-defined]
    assert [len(b) for b in batches] == [2, 2, 1]
    order = [i for batch in batches for i in batch]
    assert order[0] == 1  # the fewest characters but the most wordpieces
    counts = [min(emb.count_input_tokens(texts[i]), 256) for i in order]
    assert counts == sorted(counts, reverse=True)
    together = emb.embed(texts)
    alone = np.stack([emb.embed([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-5)
