"""reStructuredText and Org through pandoc, which must not follow their includes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.parsing import parse_file

pytestmark = pytest.mark.skipif(
    shutil.which("pandoc") is None, reason="pandoc comes from scripts/system_deps.sh"
)

_SECRET = "salary bands for every grade"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "leave.rst",
            ".. include:: {secret}\n\nLeave policy\n============\n\n"
            "Everyone gets 28 days.\n\n- Book early\n- Tell HR\n",
        ),
        (
            "leave.org",
            '#+INCLUDE: "{secret}"\n* Leave policy\nEveryone gets 28 days.\n\n'
            "- Book early\n- Tell HR\n",
        ),
    ],
)
def test_markup_keeps_headings_and_lists_and_never_includes_files(
    tmp_path: Path, name: str, text: str
) -> None:
    secret = tmp_path / "private.txt"
    secret.write_text(_SECRET, encoding="utf-8")
    path = tmp_path / name
    path.write_text(text.format(secret=secret), encoding="utf-8")
    doc, parser = parse_file(path)
    assert parser == name.split(".")[1]
    assert [(e.kind, e.text) for e in doc.elements] == [
        ("title", "Leave policy"),
        ("text", "Everyone gets 28 days."),
        ("list", "Book early"),
        ("list", "Tell HR"),
    ]
    assert all(_SECRET not in e.text for e in doc.elements)
