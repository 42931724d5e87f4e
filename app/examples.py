"""Example questions for an empty chat, taken from the sample eval set.

A newcomer who does not know what is in the library can click one and see a footnoted
answer at once. Only stand-alone questions the corpus answers are offered, and only
those whose eval asker (``user_groups``) has no group the person lacks.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.access import asker_groups
from core.settings import PROJECT_ROOT
from retrieval.types import User

SAMPLE_EVALS = PROJECT_ROOT / "data" / "evals" / "sample.jsonl"
HOW_MANY = 4


def for_user(user: User, path: Path = SAMPLE_EVALS) -> list[str]:
    """Up to ``HOW_MANY`` answerable questions from ``path`` that ``user`` may ask."""
    if not path.is_file():
        return []
    picked: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        if item.get("answerable", True) is False or item.get("history"):
            continue
        needs = set(asker_groups(item.get("user_groups") or ()))
        if needs <= set(asker_groups(user.groups)) and item.get("question"):
            picked.append(str(item["question"]))
        if len(picked) == HOW_MANY:
            break
    return picked
