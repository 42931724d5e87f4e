"""Sources: globs, hidden files, the access sidecar and name resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import SourceConfig
from ingest import SourceError, resolve_source
from ingest.sources import scan
from tests.conftest import make_settings


def test_scan_globs_and_sidecar(tmp_path: Path) -> None:
    for rel in ("a.md", "hr/pay.md", "hr/old/x.md", ".git/config", "skip.log"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    (tmp_path / "access.toml").write_text(
        'default = ["staff"]\n[files]\n"hr/*" = ["hr"]\n"hr/old/x.md" = ["admin"]\n'
    )
    config = SourceConfig(path=tmp_path, include=["**/*.md"], exclude=["**/old/*"])
    files = {f.rel: f.groups for f in scan(config)}
    assert files == {"a.md": ("staff",), "hr/pay.md": ("hr",)}


def test_resolve_names_and_folders(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, sources={"kb": SourceConfig(path=tmp_path)})
    assert resolve_source(settings, "kb")[0] == "kb"
    assert resolve_source(settings, str(tmp_path))[0] == "kb"
    other = tmp_path / "other"
    other.mkdir()
    assert resolve_source(settings, str(other))[0] == "other"
    assert resolve_source(settings, str(other), name="named")[0] == "named"
    with pytest.raises(SourceError, match="neither a configured source"):
        resolve_source(settings, "nope")
