"""Link detection alone: ``Version`` values in, wanted links out (no SQL, no index)."""

from __future__ import annotations

from pathlib import PurePosixPath

from ingest.lineage.rules import detect
from ingest.lineage.signals import Version, normalise_title


def _version(path: str, title: str, order: float, **said: tuple[str, ...]) -> Version:
    stem = PurePosixPath(path)
    return Version(
        id=path,
        source="s",
        path=path,
        title=title,
        key=normalise_title(title),
        stem=str(stem.parent / normalise_title(stem.stem)),
        versions=frozenset(),
        order=order,
        effective=order,
        supersedes=said.get("supersedes", ()),
        replaces=said.get("replaces", ()),
        replaced_by=said.get("replaced_by", ()),
    )


def test_the_strongest_signal_wins_and_a_pair_appears_once() -> None:
    old = _version("travel-2024.md", "Travel policy 2024", 1.0)
    new = _version("travel-2025.md", "Travel policy 2025", 2.0, supersedes=("travel-2024.md",))
    found = detect([old, new])
    assert list(found) == [(new.id, old.id)]
    assert found[new.id, old.id].origin == "front_matter"


def test_same_title_is_only_a_proposal_and_the_later_one_is_newer() -> None:
    old = _version("a/expenses.md", "Expenses (v1)", 5.0)
    new = _version("b/expenses-v2.md", "Expenses (v2)", 9.0)
    found = detect([new, old])
    assert [(f.newer, f.older, f.origin) for f in found.values()] == [(new.id, old.id, "proposed")]


def test_a_self_statement_names_the_older_document() -> None:
    notice = _version("parking.md", "Car park notice", 3.0, replaces=("the Car park permits page",))
    permits = _version("permits.md", "Car park permits", 1.0)
    assert detect([notice, permits])[notice.id, permits.id].origin == "text"
