"""Eval datasets: JSONL, one question a line.

Fields: ``id``, ``question``; optional ``reference`` (a model answer), ``sources``
(paths of the documents that hold the answer, relative to the ingested source, as in
the index payload's ``path``), ``must_include`` (phrases a correct answer contains),
``forbidden`` (phrases that must never appear: restricted facts for outsiders),
``answerable`` (default true), ``user_groups`` (who asks; default: the configured
default user), ``kind`` (a label for per-kind breakdowns) and ``history`` (earlier
turns, ``[{"role": "user"|"assistant", "content": "..."}]``). Other keys are kept in
``extra`` and otherwise ignored.

Sets written by others use other names for the same things, read as ours: ``gold_files``
for ``sources``, ``answer`` for ``reference``, and ``kind: "unanswerable"`` (without an
``answerable`` key) for ``answerable: false`` — the handbook QA sets in
``../shared/datasets`` are read as they are.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.types import Turn

_KNOWN = {
    "id",
    "question",
    "reference",
    "sources",
    "must_include",
    "forbidden",
    "answerable",
    "user_groups",
    "kind",
    "history",
    "gold_files",
    "answer",
}
_UNANSWERABLE_KIND = "unanswerable"


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    reference: str | None = None
    sources: tuple[str, ...] = ()
    must_include: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    answerable: bool = True
    user_groups: tuple[str, ...] | None = None
    kind: str = ""
    history: tuple[Turn, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


class DatasetError(ValueError):
    """A dataset line that cannot be used; the message names the file, line and fix."""


def load_dataset(path: Path) -> list[EvalQuestion]:
    """Every question of a JSONL dataset, in file order; ids must be unique."""
    if not path.is_file():
        raise DatasetError(f"{path}: no such dataset file (expected JSONL, one question a line)")
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise DatasetError(f"{where}: each line must be a JSON object")
        question = _parse(row, where)
        if question.id in seen:
            raise DatasetError(f"{where}: duplicate id {question.id!r}; ids must be unique")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise DatasetError(f"{path}: the dataset has no questions")
    return questions


def dataset_digest(path: Path) -> str:
    """A short content hash, stored with a run so two runs can be told apart by data."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _parse(row: dict[str, Any], where: str) -> EvalQuestion:
    for key in ("id", "question"):
        if not isinstance(row.get(key), str | int) or not str(row[key]).strip():
            raise DatasetError(f"{where}: {key!r} is required (a non-empty string)")
    answerable = row.get("answerable", row.get("kind") != _UNANSWERABLE_KIND)
    if not isinstance(answerable, bool):
        raise DatasetError(f"{where}: 'answerable' must be true or false")
    groups = row.get("user_groups")
    return EvalQuestion(
        id=str(row["id"]),
        question=str(row["question"]),
        reference=_optional_str(row, "reference" if "reference" in row else "answer", where),
        sources=tuple(
            _path(p) for p in _str_list(row, "sources" if "sources" in row else "gold_files", where)
        ),
        must_include=_str_list(row, "must_include", where),
        forbidden=_str_list(row, "forbidden", where),
        answerable=answerable,
        user_groups=None if groups is None else _str_list(row, "user_groups", where),
        kind=str(row.get("kind") or ""),
        history=_history(row.get("history"), where),
        extra={k: v for k, v in row.items() if k not in _KNOWN},
    )


def _optional_str(row: dict[str, Any], key: str, where: str) -> str | None:
    value = row.get(key)
    if value is None or isinstance(value, str):
        return value or None
    raise DatasetError(f"{where}: {key!r} must be a string")


def _str_list(row: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = row.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DatasetError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


def _path(path: str) -> str:
    """Forward slashes, no leading ``./``: the form the index payload's ``path`` uses."""
    path = path.replace("\\", "/")
    return path[2:] if path.startswith("./") else path


def _history(value: object, where: str) -> tuple[Turn, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise DatasetError(f"{where}: 'history' must be a list of {{role, content}} turns")
    turns = []
    for turn in value:
        if (
            not isinstance(turn, dict)
            or turn.get("role") not in ("user", "assistant")
            or not isinstance(turn.get("content"), str)
        ):
            raise DatasetError(
                f"{where}: each history turn needs 'role' (user or assistant) and 'content'"
            )
        turns.append(Turn(turn["role"], turn["content"]))
    return tuple(turns)
