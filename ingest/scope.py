"""What a job covers: its source, the source's root, and the paths it is restricted to.

A request (a source name, a folder, some files) is resolved into a ``JobScope`` once,
when the job is created, and stored in the job row's own columns: ``source``, ``root``
(the source's folder) and ``paths`` (only these, or all of it when empty). A job run
where it was created keeps that value; a queued one is turned back into the same value
once, when it runs. Every stage after that takes the value, never the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.db import Job
from core.settings import Settings, SourceConfig
from ingest.sources import SourceError, resolve_source


@dataclass(frozen=True)
class JobScope:
    source: str
    config: SourceConfig
    """The source's root (``config.path``), globs and default groups."""
    within: tuple[Path, ...] = ()
    """Only files under these paths (all of the source when empty)."""

    def row(self) -> dict[str, Any]:
        """The job row's columns for this scope."""
        return {
            "source": self.source,
            "root": str(self.config.path),
            "paths": [str(p) for p in self.within],
        }


def resolve(
    settings: Settings, target: str | None, paths: tuple[str, ...] = (), name: str | None = None
) -> JobScope:
    """The scope of a request.

    ``target`` is a configured source name or a folder; with no target, the first
    path names the source: the configured source that contains it, else the folder.
    """
    within = tuple(Path(p).expanduser().resolve() for p in paths)
    if target is None:
        if not within:
            raise SourceError("name a source or a path to ingest")
        first = within[0]
        owner = next((n for n, c in settings.sources.items() if _contains(c.path, first)), None)
        if owner is not None and name is None:
            return JobScope(owner, settings.sources[owner], within)
        if not first.is_dir():
            raise SourceError(
                f"{first} is not inside a configured source: ingest its folder instead"
            )
        source, config = resolve_source(settings, str(first), name)
        return JobScope(source, config, within if len(within) > 1 else ())
    as_path = Path(target).expanduser()
    if target not in settings.sources and as_path.is_file():
        return resolve(settings, None, (target, *paths), name)
    source, config = resolve_source(settings, target, name)
    return JobScope(source, config, within)


def of_job(settings: Settings, job: Job) -> JobScope:
    """The scope a stored job was created with: a configured source (its globs and groups
    as footnote.toml says now), or an ad-hoc folder (the row's ``root``)."""
    within = tuple(Path(p) for p in job.paths)
    if job.source in settings.sources:
        return JobScope(job.source, settings.sources[job.source], within)
    if not job.root:
        raise SourceError(f"source {job.source!r} is no longer configured in footnote.toml")
    return JobScope(job.source, SourceConfig(path=Path(job.root)), within)


def _contains(root: Path, path: Path) -> bool:
    return path == root or root in path.parents
