"""Sentence vectors on disk: what the extractive answerer would otherwise embed per question.

On two cores, embedding the sentences, list items and table rows of the retrieved
passages is nearly all of an offline answer's time. Ingest already reads every chunk, so
it embeds those units once and writes them here; at question time they are looked up,
and only what is missing (the question, text that changed since ingest) is embedded.

A derived cache, not a record of truth: anything here can be recomputed from the index,
so the folder ``<data_dir>/vectors`` may be deleted at any time (answers get slower until
the next ingest of a changed document, or until questions have filled it again). That is
also why it lives outside the main SQL database, which may be PostgreSQL: vectors are
read a hundred at a time on every answer, are bulky (1.5 KB each at 384 dimensions) and
belong to one embedding model, so one local SQLite file per model (WAL, a busy timeout:
the app, the API server and a CLI ingest may share it) keeps them fast, out of backups
and migrations, and a different model never reads another's vectors.

Keys are the SHA-256 of what the model reads (``model_input``): the text itself or, for
a text longer than the model's window, the prefix the model keeps. Two passages that
differ only past the window (a widened passage and a longer one from the same start)
share one vector, exactly as the model would compute it.

**Pruning.** A vector written at ingest is *owned* by its chunk (``owners``). When the
writer deletes chunks it calls ``prune(chunk_ids)``: their owner rows go, and so does
every vector left with no owner. A vector of text joined across chunks (a passage of
adjacent chunks, or a sentence at their seam) is ``joined``: it goes as soon as any of
its chunks goes, since that exact text cannot come back without new chunks (which are
warmed again). A document written again replaces its chunks' owner rows (``put(...,
chunks=…)``), so a run of chunks that no longer adjoin is forgotten too. Vectors
written at question time have no owner (``loose``): the newest ``LOOSE_LIMIT`` are
kept; one that ingest meets later becomes owned. So the file is bounded by the live
corpus plus that limit; re-ingesting a changed document does not grow it.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from core.embeddings import Embedder
from core.embeddings.base import InputWindow
from core.sqlite import use_wal

LOOSE_LIMIT = 50_000
"""Vectors embedded at question time (no chunk owns them) kept at most, newest first."""
_TRIM_EVERY = 1_000
"""Loose vectors written by this process between two trims to ``LOOSE_LIMIT``."""
_BUSY_MS = 30_000
"""How long a writer waits for another process's transaction (an ingest's big batch)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    id INTEGER PRIMARY KEY,
    key BLOB NOT NULL UNIQUE,
    vector BLOB NOT NULL,
    loose INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS vectors_loose ON vectors (id) WHERE loose = 1;
