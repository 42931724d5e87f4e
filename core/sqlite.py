"""What every SQLite file of Footnote's needs on opening (the catalog's and the vector
store's): WAL mode, set safely when several processes open a new file at once."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

_RETRY_S = 0.05


def use_wal(db: Any, wait_s: float) -> None:
    """Put the file of ``db`` (a DB-API connection or cursor) in WAL mode; it stays so.

    SQLite answers "database is locked" to a journal-mode change without calling the busy
    handler, so two processes creating the file at the same moment (the app and a CLI
    ingest, or two test workers) would fail; this waits up to ``wait_s`` instead. A file
    already in WAL is left alone."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(_RETRY_S)
