"""A generated corpus for the scale benchmarks: made-up words, titled sections, groups.

``benchmarks.ingest --generate`` writes it as text files (its parser needs no NLP, so
the run measures the pipeline, not unstructured); ``benchmarks.search`` indexes the
same texts directly. Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

SECTIONS_PER_FILE = 50
GROUPS = 10
_WORDS_PER_SECTION = 45
_VOCABULARY = 5000


def generated_files(chunks: int, seed: int = 7) -> Iterator[tuple[str, list[str]]]:
    """The access group and section texts of each file of a ``chunks``-chunk corpus:
    ``SECTIONS_PER_FILE`` sections a file of 45 words drawn from a fixed vocabulary of
    5,000 made-up words; file n is in group ``team-{n % GROUPS}``."""
    words = random.Random(seed)
    vocabulary = [_word(words) for _ in range(_VOCABULARY)]
    for n in range(max(1, chunks // SECTIONS_PER_FILE)):
        yield (
            f"team-{n % GROUPS}",
            [
                " ".join(words.choices(vocabulary, k=_WORDS_PER_SECTION)).capitalize() + "."
                for _ in range(SECTIONS_PER_FILE)
            ],
        )


def _word(rng: random.Random) -> str:
    return "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 9)))
