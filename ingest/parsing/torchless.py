"""spaCy imported with torch hidden from it: the parse worker imports this module first.

spaCy's thinc imports torch whenever it is installed (``thinc.compat``), and nothing
that parses uses it: in the parse worker's fork server that is about 2 s and 120 MB
for nothing (docs/benchmarks.md, session 13). So torch is answered "not installed" for
as long as spaCy and thinc are imported, and only then:

- torch never enters ``sys.modules``, so a library that asks ``"torch" in sys.modules``
  (scipy's array-API layer does) is told the truth. Session 13 put ``None`` there for
  the whole process instead, and every file failed under ``footnote ingest``, whose
  main module the worker's children re-import (nltk → scipy).
- A later ``import torch`` anywhere in the process (the embedder's) works as usual.
- Where torch or thinc is already loaded (the job's own process), nothing changes.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType


class _TorchHidden(MetaPathFinder):
    """Finds torch and its submodules missing; leaves every other name to the next."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname == "torch" or fullname.startswith("torch."):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def _import_spacy() -> None:
    """Import spaCy (and thinc) with torch hidden, unless either is loaded already."""
    if "torch" in sys.modules or "thinc" in sys.modules:
        return
    hidden = _TorchHidden()
    sys.meta_path.insert(0, hidden)
    try:
        import spacy  # noqa: F401
    finally:
        sys.meta_path.remove(hidden)


_import_spacy()
