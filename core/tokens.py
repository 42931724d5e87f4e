"""Token counting with tiktoken, offline.

The encodings come from llama-index-core's bundled cache (``core._env`` points
``TIKTOKEN_CACHE_DIR`` at it); nothing is downloaded. Document text is encoded with
``disallowed_special=()`` so a page that happens to contain ``<|endoftext|>`` is text.
"""

from __future__ import annotations

from functools import lru_cache

import tiktoken

import core  # noqa: F401  (sets TIKTOKEN_CACHE_DIR before the first get_encoding)

_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-5", "o1", "o3", "o4", "chatgpt-4o")


def encoding_name(model: str | None) -> str:
    """o200k_base for the gpt-4o family and newer, cl100k_base for everything else."""
    name = (model or "").lower().rsplit("/", 1)[-1]
    return "o200k_base" if name.startswith(_O200K_PREFIXES) else "cl100k_base"


@lru_cache(maxsize=4)
def get_encoding(name: str = "cl100k_base") -> tiktoken.Encoding:
    return tiktoken.get_encoding(name)


def encoding_for(model: str | None) -> tiktoken.Encoding:
    return get_encoding(encoding_name(model))


def count_tokens(text: str, model: str | None = None) -> int:
    return len(encoding_for(model).encode(text, disallowed_special=()))


def truncate_tokens(text: str, max_tokens: int, model: str | None = None) -> str:
    """The longest prefix of ``text`` within ``max_tokens`` (token boundary)."""
    enc = encoding_for(model)
    ids = enc.encode(text, disallowed_special=())
    return text if len(ids) <= max_tokens else enc.decode(ids[:max_tokens])
