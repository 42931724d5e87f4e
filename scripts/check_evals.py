"""Validate an eval set (JSON lines) against the corpus it is about.

Usage::

    python scripts/check_evals.py [data/evals/sample.jsonl] [--corpus data/corpus]

Checks every line: required fields and their types, unique ids, valid kinds, that sources
exist and are readable by the asker, that every ``must_include`` phrase occurs verbatim
(case-insensitive, whitespace-normalised) in the text of at least one listed source, that
unanswerable lines carry no sources, and that the ``forbidden`` phrases of restricted lines
occur only in documents the asker may not read. Exits 1 and lists the problems if any.

Text is extracted here with light dependencies (pypdf, python-docx, python-pptx, openpyxl
and the standard library), independently of the project's ingest parsers; who may read a
file is the project's own rule (``ingest.sources.AccessRules`` for the sidecar,
``core.access`` for the asker). Import ``check(dataset_path, corpus_dir) -> list[str]``
to use it from tests.
"""

from __future__ import annotations

import argparse
import csv
import email
import io
import json
import re
import sys
import unicodedata
from email import policy
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

from core.access import EVERYONE, asker_groups, may_see
from ingest.sources import SIDECAR, AccessRules, SourceError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATASET = ROOT / "data" / "evals" / "sample.jsonl"
DEFAULT_CORPUS = ROOT / "data" / "corpus"

KINDS = {
    "fact",
    "numeric",
    "procedure",
    "multi-doc",
    "paraphrase",
    "follow-up",
    "superseded",
    "restricted",
    "unanswerable",
}
FIELDS = {
    "id",
    "question",
    "reference",
    "sources",
    "must_include",
    "answerable",
    "user_groups",
    "kind",
    "history",
    "forbidden",
}
REQUIRED = ("id", "question", "kind")
MAX_PHRASE_WORDS = 4


# --------------------------------------------------------------------------- access groups


def corpus_files(corpus_dir: Path) -> list[str]:
    """Every document under the corpus, as a POSIX path relative to it."""
    corpus_dir = Path(corpus_dir)
    return sorted(
        p.relative_to(corpus_dir).as_posix()
        for p in corpus_dir.rglob("*")
        if p.is_file() and p.name != SIDECAR and not p.name.startswith(".")
    )


# --------------------------------------------------------------------------- text extraction


class _HTMLText(HTMLParser):
    SKIP = {"script", "style", "head"}
    BLOCK = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "table", "nav"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _markdown_text(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    return text.replace("**", "").replace("__", "").replace("`", "")


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = "\n".join((page.extract_text() or "") for page in reader.pages)
    return text if text.strip() else _scan_source_text(path)


SOURCES = ROOT / "data" / "src"


def _scan_source_text(path: Path) -> str:
    """A scan has no text layer; what a person reads on it is the source it was drawn from.

    ``scripts/make_data.py`` renders each ``scan-pdf`` source (``data/src``, front matter
    ``output: <path in the corpus>``) as a picture; ingest reads it back through OCR.
    """
    target = Path(path).resolve()
    for source in SOURCES.rglob("*.md"):
        front, _, body = source.read_text(encoding="utf-8").partition("\n---\n")
        fields = dict(line.partition(":")[::2] for line in front.splitlines())
        output = fields.get("output", "").strip()
        is_scan = fields.get("format", "").strip() == "scan-pdf"
        if is_scan and output and (DEFAULT_CORPUS / output).resolve() == target:
            return body
    return ""


def _docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs]
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def _pptx_text(path: Path) -> str:
    from pptx import Presentation

    parts: list[str] = []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    parts.append(" ".join(cell.text for cell in row.cells))
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(parts)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_text(path: Path) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(str(path), read_only=True, data_only=True)
    parts: list[str] = []
    for sheet in workbook.worksheets:
        parts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            parts.append(" ".join(_cell(v) for v in row))
    workbook.close()
    return "\n".join(parts)


def _csv_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8-sig")
    return "\n".join(" ".join(row) for row in csv.reader(io.StringIO(text)))


