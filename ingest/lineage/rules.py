"""Which document supersedes which: the three signals, strongest first, over ``Version``s.

Pure (no SQL, no index): ``detect`` takes the catalog's versions and returns the links
it wants, one per pair, each with the strongest signal that found it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from ingest.lineage.signals import VERSION, Version, normalise_title

ORIGINS = ("front_matter", "text", "proposed", "manual")
"""Where a link came from, strongest first."""


@dataclass(frozen=True)
class Found:
    """A link ``detect`` wants: newer supersedes older, and why."""

    newer: str
    older: str
    origin: str
    evidence: str


def detect(docs: list[Version]) -> dict[tuple[str, str], Found]:
    """(newer id, older id) → the strongest signal for it; a pair appears once."""
    found: dict[tuple[str, str], Found] = {}

    def add(newer: Version, older: Version, origin: str, evidence: str) -> None:
        if newer.id == older.id:
            return
        pair, reverse = (newer.id, older.id), (older.id, newer.id)
        current = found.get(pair) or found.get(reverse)
        if current is not None and ORIGINS.index(current.origin) <= ORIGINS.index(origin):
            return
        found.pop(reverse, None)
        found[pair] = Found(newer.id, older.id, origin, evidence[:500])

    by_source: dict[str, list[Version]] = {}
    for doc in docs:
        by_source.setdefault(doc.source, []).append(doc)
    for group in by_source.values():
        for doc in group:
            for ref in doc.supersedes:
                for older in _resolve_reference(ref, doc, group):
                    add(doc, older, "front_matter", f"supersedes: {ref}")
            for phrase in doc.replaces:
                for older in _named_in(phrase, doc, group):
                    add(doc, older, "text", f"“… {phrase}”")
            for phrase in doc.replaced_by:
                for newer in _named_in(phrase, doc, group, older=False):
                    add(newer, doc, "text", f"“… replaced by {phrase}”")
        for older, newer, why in _proposals(group):
            add(newer, older, "proposed", why)
    return found


def _resolve_reference(ref: str, doc: Version, group: list[Version]) -> list[Version]:
    """A ``supersedes:`` value: a path (relative to the source or to the document), a
    file name, or a title."""
    wanted = ref.strip().lstrip("./")
    beside = str(PurePosixPath(doc.path).parent / wanted)
    by_path = [d for d in group if d.path in (wanted, beside)]
    by_path = by_path or [d for d in group if PurePosixPath(d.path).name == wanted]
    by_path = by_path or [d for d in group if PurePosixPath(d.path).stem == wanted]
    if by_path:
        return by_path
    exact = [d for d in group if d.title.strip().lower() == wanted.lower()]
    return exact or _named_in(wanted, doc, group)


def _named_in(phrase: str, doc: Version, group: list[Version], older: bool = True) -> list[Version]:
    """Documents whose (normalised) title ``phrase`` names, narrowed by a version it gives
    and, among several, to those dated before ``doc`` (``older``) or after it."""
    said = f" {normalise_title(phrase)} "
    named = [d for d in group if d.id != doc.id and d.key and f" {d.key} " in said]
    if not named:
        return []
    longest = max(len(d.key) for d in named)
    named = [d for d in named if len(d.key) == longest]  # "travel policy" loses to a longer match
    versions = {m.group(1).split(".")[0] for m in VERSION.finditer(phrase)}
    if versions:
        named = [d for d in named if d.versions & versions] or named
    if len(named) > 1:
        named = [d for d in named if (d.order < doc.order) == older] or named
    return named


def _proposals(group: list[Version]) -> Iterable[tuple[Version, Version, str]]:
    """(older, newer, why) for documents that look like versions of one another."""
    for attr, what in (("key", "title"), ("stem", "file name")):
        buckets: dict[str, list[Version]] = {}
        for doc in group:
            value = getattr(doc, attr)
            if value and value != ".":
                buckets.setdefault(value, []).append(doc)
        for same in buckets.values():
            ordered = sorted(same, key=lambda d: d.order)
            for older, newer in zip(ordered, ordered[1:], strict=False):
                if older.order < newer.order:
                    yield older, newer, f"same {what} as {older.path}, dated later"
