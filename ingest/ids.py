"""Ids that are content addresses, so an unchanged chunk keeps its id and its vector.

A document's id comes from its source and path; a chunk's from its document, the hash of
the text it embeds and which occurrence of that text in the document it is. The writer
plans with them and the parse worker lists the answerer's texts of a file under the
same ids (``ingest.prepare``), so both must compute them here.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Iterable

_NAMESPACE = uuid.UUID("6f6f746e-6f74-4e00-8000-666f6f746e74")


def document_id(source: str, rel: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{source}\x00{rel}"))


def chunk_id(doc_id: str, text_hash: str, occurrence: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{doc_id}\x00{text_hash}\x00{occurrence}"))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chunk_ids(doc_id: str, embed_texts: Iterable[str]) -> tuple[list[str], list[str]]:
    """The ids and text hashes of a document's chunks, in order (a text repeated in the
    document is its next occurrence)."""
    hashes = [text_hash(text) for text in embed_texts]
    seen: Counter[str] = Counter()
    ids: list[str] = []
    for h in hashes:
        ids.append(chunk_id(doc_id, h, seen[h]))
        seen[h] += 1
    return ids, hashes
