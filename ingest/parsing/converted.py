"""Older and open formats, converted by the tools unstructured itself relies on.

``.doc .ppt .xls`` go through headless LibreOffice to ``.docx .pptx .xlsx``;
``.rtf .odt .epub .rst .org`` go through pandoc to HTML, sandboxed: an ``include``
directive in a reStructuredText or Org file must not pull another file on this machine
(``/etc/passwd``, a private note) into the index. The converted copy is then read by our
own parser for that format, so headings, lists, tables, notes and sheets come out the
same as from a modern file. A missing tool fails the file alone, saying what to install.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from ingest.parsing.base import ParsedDocument, ParseError, parser_for, register

_TIMEOUT_S = 180
_INSTALL = "scripts/system_deps.sh installs it"


@cache
def _profile() -> Path:
    """This process's own LibreOffice profile, made on first use and kept until exit.

    Private, because LibreOffice locks its profile and concurrent processes would block
    each other; kept, because creating one costs seconds on every conversion.
    """
    folder = Path(tempfile.mkdtemp(prefix="footnote-lo-profile-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _run(command: list[str], tool: str) -> None:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ParseError(f"{tool} took over {_TIMEOUT_S} s to convert it") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise ParseError(
            f"{tool} could not convert it ({detail[-1][:200] if detail else done.returncode}): "
            "corrupt, password-protected or not really this format?"
        )


class _LibreOffice:
    """A legacy binary Office file, saved as its OOXML successor by LibreOffice."""

    def __init__(self, name: str, extension: str, target: str, package: str) -> None:
        self.name = name
        self.extensions = (extension,)
        self._target = target
        self._package = package

    def parse(self, path: Path) -> ParsedDocument:
        soffice = _soffice()
        if soffice is None:
            raise ParseError(
                f"{path.suffix} files need LibreOffice, which is not installed: install "
                f"Debian's {self._package} ({_INSTALL})"
            )
        with tempfile.TemporaryDirectory(prefix="footnote-lo-") as tmp:
            work = Path(tmp)
            source = work / f"source{path.suffix.lower()}"
            shutil.copyfile(path, source)  # an odd file name cannot confuse LibreOffice
            profile = f"-env:UserInstallation=file://{_profile()}"
            _run(
                [
                    soffice,
                    profile,
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    self._target,
                    "--outdir",
                    str(work),
                    str(source),
                ],
                "LibreOffice",
            )
            converted = source.with_suffix(f".{self._target}")
            if not converted.is_file():
                raise ParseError(
                    "LibreOffice produced nothing: corrupt, password-protected or not "
                    "really this format?"
                )
            return _parse_as(converted)


class _Pandoc:
    """A document pandoc reads, as HTML for our HTML parser."""

    def __init__(self, name: str, extension: str, reader: str) -> None:
        self.name = name
        self.extensions = (extension,)
        self._reader = reader

    def parse(self, path: Path) -> ParsedDocument:
        pandoc = shutil.which("pandoc")
        if pandoc is None:
            raise ParseError(
                f"{path.suffix} files need pandoc, which is not installed: install "
                f"Debian's pandoc ({_INSTALL})"
            )
        with tempfile.TemporaryDirectory(prefix="footnote-pandoc-") as tmp:
            converted = Path(tmp) / "converted.html"
            command = [pandoc, "--sandbox", "-f", self._reader, "-t", "html5", str(path)]
            _run([*command, "-o", str(converted)], "pandoc")
            return _parse_as(converted)


def _parse_as(converted: Path) -> ParsedDocument:
    parser = parser_for(converted)
    assert parser is not None, converted.suffix
    return parser.parse(converted)


os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")
"""LibreOffice without any display: headless conversions need no X server."""

register(_LibreOffice("doc", ".doc", "docx", "libreoffice-writer-nogui"))
register(_LibreOffice("ppt", ".ppt", "pptx", "libreoffice-impress-nogui"))
register(_LibreOffice("xls", ".xls", "xlsx", "libreoffice-calc-nogui"))
register(_Pandoc("rtf", ".rtf", "rtf"))
register(_Pandoc("odt", ".odt", "odt"))
register(_Pandoc("epub", ".epub", "epub"))
register(_Pandoc("rst", ".rst", "rst"))
register(_Pandoc("org", ".org", "org"))
