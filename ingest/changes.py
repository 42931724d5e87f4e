"""Change detection: what a job must do to each file, decided before any file is read.

The scan lists the source's files; each is compared with what the catalog holds for
its path. A file whose size, mtime and access groups all match is ``unchanged`` and is
never opened. The others are ``added`` (no document yet), ``changed`` (size or mtime
differ, or the last attempt failed or was interrupted) or ``access`` (same bytes, new
groups: re-written so the index payload carries them). Documents whose file is gone,
inside the job's scope, are ``removed``.

A changed file may still turn out the same: the second level of detection is its
content hash (``same_content``), checked when the file is read, so a ``touch`` costs a
hash and no parse. A document read by an older revision of the parsers and chunker
(``REVISION``) is ``changed`` too, bytes or not: it is read again, and its chunks whose
text came out the same keep their vectors. What the catalog said is copied into plain
``Known`` values once, because the prepare thread reads them while the writer commits
(ORM objects expire on commit and must stay on the thread of their session).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import Document
from ingest.scope import JobScope
from ingest.sources import SourceFile, in_scope, scan

Kind = Literal["added", "changed", "access", "unchanged"]

REVISION = 2
"""What parsing and chunking make of a file, versioned: bump it with a change that alters
what a file yields (2: the prose a Liquid tag passes is kept), so that files whose bytes
did not change are read again by the next job instead of keeping their old reading.
Each document records the revision that read it (``meta["revision"]``; none is 1)."""


@dataclass(frozen=True)
class Known:
    """The catalog's view of one file, as plain values."""

    status: str
    content_hash: str
    access: tuple[str, ...] | None
    """The groups the file had from its source when it was ingested."""
    revision: int
    """The ``REVISION`` that read it."""


@dataclass
class Changes:
    """A job's files, classified; the documents it touches, loaded once."""

    kinds: dict[str, Kind] = field(default_factory=dict)
    """rel → kind, for every file of the scan, in path order."""
    files: dict[str, SourceFile] = field(default_factory=dict)
    removed: list[Document] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(rel, reason) of what the scan left out."""
    docs: dict[str, Document] = field(default_factory=dict)
    """The source's documents by path (the writer keeps it current)."""
    known: dict[str, Known] = field(default_factory=dict)
    moved_from: dict[str, str] = field(default_factory=dict)
    """content hash → the path of a removed document: an added file with it was moved."""

    def to_read(self) -> list[SourceFile]:
        """The files to hash (and parse, unless their content turns out the same)."""
        return [self.files[rel] for rel, kind in self.kinds.items() if kind != "unchanged"]

    def unchanged(self) -> list[SourceFile]:
        return [self.files[rel] for rel, kind in self.kinds.items() if kind == "unchanged"]


def detect(session: Session, scope: JobScope) -> Changes:
    """Scan the job's files and classify each against the catalog."""
    changes = Changes()
    files = scan(scope.config, scope.within, changes.skipped)
    changes.docs = {
        d.path: d for d in session.scalars(select(Document).where(Document.source == scope.source))
    }
    for doc in changes.docs.values():
        access = doc.meta.get("access")
        changes.known[doc.path] = Known(
            doc.status, doc.content_hash, None if access is None else tuple(access), revision(doc)
        )
    for file in files:
        changes.files[file.rel] = file
        changes.kinds[file.rel] = _kind(file, changes.docs.get(file.rel))
    changes.removed = [
        d
        for rel, d in changes.docs.items()
        if rel not in changes.files and in_scope(scope.config.path, rel, scope.within)
    ]
    changes.moved_from = {d.content_hash: d.path for d in changes.removed if d.content_hash}
    return changes


def same_content(known: Known | None, content_hash: str, groups: tuple[str, ...]) -> bool:
    """An indexed document with these very bytes and groups: nothing to re-write."""
    return (
        known is not None
        and known.status == "indexed"
        and known.content_hash == content_hash
        and known.access == groups
        and known.revision == REVISION
    )


def revision(doc: Document) -> int:
    """The ``REVISION`` of the parsers and chunker that read ``doc``."""
    return int(doc.meta.get("revision", 1))


def _kind(file: SourceFile, doc: Document | None) -> Kind:
    if doc is None:
        return "added"
    try:
        stat = file.path.stat()
    except OSError:
        return "changed"  # reading it says why it cannot be read
    if (doc.size, doc.mtime) != (stat.st_size, stat.st_mtime) or revision(doc) != REVISION:
        return "changed"
    if doc.meta.get("access") != list(file.groups):
        return "access"
    return "unchanged"
