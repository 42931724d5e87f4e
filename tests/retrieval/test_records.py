"""The audit chain: tampering is found, and concurrent writers never fork it, on SQLite
and on a real PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from core.db import AuditEntry
from core.services import Services
from retrieval.records import _entry_hash, append_audit, verify_audit_chain
from tests.conftest import make_settings
from tests.core.conftest import fresh_postgres, postgres_url  # noqa: F401 (fixtures)

WRITERS, EACH = 6, 5


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Services]:
    url = request.getfixturevalue("fresh_postgres") if request.param == "postgres" else None
    svc = Services(make_settings(tmp_path / "footnote", database_url=url))
    yield svc
    svc.close()


def _append(svc: Services, n: int, user: str = "ann") -> None:
    for i in range(n):
        with svc.sessions.begin() as session:
            append_audit(session, user, "answer", {"answer_id": i})


def test_tampering_is_detected(sql: Services) -> None:
    _append(sql, 4)
    assert verify_audit_chain(sql.sessions) is None
    with sql.sessions() as session:
        ids = list(session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))

    with sql.sessions.begin() as session:  # an edited entry no longer matches its hash
        session.execute(update(AuditEntry).where(AuditEntry.id == ids[1]).values(user_id="eve"))
    assert verify_audit_chain(sql.sessions) == ids[1]

    with sql.sessions.begin() as session:  # ... re-hashing it breaks the next link instead
        entry = session.get_one(AuditEntry, ids[1])
        entry.hash = _entry_hash(entry.prev_hash, entry)
    assert verify_audit_chain(sql.sessions) == ids[2]

    with sql.sessions.begin() as session:  # a deleted entry breaks the link after it
        session.execute(delete(AuditEntry).where(AuditEntry.id.in_(ids[1:3])))
    assert verify_audit_chain(sql.sessions) == ids[3]


def test_concurrent_writers_keep_one_chain(sql: Services) -> None:
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(user: str) -> None:
        try:
            start.wait()
            _append(sql, EACH, user)
        except BaseException as exc:  # noqa: BLE001 (reported by the test thread)
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"u{i}",)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sql.sessions() as session:
        links = list(session.scalars(select(AuditEntry.prev_hash)))
    assert len(links) == len(set(links)) == WRITERS * EACH  # nobody shares a previous entry
    assert verify_audit_chain(sql.sessions) is None
