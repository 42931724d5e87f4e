"""Sources: which files a job looks at, and who may read each of them.

A source is a folder with include/exclude globs and default access groups, named in
``footnote.toml`` or given ad hoc as a path; a web source (``url``) is a website that
``ingest.web`` crawls into a snapshot folder, which is then scanned like any other.
Per-file groups come, most specific first, from Markdown front matter (``groups:``,
applied after parsing), then the ``access.toml`` sidecar at the source root
(``[files]``: path or glob → groups, then ``default``), then the source's own ``groups``.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import tomllib
from dataclasses import dataclass, field
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
    """A configured source by name, a website (``http(s)://...``, see ``ingest.web``), or
    an ad-hoc folder (named after it unless ``name``)."""
    if name_or_path in settings.sources and name is None:
        return name_or_path, settings.sources[name_or_path]
    if name_or_path.startswith(("http://", "https://")):
        from ingest.web import web_source  # ingest.web imports this module: import here

        return web_source(settings, name_or_path, name)
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
        f"{name_or_path!r} is neither a configured source ({known}), a folder nor a URL. "
        "Name a source from footnote.toml, or give a folder path or an http(s):// URL."
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


@dataclass
class _Walk:
    """What a scan found: files by their real path, and what it skipped (rel, reason)."""

    root: Path
    within: tuple[Path, ...]
    files: list[tuple[str, Path, Path, bool]] = field(default_factory=list)
    """(raw rel, path under the root, real path, reached through a symlink)"""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seen_dirs: set[tuple[int, int]] = field(default_factory=set)


def scan(
    config: SourceConfig,
    within: tuple[Path, ...] = (),
    skipped: list[tuple[str, str]] | None = None,
) -> list[SourceFile]:
    """Files of the source (only those under ``within`` when given), sorted by path.

    Hidden files and folders and the sidecar itself are never documents. Symlinks are
    followed when they lead inside the source root, once: a loop, a dangling link, a
    link out of the root, a second way to a file already found and anything that is not
    a regular file are left out, each with its reason in ``skipped`` (as ``(rel,
    reason)``). Names are made printable (``safe_rel``) for ids, SQL and logs.
    """
    root = config.path
    if not root.is_dir():
        raise SourceError(f"source folder {root} does not exist: check footnote.toml")
    rules = AccessRules(root, config.groups)
    walk = _Walk(root.resolve(), within)
    walk.seen_dirs.add(_inode(root))
    _walk_dir(walk, root, "")
    found: dict[str, SourceFile] = {}
    by_real: dict[Path, str] = {}
    # Files reached directly come first, so a link to one of them is the one left out.
    for raw, path, real, _linked in sorted(walk.files, key=lambda f: (f[3], f[0])):
        rel = safe_rel(raw)
        if not any(_matches(rel, p) for p in config.include):
            continue
        if any(_matches(rel, p) for p in config.exclude):
            continue
        if real in by_real:
            walk.skipped.append((rel, f"symlink to a file already ingested as {by_real[real]}"))
        elif rel in found:
            walk.skipped.append((rel, "its printable name collides with another file's: rename it"))
        elif len(rel) > MAX_REL_CHARS:
            walk.skipped.append(
                (rel[:200] + "…", f"path too long ({len(rel)} > {MAX_REL_CHARS} characters)")
            )
        else:
            by_real[real] = rel
            found[rel] = SourceFile(path, rel, rules.groups_for(rel))
    if skipped is not None:
        skipped.extend(sorted(walk.skipped))
    return [found[rel] for rel in sorted(found)]


MAX_REL_CHARS = 1000
"""The documents table's ``path`` column holds this much."""


def safe_rel(raw: str) -> str:
    """A path as the catalog names it: valid UTF-8, one printable line.

    Bytes that are not UTF-8 (kept by ``os`` as surrogate escapes, which cannot be
    encoded for a uuid, SQL or a log line) and control or bidi characters (a newline in
    a name would forge a log line, an RTL override would disguise it) become ``\\xNN``.
    """
    text = os.fsencode(raw).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _inode(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_dev, stat.st_ino


def _walk_dir(walk: _Walk, folder: Path, prefix: str) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        walk.skipped.append((safe_rel(prefix.rstrip("/")) or ".", f"cannot list: {exc.strerror}"))
        return
    for entry in entries:
        raw = prefix + entry.name
        if entry.name.startswith(".") or raw == SIDECAR:
            continue
        path = Path(entry.path)
        if walk.within and not any(_under(path, w) or _under(w, path) for w in walk.within):
            continue
        linked = entry.is_symlink()
        if linked:
            reason = _link_problem(walk.root, path)
            if reason:
                walk.skipped.append((safe_rel(raw), reason))
                continue
        try:
            is_dir = entry.is_dir()
            is_file = entry.is_file()
        except OSError as exc:
            walk.skipped.append((safe_rel(raw), f"cannot read: {exc.strerror}"))
            continue
        if is_dir:
            inode = _inode(path)
            if inode in walk.seen_dirs:
                walk.skipped.append((safe_rel(raw), "symlink loop: its folder is already scanned"))
                continue
            walk.seen_dirs.add(inode)
            _walk_dir(walk, path, raw + "/")
        elif not is_file:
            walk.skipped.append((safe_rel(raw), "not a regular file (a pipe, socket or device)"))
        elif not walk.within or any(_under(path, w) for w in walk.within):
            walk.files.append((raw, path, path.resolve(), linked))


def _link_problem(root: Path, link: Path) -> str:
    """Why a symlink is not followed ("" when it is: it leads to something in the root)."""
    try:
        link.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop: it leads back to itself"
        return f"dangling symlink (to {safe_rel(os.readlink(link))})"
    target = Path(os.path.realpath(link))
    if target != root and root not in target.parents:
        return "symlink out of the source root: copy the file in, or add its folder as a source"
    return ""


def _under(path: Path, scope: Path) -> bool:
    return path == scope or scope in path.parents


def in_scope(root: Path, rel: str, within: tuple[Path, ...]) -> bool:
    """Whether a document path belongs to a job restricted to ``within`` (all when empty)."""
    return not within or any(_under(root / rel, w) for w in within)