def _eml_text(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    parts = [f"{h}: {message[h]}" for h in ("Subject", "From", "To", "Cc", "Date") if message[h]]
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        content = body.get_content()
        parts.append(html_to_text(content) if body.get_content_subtype() == "html" else content)
    return "\n".join(parts)


EXTRACTORS = {
    ".md": lambda p: _markdown_text(p.read_text(encoding="utf-8")),
    ".txt": lambda p: p.read_text(encoding="utf-8"),
    ".html": lambda p: html_to_text(p.read_text(encoding="utf-8")),
    ".htm": lambda p: html_to_text(p.read_text(encoding="utf-8")),
    ".csv": _csv_text,
    ".pdf": _pdf_text,
    ".docx": _docx_text,
    ".pptx": _pptx_text,
    ".xlsx": _xlsx_text,
    ".eml": _eml_text,
}


@lru_cache(maxsize=512)
def _extract_cached(path: str, mtime_ns: int, size: int) -> str:
    extractor = EXTRACTORS.get(Path(path).suffix.lower())
    if extractor is None:
        return ""
    return extractor(Path(path))


def extract_text(path: Path) -> str:
    """Plain text of one corpus file ("" for empty or unsupported files)."""
    stat = Path(path).stat()
    if stat.st_size == 0:
        return ""
    return _extract_cached(str(path), stat.st_mtime_ns, stat.st_size)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


# --------------------------------------------------------------------------- checks


def _is_str_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _check_history(prefix: str, history, problems: list[str]) -> None:
    if not isinstance(history, list) or not history:
        problems.append(f"{prefix}: history must be a non-empty list of turns")
        return
    for n, turn in enumerate(history):
        if (
            not isinstance(turn, dict)
            or set(turn) != {"role", "content"}
            or turn["role"] not in ("user", "assistant")
            or not isinstance(turn["content"], str)
            or not turn["content"].strip()
        ):
            problems.append(f"{prefix}: history[{n}] must be {{role: user|assistant, content}}")
            return
        expected = "user" if n % 2 == 0 else "assistant"
        if turn["role"] != expected:
            problems.append(f"{prefix}: history[{n}] should be a {expected} turn")
    if history[-1]["role"] != "assistant":
        problems.append(f"{prefix}: history must end with an assistant turn")


def check(dataset_path, corpus_dir) -> list[str]:
    """Return a list of human-readable problems; empty when the eval set is valid."""
    dataset_path, corpus_dir = Path(dataset_path), Path(corpus_dir)
    problems: list[str] = []
    if not dataset_path.is_file():
        return [f"{dataset_path}: not found"]
    if not corpus_dir.is_dir():
        return [f"{corpus_dir}: corpus directory not found"]
    try:
        access = AccessRules(corpus_dir, [EVERYONE])
    except (SourceError, TypeError, ValueError) as exc:
        return [f"{corpus_dir / SIDECAR}: cannot parse: {exc}"]
    all_files = corpus_files(corpus_dir)
    texts: dict[str, str] = {}

    def text_of(rel: str) -> str:
        if rel not in texts:
            try:
                texts[rel] = normalise(extract_text(corpus_dir / rel))
            except Exception as exc:  # noqa: BLE001 - any extraction failure is a finding
                problems.append(f"{rel}: text extraction failed: {exc!r}")
                texts[rel] = ""
        return texts[rel]

    seen_ids: set[str] = set()
    lines = dataset_path.read_text(encoding="utf-8").splitlines()
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"line {lineno}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: invalid JSON: {exc}")
            continue
        if not isinstance(row, dict):
            problems.append(f"{where}: not a JSON object")
            continue
        if isinstance(row.get("id"), str):
            where = f"line {lineno} ({row['id']})"
        for name in REQUIRED:
            if not isinstance(row.get(name), str) or not row[name].strip():
                problems.append(f"{where}: missing or empty string field {name!r}")
        unknown = set(row) - FIELDS
        if unknown:
            problems.append(f"{where}: unknown field(s) {sorted(unknown)}")
        row_id = row.get("id")
        if isinstance(row_id, str):
            if row_id in seen_ids:
                problems.append(f"{where}: duplicate id {row_id!r}")
            seen_ids.add(row_id)
        kind = row.get("kind")
        if isinstance(kind, str) and kind not in KINDS:
            problems.append(f"{where}: unknown kind {kind!r}")

        answerable = row.get("answerable", True)
        if not isinstance(answerable, bool):
            problems.append(f"{where}: answerable must be true or false")
            answerable = True
        sources = row.get("sources", [])
        must_include = row.get("must_include", [])
        forbidden = row.get("forbidden", [])
        user_groups = row.get("user_groups", ["all"])
        for name, value in (
            ("sources", sources),
            ("must_include", must_include),
            ("forbidden", forbidden),
            ("user_groups", user_groups),
        ):
            if not _is_str_list(value):
                problems.append(f"{where}: {name} must be a list of non-empty strings")
        if "reference" in row and not isinstance(row["reference"], str):
            problems.append(f"{where}: reference must be a string")
        if "user_groups" in row and not row["user_groups"]:
            problems.append(f"{where}: user_groups must not be empty when given")
        if not (_is_str_list(sources) and _is_str_list(must_include) and _is_str_list(forbidden)):
            continue
        if not _is_str_list(user_groups):
            user_groups = []
        asker = asker_groups(user_groups)

        if kind == "follow-up" or "history" in row:
            if kind != "follow-up":
                problems.append(f"{where}: only follow-up questions carry a history")
            _check_history(where, row.get("history"), problems)
        if kind == "unanswerable" and answerable:
            problems.append(f"{where}: kind unanswerable must have answerable=false")
        if not answerable and kind not in ("unanswerable", "restricted"):
            problems.append(f"{where}: answerable=false is only for unanswerable or restricted")

        if not answerable:
            if sources:
                problems.append(f"{where}: answerable=false must not list sources")
            if must_include:
                problems.append(f"{where}: answerable=false must not list must_include")
        else:
            if not sources:
                problems.append(f"{where}: an answerable question needs sources")
            if not must_include:
                problems.append(f"{where}: an answerable question needs must_include")

        for phrase in must_include + forbidden:
            words = len(phrase.split())
            if words > MAX_PHRASE_WORDS:
                problems.append(f"{where}: phrase {phrase!r} has {words} words (max 4)")

        valid_sources: list[str] = []
        for src in sources:
            pure = PurePosixPath(src)
            if pure.is_absolute() or ".." in pure.parts or "\\" in src:
                problems.append(f"{where}: source {src!r} must be relative to the corpus")
            elif not (corpus_dir / src).is_file():
                problems.append(f"{where}: source {src!r} does not exist")
            elif src == SIDECAR:
                problems.append(f"{where}: access.toml is not a document")
            else:
                valid_sources.append(src)
                if not may_see(access.groups_for(src), asker):
                    problems.append(
                        f"{where}: source {src!r} is not readable by groups {list(asker)}"
                    )
        if len(set(sources)) != len(sources):
            problems.append(f"{where}: duplicate sources")

        if valid_sources:
            for phrase in must_include:
                needle = normalise(phrase)
                if not any(needle in text_of(src) for src in valid_sources):
                    problems.append(
                        f"{where}: must_include {phrase!r} not found in {valid_sources}"
                    )

        if kind == "restricted":
            if not answerable and not forbidden:
                problems.append(f"{where}: an unanswerable restricted question needs forbidden")
            if answerable and asker == (EVERYONE,):
                problems.append(f"{where}: an answerable restricted question needs user_groups")
            for phrase in forbidden:
                needle = normalise(phrase)
                holders = [rel for rel in all_files if needle in text_of(rel)]
                if not holders:
                    problems.append(f"{where}: forbidden {phrase!r} occurs in no document")
                leaks = [rel for rel in holders if may_see(access.groups_for(rel), asker)]
                if leaks:
                    problems.append(
                        f"{where}: forbidden {phrase!r} is readable by {list(asker)} in {leaks}"
                    )

    if not seen_ids:
        problems.append(f"{dataset_path}: no questions")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Validate an eval set against a corpus.")
    parser.add_argument("dataset", nargs="?", default=str(DEFAULT_DATASET))
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    args = parser.parse_args(argv)
    problems = check(args.dataset, args.corpus)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {args.dataset}", file=sys.stderr)
        return 1
    rows = [json.loads(x) for x in Path(args.dataset).read_text().splitlines() if x.strip()]
    kinds: dict[str, int] = {}
    for row in rows:
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    summary = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    print(f"{args.dataset}: {len(rows)} questions OK ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