CREATE TABLE IF NOT EXISTS owners (
    chunk_id TEXT NOT NULL,
    key BLOB NOT NULL,
    joined INTEGER NOT NULL,
    PRIMARY KEY (chunk_id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS owners_key ON owners (key);
"""

Key = bytes


def model_key(embedder: Embedder) -> str:
    """The embedder's identity as a file name: model name and dimension."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", embedder.name).strip("-.") or "model"
    return f"{name}-{embedder.dim}"


def model_input(embedder: Embedder | InputWindow, text: str) -> str:
    """The part of ``text`` that decides its vector.

    A model with a window reads only its first ``max_input_tokens`` tokens, so a longer
    text stands for its shortest prefix, cut at whitespace, that fills the window: the
    words before a space tokenize as they do in the whole text, so that prefix holds
    every token the model reads. Any other text is itself (a text shorter in characters
    than the window cannot fill it; the count is skipped).
    """
    window = embedder.max_input_tokens
    if window is None or len(text) <= window or embedder.count_input_tokens(text) < window:
        return text
    cuts = [m.start() for m in re.finditer(r"\s", text)] + [len(text)]
    low, high = 0, len(cuts) - 1  # the whole text fills the window: cuts[high] qualifies
    while low < high:
        mid = (low + high) // 2
        if embedder.count_input_tokens(text[: cuts[mid]]) >= window:
            high = mid
        else:
            low = mid + 1
    return text[: cuts[low]]


def text_key(embedder: Embedder, text: str) -> Key:
    return keyed_input(embedder, text)[0]


def keyed_input(embedder: Embedder | InputWindow, text: str) -> tuple[Key, str]:
    """``text``'s key and its model input (what to embed: the same vector, and a text
    longer than the window is not tokenized past it)."""
    model_text = model_input(embedder, text)
    return hashlib.sha256(model_text.encode("utf-8")).digest(), model_text


class VectorStore:
    """One model's vectors in ``path`` (SQLite), safe across threads and processes.

    The connection opens on first use, so a process that never answers nor ingests
    creates nothing.
    """

    def __init__(self, path: Path, dim: int) -> None:
        self.path = path
        self.dim = dim
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._loose_written = _TRIM_EVERY  # trim on the first loose write of a process

    @classmethod
    def for_embedder(cls, data_dir: Path, embedder: Embedder) -> VectorStore:
        return cls(data_dir / "vectors" / f"{model_key(embedder)}.sqlite", embedder.dim)

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(
                self.path, timeout=_BUSY_MS / 1000, check_same_thread=False, isolation_level=None
            )
            db.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
            use_wal(db, _BUSY_MS / 1000)
            db.execute("PRAGMA synchronous = NORMAL")  # a cache: a lost last write is fine
            db.executescript(_SCHEMA)
            self._connection = db
        return self._connection

    def get(self, keys: Iterable[Key]) -> dict[Key, np.ndarray]:
        """The stored vectors among ``keys`` (absent ones are left out)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[Key, np.ndarray] = {}
        size = self.dim * 4
        with self._lock:
            db = self._db()
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                rows = db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})",
                    part,
                ).fetchall()
                for key, blob in rows:
                    if len(blob) == size:
                        found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(
        self,
        vectors: Mapping[Key, np.ndarray],
        owners: Iterable[tuple[str, Key, bool]] = (),
        chunks: Sequence[str] = (),
    ) -> None:
        """Store ``vectors``; ``owners`` are (chunk id, key, joined) rows (see the module
        docstring), and replace all earlier rows of ``chunks`` (a document warmed again:
        a run of chunks that no longer adjoin is forgotten). A vector no chunk owns is
        loose."""
        owned = list(owners)
        owned_keys = {key for _, key, _ in owned}
        rows = [
            (key, np.asarray(v, dtype=np.float32).tobytes(), 0 if key in owned_keys else 1)
            for key, v in vectors.items()
        ]
        with self._lock:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                if chunks:
                    self._disown(db, chunks)
                db.executemany(
                    "INSERT INTO vectors (key, vector, loose) VALUES (?, ?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET loose = min(loose, excluded.loose)",
                    rows,
                )
                db.executemany(
                    "UPDATE vectors SET loose = 0 WHERE key = ? AND loose = 1",
                    [(key,) for key in owned_keys - vectors.keys()],
                )
                db.executemany(
                    "INSERT OR IGNORE INTO owners (chunk_id, key, joined) VALUES (?, ?, ?)",
                    [(chunk, key, int(joined)) for chunk, key, joined in owned],
                )
                if chunks:
                    self._drop_unowned(db)
                self._loose_written += sum(loose for *_, loose in rows)
                if self._loose_written >= _TRIM_EVERY:
                    self._trim_loose(db)
                    self._loose_written = 0
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def missing(self, keys: Iterable[Key]) -> set[Key]:
        """The keys among ``keys`` with no stored vector."""
        wanted = set(keys)
        return wanted - self.get(wanted).keys()

    def prune(self, chunk_ids: Sequence[str]) -> None:
        """Forget deleted chunks: their owner rows, their joined texts, and every vector
        no chunk owns any more (loose ones stay, under their own limit)."""
        if not chunk_ids:
            return
        with self._lock:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                self._disown(db, chunk_ids, joined_texts=True)
                self._drop_unowned(db)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    @staticmethod
    def _disown(
        db: sqlite3.Connection, chunk_ids: Sequence[str], joined_texts: bool = False
    ) -> None:
        """Delete the owner rows of ``chunk_ids`` (and, ``joined_texts``, every chunk's
        rows of the texts they joined), noting the keys touched in ``touched``."""
        db.execute("CREATE TEMP TABLE IF NOT EXISTS gone (chunk_id TEXT PRIMARY KEY)")
        db.execute("CREATE TEMP TABLE IF NOT EXISTS touched (key BLOB PRIMARY KEY, joined INT)")
        db.execute("DELETE FROM gone")
        db.execute("DELETE FROM touched")
        db.executemany("INSERT OR IGNORE INTO gone VALUES (?)", [(c,) for c in chunk_ids])
        db.execute(
            "INSERT INTO touched SELECT key, max(joined) FROM owners "
            "WHERE chunk_id IN (SELECT chunk_id FROM gone) GROUP BY key"
        )
        db.execute("DELETE FROM owners WHERE chunk_id IN (SELECT chunk_id FROM gone)")
        if joined_texts:
            db.execute(
                "DELETE FROM owners WHERE joined = 1 "
                "AND key IN (SELECT key FROM touched WHERE joined = 1)"
            )

    @staticmethod
    def _drop_unowned(db: sqlite3.Connection) -> None:
        """Delete the touched vectors that no chunk owns now (loose ones stay)."""
        db.execute(
            "DELETE FROM vectors WHERE loose = 0 AND key IN (SELECT key FROM touched) "
            "AND NOT EXISTS (SELECT 1 FROM owners WHERE owners.key = vectors.key)"
        )

    def owned(self, chunk_ids: Iterable[str]) -> set[str]:
        """The chunks among ``chunk_ids`` that own vectors (were warmed)."""
        wanted = list(dict.fromkeys(chunk_ids))
        found: set[str] = set()
        with self._lock:
            db = self._db()
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                marks = ",".join("?" * len(part))
                found.update(
                    row[0]
                    for row in db.execute(
                        f"SELECT DISTINCT chunk_id FROM owners WHERE chunk_id IN ({marks})", part
                    )
                )
        return found

    def count(self) -> int:
        with self._lock:
            return int(self._db().execute("SELECT count(*) FROM vectors").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    @staticmethod
    def _trim_loose(db: sqlite3.Connection) -> None:
        db.execute(
            "DELETE FROM vectors WHERE loose = 1 AND id <= (SELECT id FROM vectors "
            "WHERE loose = 1 ORDER BY id DESC LIMIT 1 OFFSET ?)",
            (LOOSE_LIMIT,),
        )


_stores: weakref.WeakKeyDictionary[Embedder, VectorStore] = weakref.WeakKeyDictionary()


def attach(embedder: Embedder, store: VectorStore) -> None:
    """Give ``embedder`` a store: ``retrieval.vectors`` then reads and writes it."""
    _stores[embedder] = store


def store_of(embedder: Embedder) -> VectorStore | None:
    """The store attached to ``embedder`` (None: vectors live in memory only)."""
    return _stores.get(embedder)
