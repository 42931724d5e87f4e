"""Sources: which files a job looks at, and who may read each of them.

A source is a folder with include/exclude globs and default access groups, named in
``footnote.toml`` or given ad hoc as a path. Per-file groups come, most specific
first, from Markdown front matter (``groups:``, applied after parsing), then the
``access.toml`` sidecar at the source root (``[files]``: path or glob → groups, then
``default``), then the source's own ``groups``.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings, SourceConfig

SIDECAR = "access.toml"


class SourceError(ValueError):
    """A source name or path that does not resolve; the message says what to do."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    rel: str
    """Relative to the source root, forward slashes: the document's ``path``."""
    groups: tuple[str, ...]


def resolve_source(
    settings: Settings, name_or_path: str, name: str | None = None
) -> tuple[str, SourceConfig]:
    """A configured source by name, or an ad-hoc folder (named after it unless ``name``)."""
    if name_or_path in settings.sources and name is None:
        return name_or_path, settings.sources[name_or_path]
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        path = path.resolve()
        if name and name in settings.sources and settings.sources[name].path != path:
            raise SourceError(
                f"source {name!r} is configured for {settings.sources[name].path}, "
                f"not {path}: pick another --source name"
            )
        configured = next((n for n, c in settings.sources.items() if c.path == path), None)
        chosen = name or configured or path.name
        return chosen, settings.sources.get(chosen) or SourceConfig(path=path)
    known = ", ".join(sorted(settings.sources)) or "none configured in footnote.toml"
    raise SourceError(
        f"{name_or_path!r} is neither a configured source ({known}) nor a folder. "
        "Name a source from footnote.toml or give a folder path."
    )


def _matches(rel: str, pattern: str) -> bool:
    """Glob match where ``**/`` may also match nothing (``**/*.md`` matches ``a.md``)."""
    return fnmatch.fnmatch(rel, pattern) or (
        pattern.startswith("**/") and fnmatch.fnmatch(rel, pattern[3:])
    )


class AccessRules:
    """The sidecar's rules for one source root."""

    def __init__(self, root: Path, default: list[str]) -> None:
        self.default = tuple(default)
        self.files: dict[str, list[str]] = {}
        sidecar = root / SIDECAR
        if sidecar.is_file():
            try:
                data = tomllib.loads(sidecar.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                message = f"{sidecar} is not valid TOML ({exc}): fix it and re-run"
                raise SourceError(message) from exc
            self.default = tuple(data.get("default", default))
            self.files = {str(k): list(v) for k, v in data.get("files", {}).items()}

    def groups_for(self, rel: str) -> tuple[str, ...]:
        if rel in self.files:
            return tuple(self.files[rel])
        for pattern, groups in self.files.items():
            if _matches(rel, pattern):
                return tuple(groups)
        return self.default


def scan(config: SourceConfig, within: tuple[Path, ...] = ()) -> list[SourceFile]:
    """Files of the source (only those under ``within`` when given), sorted by path.

    Hidden files and folders and the sidecar itself are never documents.
    """
    root = config.path
    if not root.is_dir():
        raise SourceError(f"source folder {root} does not exist: check footnote.toml")
    rules = AccessRules(root, config.groups)
    found: list[SourceFile] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel == SIDECAR or any(part.startswith(".") for part in rel.split("/")):
            continue
        if not path.is_file() or (within and not any(_under(path, w) for w in within)):
            continue
        if not any(_matches(rel, p) for p in config.include):
            continue
        if any(_matches(rel, p) for p in config.exclude):
            continue
        found.append(SourceFile(path, rel, rules.groups_for(rel)))
    return found


def _under(path: Path, scope: Path) -> bool:
    return path == scope or scope in path.parents


def in_scope(root: Path, rel: str, within: tuple[Path, ...]) -> bool:
    """Whether a document path belongs to a job restricted to ``within`` (all when empty)."""
    return not within or any(_under(root / rel, w) for w in within)
