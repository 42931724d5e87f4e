"""Both index backends behave the same: the embedded engine and the server code path."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from core.index import (
    ChunkRecord,
    HybridQuery,
    Index,
    IndexLocked,
    SearchFilter,
    open_index,
)
from tests.conftest import make_settings

DIM = 8


@pytest.fixture(params=["edge", "server-local"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Index]:
    extra = {"qdrant_local_path": tmp_path / "q"} if request.param == "server-local" else {}
    idx = open_index(make_settings(tmp_path / "f", **extra), DIM)
    yield idx
    idx.close()


def _record(i: int, text: str, groups: list[str], date: float) -> ChunkRecord:
    payload = {
        "text": text,
        "doc_id": f"d{i}",
        "source": "s" if i < 2 else "t",
        "groups": groups,
        "path": f"p{i}",
        "doc_date": date,
    }
    return ChunkRecord(str(uuid.uuid5(uuid.NAMESPACE_URL, str(i))), np.eye(DIM)[i], text, payload)


RECORDS = [
    _record(0, "annual leave policy for everyone", ["all"], 100.0),
    _record(1, "salary bands for the hr team", ["hr"], 200.0),
    _record(2, "vpn setup and leave of absence", ["all", "eng"], 300.0),
]


def test_filters_search_and_deletes(index: Index) -> None:
    index.upsert(RECORDS)
    index.optimize()
    ids = [r.id for r in RECORDS]
    assert index.count() == 3 and index.ids() == set(ids) and index.ids("d1") == {ids[1]}
    assert index.count(SearchFilter.for_groups(["all"])) == 2
    assert index.count(SearchFilter(groups=None, sources=("t",))) == 1
    assert index.count(SearchFilter(groups=None, date_from=150.0, date_to=300.0)) == 2
    sparse = index.search_sparse("leave", SearchFilter.for_groups(["all"]), 5)
    assert {h.payload["doc_id"] for h in sparse} == {"d0", "d2"}
    assert index.search_sparse("salary", SearchFilter.for_groups(["all"]), 5) == []
    dense = index.search_dense(np.eye(DIM)[1], SearchFilter.for_groups(["hr"]), 1)
    assert dense[0].id == ids[1] and dense[0].score == pytest.approx(1.0, abs=1e-4)
    assert index.get([ids[2]])[0].payload["doc_id"] == "d2"
    vectors = index.vectors([ids[0], ids[2], str(uuid.uuid4())])
    assert set(vectors) == {ids[0], ids[2]} and np.allclose(vectors[ids[0]], np.eye(DIM)[0])
    assert index.vectors([]) == {}
    similar = index.similarities(np.eye(DIM)[2], [ids[0], ids[2]])
    assert similar[ids[2]] == pytest.approx(1.0, abs=1e-4) and similar[ids[0]] == pytest.approx(0.0)
    assert index.similarities(np.eye(DIM)[2], []) == {}
    index.delete_documents(["d0"])
    index.delete([ids[1]])
    index.flush()
    assert index.ids() == {ids[2]}


def test_embedded_index_has_one_owner(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    owner = open_index(settings, DIM)
    with pytest.raises(IndexLocked, match="in use by pid"):
        open_index(settings, DIM)
    owner.close()
    open_index(settings, DIM).close()


def test_scroll_reads_a_documents_neighbouring_chunks_through_the_filter(index: Index) -> None:
    records = [
        ChunkRecord(
            str(uuid.uuid5(uuid.NAMESPACE_URL, f"c{n}")),
            np.eye(DIM)[n],
            f"chunk {n}",
            {"text": f"chunk {n}", "doc_id": "d", "groups": ["hr"], "ordinal": n},
        )
        for n in range(5)
    ]
    index.upsert(records)
    near = SearchFilter.for_groups(["all", "hr"], doc_ids=("d",), ordinals=(1, 3))
    assert sorted(h.payload["ordinal"] for h in index.scroll(near, 10)) == [1, 2, 3]
    outsider = SearchFilter.for_groups(["all"], doc_ids=("d",), ordinals=(0, 4))
    assert index.scroll(outsider, 10) == []


def _tied_groups(scored: list[tuple[str, float]]) -> list[tuple[float, frozenset[str]]]:
    """A ranking as its runs of equal scores: RRF ties are ordered by no rule in the engine."""
    groups: dict[float, set[str]] = {}
    for point_id, score in scored:
        groups.setdefault(round(score, 7), set()).add(point_id)
    return sorted(((s, frozenset(ids)) for s, ids in groups.items()), key=lambda g: -g[0])


def test_hybrid_query_fuses_in_the_engine_as_python_does(index: Index) -> None:
    """The engine's RRF gives ``fuse``'s scores, so the same ranking up to tied scores."""
    from retrieval.search import Fusion, fuse

    rng = np.random.default_rng(3)
    words = ["leave", "salary", "vpn", "policy", "laptop", "expenses", "travel", "bonus"]
    records = []
    for n in range(60):
        vector = rng.standard_normal(DIM)
        text = " ".join(rng.choice(words, size=6))
        groups = ["all"] if n % 3 else ["hr"]
        payload = {"text": text, "doc_id": f"d{n}", "groups": groups, "ordinal": 0}
        records.append(
            ChunkRecord(str(uuid.uuid5(uuid.NAMESPACE_URL, f"h{n}")), vector, text, payload)
        )
    index.upsert(records)
    index.optimize()
    flt = SearchFilter.for_groups(["all"])
    query, text = rng.standard_normal(DIM), "leave policy for travel"
    for weight in (1.0, 2.0):
        fusion = Fusion(weight, weight, rrf_k=60, candidates=15)
        python = fuse(
            index.search_dense(query, flt, 15), index.search_sparse(text, flt, 15), fusion
        )
        engine = index.search_hybrid(HybridQuery(query, text, 60, 15, weight, weight), flt, 30)
        assert all(h.payload["groups"] == ["all"] for h in engine)
        assert _tied_groups([(h.id, h.score) for h in engine]) == _tied_groups(
            [(h.id, s) for h, s in python]
        )
    dense_only = index.search_hybrid(HybridQuery(query, text, 60, 15, 1.0, 0.0), flt, 30)
    assert [h.id for h in dense_only] == [h.id for h in index.search_dense(query, flt, 15)]
    assert index.search_hybrid(HybridQuery(query, "the of", 60, 15, 0.0, 1.0), flt, 30) == []
    with pytest.raises(ValueError, match="same weight"):
        index.search_hybrid(HybridQuery(query, text, 60, 15, 1.0, 0.5), flt, 30)
