"""WAL mode is set even while another connection holds the new file locked."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from core.sqlite import use_wal


def test_wal_waits_out_a_lock_held_by_another_connection(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")  # what another process creating the file holds
    threading.Timer(0.3, holder.execute, ["COMMIT"]).start()
    db = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    use_wal(db, wait_s=10)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    use_wal(db, wait_s=0)  # already WAL: nothing to wait for
    holder.close()
    db.close()
