"""Parsing fidelity: how much of the text a person sees does each parser recover?

``run(folder)`` parses every file under ``folder`` with ``parse_file``. Where an
expected text sits beside a file (``report.pdf`` → ``report.pdf.md`` or
``report.pdf.txt``), the parsed words are compared with it as bags of words: recall
(expected words recovered), precision (parsed words that are expected) and their F1.
Word bags ignore order and layout on purpose: they measure lost and invented text, the
part that decides whether a passage can be found at all. Files without an expected
text are still parsed and counted, so failures show up too. ``footnote bench parse
DIR`` prints the report; figures go to docs/benchmarks.md ("Parsing").
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from ingest.parsing import ParsedDocument, ParseError, parse_file
from ingest.parsing.lines import word_bag as words

EXPECTED_SUFFIXES = (".md", ".txt")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


@dataclass
class FileScore:
    path: str
    format: str
    seconds: float
    reason: str = ""
    """Why the file failed to parse ('' when it parsed)."""
    expected_words: int = 0
    parsed_words: int = 0
    recall: float | None = None
    precision: float | None = None
    f1: float | None = None


def expected_text(path: Path) -> str | None:
    """The expected text beside ``path`` (Markdown links reduced to their text), if any."""
    for suffix in EXPECTED_SUFFIXES:
        candidate = path.with_name(path.name + suffix)
        if candidate.is_file():
            text = candidate.read_text(encoding="utf-8", errors="replace")
            return _MD_LINK.sub(r"\1", text) if suffix == ".md" else text
    return None


def document_text(doc: ParsedDocument) -> str:
    return "\n".join(element.text for element in doc.elements)


def score(expected: str, parsed: str) -> tuple[float, float, float]:
    """(recall, precision, F1) of the parsed words against the expected ones."""
    want, got = words(expected), words(parsed)
    common = sum((want & got).values())
    recall = common / sum(want.values()) if want else float(not got)
    precision = common / sum(got.values()) if got else float(not want)
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    return recall, precision, f1


def _is_expected_text(path: Path) -> bool:
    """``a.pdf.md`` is the expected text of ``a.pdf``, not a document of its own."""
    original = path.with_suffix("")
    return path.suffix in EXPECTED_SUFFIXES and original.suffix != "" and original.is_file()


def documents(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".") and not _is_expected_text(p)
    )


def score_file(path: Path, root: Path) -> FileScore:
    started = time.perf_counter()
    result = FileScore(path.relative_to(root).as_posix(), path.suffix.lower() or "(none)", 0.0)
    expected = expected_text(path)
    try:
        doc, _ = parse_file(path)
        parsed = document_text(doc)
    except ParseError as exc:
        result.reason = str(exc)
        parsed = ""
    result.seconds = round(time.perf_counter() - started, 3)
    result.parsed_words = sum(words(parsed).values())
    if expected is not None:
        result.expected_words = sum(words(expected).values())
        result.recall, result.precision, result.f1 = (round(v, 4) for v in score(expected, parsed))
    return result


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def summarise(scores: list[FileScore]) -> dict[str, object]:
    """Per format and overall: files, failures, and the mean recall/precision/F1 of the
    files that have an expected text (a failed file scores 0)."""

    def block(group: list[FileScore]) -> dict[str, object]:
        scored = [s for s in group if s.f1 is not None]
        return {
            "files": len(group),
            "failed": sum(1 for s in group if s.reason),
            "scored": len(scored),
            "recall": _mean([s.recall for s in scored if s.recall is not None]),
            "precision": _mean([s.precision for s in scored if s.precision is not None]),
            "f1": _mean([s.f1 for s in scored if s.f1 is not None]),
            "seconds": round(sum(s.seconds for s in group), 2),
        }

    formats = sorted({s.format for s in scores})
    return {
        "formats": {f: block([s for s in scores if s.format == f]) for f in formats},
        "overall": block(scores),
    }


def run(folder: Path, progress: Callable[[str], None] | None = None) -> dict[str, object]:
    """Parse and score every document under ``folder`` (see the module docstring)."""
    folder = folder.resolve()
    scores = []
    for path in documents(folder):
        if progress:
            progress(path.relative_to(folder).as_posix())
        scores.append(score_file(path, folder))
    return {"folder": str(folder), **summarise(scores), "files": [asdict(s) for s in scores]}
