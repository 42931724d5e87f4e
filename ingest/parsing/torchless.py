"""Imported first by the parse worker's forkserver: there, torch cannot be imported.

No parser needs torch (PDF is pdfminer and PDFium, OCR the ``tesseract`` command), but
spaCy imports thinc, and thinc imports torch whenever it is installed: 2 s of the
worker's start, during which the job has nothing to embed, and ~170 MB of its memory,
for nothing it uses (docs/benchmarks.md, session 13: the same parse of every file of
the sample corpus, the shared parser test files and the dxw handbook without it). A
``None`` in ``sys.modules`` makes ``import torch`` raise ``ImportError``, which thinc
reads as "not installed". The job's own process is untouched: it embeds with torch.
"""

from __future__ import annotations

import sys

sys.modules.setdefault("torch", None)  # type: ignore[arg-type]
