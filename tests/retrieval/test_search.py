"""Hybrid search: fusion, access groups inside the engine query, filters, diversity."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from pathlib import Path

import numpy as np

from core.embeddings.hashing import HashEmbedder
from core.index import ChunkRecord, Hit, SearchFilter, open_index
from core.services import Services
from retrieval import FootnoteRetriever, search
from retrieval.search import Fusion, Searcher, diversify, fuse, search_filter
from retrieval.types import Filters, Passage, User
from tests.conftest import make_settings
from tests.retrieval.conftest import Doc, chunk_id, write_docs

EVERYONE = User("ann", groups=("all",))
HR = User("hana", groups=("all", "hr"))


def _passage(cid: str, doc: str, ordinal: int, text: str, section: str = "S") -> Passage:
    return Passage(
        chunk_id=cid,
        doc_id=doc,
        text=text,
        title=doc,
        source="t",
        path=f"{doc}.md",
        section=[section],
        page=None,
        groups=["all"],
        score=1.0,
        chunk_ids=[cid],
        ordinal=ordinal,
    )


def test_weighted_rrf_rewards_agreement_and_respects_weights() -> None:
    dense = [Hit("a", 0.9), Hit("b", 0.8), Hit("c", 0.7)]
    sparse = [Hit("c", 9.0), Hit("a", 5.0)]
    fused = fuse(dense, sparse, Fusion(rrf_k=60, ordered=0))
    assert [h.id for h, _ in fused] == ["a", "c", "b"]
    assert fused[0][1] == 1 / 61 + 1 / 62
    sparse_heavy = fuse(
        dense, sparse, Fusion(dense_weight=0.2, sparse_weight=1.0, rrf_k=60, ordered=0)
    )
    assert sparse_heavy[0][0].id == "c"


def test_scores_order_the_chunks_rank_fusion_chose() -> None:
    """A clear dense winner that BM25 ranks last comes back first; the set is unchanged."""
    dense = [Hit("a", 0.90), Hit("b", 0.40), Hit("c", 0.39)]
    sparse = [Hit("b", 5.0), Hit("c", 4.9), Hit("d", 4.8), Hit("a", 1.0)]
    by_rank = fuse(dense, sparse, Fusion(ordered=0))
    assert [h.id for h, _ in by_rank][:2] == ["b", "a"]
    by_score = fuse(dense, sparse, Fusion(ordered=3, dense_share=0.7))
    assert [h.id for h, _ in by_score] == ["a", "b", "c", "d"]
    assert {h.id for h, _ in by_score[:3]} == {h.id for h, _ in by_rank[:3]}
    assert dict((h.id, s) for h, s in by_score) == dict((h.id, s) for h, s in by_rank)
    assert fuse(dense, [], Fusion(ordered=3)) == fuse(dense, [], Fusion(ordered=0))


def test_a_document_both_lists_rank_first_leads() -> None:
    """Its best dense chunk and its best BM25 chunk each rank far down the other list, so
    rank fusion puts a chunk both lists rank second above both; the document leads."""

    def hit(cid: str, doc: str, score: float) -> Hit:
        return Hit(cid, score, {"doc_id": doc})

    fill = [f"f{i}" for i in range(4)]
    dense = [hit("x1", "X", 0.9), hit("y", "Y", 0.8)] + [hit(f, f, 0.5) for f in fill]
    sparse = [hit("x2", "X", 9.0), hit("y", "Y", 8.0)] + [hit(f, f, 5.0) for f in fill]
    dense.append(hit("x2", "X", 0.4))
    sparse.append(hit("x1", "X", 4.0))
    fused = fuse(dense, sparse, Fusion(ordered=0))
    assert fused[0][0].payload["doc_id"] == "X" and fused[1][0].id == "y"
    disagree = fuse(dense[1:], sparse, Fusion(ordered=0))
    assert disagree[0][0].id == "y"  # no agreement: rank fusion as it is


def test_a_questions_dense_first_chunk_is_ordered_by_its_score_when_bm25_never_found_it() -> None:
    """Rank fusion puts every chunk both lists find above one only the dense list finds,
    however far ahead of the rest it is; the score order brings it back first."""
    both = [f"c{i}" for i in range(8)]
    dense = [Hit("a", 0.95)] + [Hit(c, 0.5 - i / 100) for i, c in enumerate(both)]
    sparse = [Hit(c, 8.0 - i / 10) for i, c in enumerate(both)]
    by_rank = fuse(dense, sparse, Fusion(ordered=0))
    assert [h.id for h, _ in by_rank].index("a") == 8
    fused = fuse(dense, sparse, Fusion(ordered=8, dense_share=0.7), question=True)
    assert fused[0][0].id == "a"
    assert {h.id for h, _ in fused} == {h.id for h, _ in by_rank}
    statement = fuse(dense, sparse, Fusion(ordered=8, dense_share=0.7))
    assert [h.id for h, _ in statement].index("a") == 8  # a claim shares its terms


class _Towards(HashEmbedder):
    """Embeds every query as the first axis (the vectors below are set by hand)."""

    def embed_query(self, text: str) -> np.ndarray:
        return np.array([1.0, 0.0, 0.0], dtype=np.float32)


def test_a_statement_brings_up_chunks_like_its_first_hit_and_a_question_does_not(
    tmp_path: Path,
) -> None:
    """``b`` is nearer the query than ``c``, but ``c`` is nearer the first hit ``a``."""
    vectors = {"a": (0.8, 0.6, 0.0), "b": (0.75, -0.66, 0.0), "c": (0.6, 0.8, 0.0)}
    texts = {"a": "alpha topic", "b": "unrelated words", "c": "other words"}
    settings = make_settings(tmp_path)
    index = open_index(settings, 3)
    ids = {k: str(uuid.uuid5(uuid.NAMESPACE_URL, k)) for k in vectors}
    index.upsert(
        [
            ChunkRecord(ids[k], np.array(v) / np.linalg.norm(v), texts[k], {"groups": ["all"]})
            for k, v in vectors.items()
        ]
    )
    searcher = Searcher(index, _Towards(dim=3), settings)
    names = {v: k for k, v in ids.items()}

    def order(query: str, feedback: float) -> list[str]:
        fusion = replace(Fusion.from_settings(settings), feedback=feedback)
        hits = searcher.hits(query, SearchFilter.for_groups(["all"]), fusion)
        return [names[h.id] for h, _ in hits]

    assert settings.feedback > 0
    assert order("alpha topic", 0.0) == ["a", "b", "c"]
    assert order("alpha topic", settings.feedback) == ["a", "c", "b"]
    assert order("what is the alpha topic?", settings.feedback) == ["a", "b", "c"]
    index.close()


def test_finds_the_answer_by_both_words_and_meaning(indexed: Services) -> None:
    found = search("how many days of annual leave do employees get", EVERYONE, services=indexed)
    assert found[0].path == "hr/leave-policy.md"
    assert found[0].section == ["Annual leave"]


def test_restricted_chunks_are_filtered_in_the_engine(indexed: Services) -> None:
    query = "salary band senior engineer ZEBRA-42"
    assert all(p.source != "restricted" for p in search(query, EVERYONE, services=indexed))
    assert search(query, HR, services=indexed)[0].path == "hr/salary-bands-2026.md"


def test_optional_filters(indexed: Services) -> None:
    only_restricted = search(
        "annual leave", HR, services=indexed, filters=Filters(sources=("restricted",))
    )
    assert {p.source for p in only_restricted} == {"restricted"}
    leave = search("annual leave", EVERYONE, services=indexed)[0]
    in_doc = search("parking", EVERYONE, services=indexed, filters=Filters(doc_ids=(leave.doc_id,)))
    assert {p.doc_id for p in in_doc} == {leave.doc_id}
    assert search("   ", EVERYONE, services=indexed) == []


def test_near_copies_are_dropped(indexed: Services) -> None:
    found = search("staff parking north car park", EVERYONE, services=indexed)
    assert sum(p.title.startswith("Parking") for p in found) == 1


def test_adjacent_chunks_of_one_section_merge(indexed: Services) -> None:
    found = search("annual leave requests HR portal days", EVERYONE, services=indexed)
    leave = [p for p in found if p.path == "hr/leave-policy.md" and p.section == ["Annual leave"]]
    assert len(leave) == 1
    assert leave[0].chunk_ids == [
        chunk_id("hr/leave-policy.md", 0),
        chunk_id("hr/leave-policy.md", 1),
    ]
    assert "25 days" in leave[0].text and "HR portal" in leave[0].text


def test_diversify_caps_chunks_per_document() -> None:
    ranked = [
        _passage(f"c{i}", "doc", i * 2, f"distinct text number {i} about x{i}") for i in range(5)
    ]
    ranked.append(_passage("o", "other", 0, "another document entirely"))
    kept = diversify(ranked, top_k=8, max_per_doc=2)
    assert [p.chunk_id for p in kept] == ["c0", "c1", "o"]


def test_diversify_does_not_merge_across_sections() -> None:
    ranked = [_passage("a", "d", 0, "alpha one", "S1"), _passage("b", "d", 1, "beta two", "S2")]
    assert [p.chunk_id for p in diversify(ranked, top_k=8, max_per_doc=3)] == ["a", "b"]


def test_llama_index_retriever(indexed: Services) -> None:
    retriever = FootnoteRetriever(EVERYONE, services=indexed, top_k=3)
    nodes = retriever.retrieve("VPN client")
    assert nodes[0].node.metadata["path"] == "it/vpn-setup.md"
    assert nodes[0].node.metadata["page"] == 2
    assert all(n.node.metadata["source"] != "restricted" for n in retriever.retrieve("salary"))


_STEPS = Doc(
    "hr/expenses.md",
    "Expenses",
    [
        (["Claiming"], "To claim a purchase, keep the receipt."),
        (["Claiming"], "Upload the receipt to Spendly."),
        (["Claiming"], "Your manager approves the claim."),
        (["Payment"], "Claims are paid with the next payroll run."),
        (["Limits"], "Meals are capped at 30 pounds a day."),
    ],
)
_SECRET = Doc(
    "hr/reorg.md",
    "Reorganisation",
    [(["Plan"], "The plan is confidential."), (["Plan"], "Team Blue merges into Team Red.")],
    groups=["hr"],
)


def _found(doc: Doc, ordinal: int) -> Passage:
    """The passage a search would return for chunk ``ordinal`` of ``doc``."""
    doc_id = hashlib.sha1(f"{doc.source}:{doc.path}".encode()).hexdigest()
    section, text = doc.chunks[ordinal]
    found = _passage(chunk_id(doc.path, ordinal), doc_id, ordinal, text, section[0])
    return replace(found, path=doc.path, source=doc.source, groups=list(doc.groups))


def test_widen_reads_the_neighbouring_chunks_of_the_documents_found(services: Services) -> None:
    write_docs(services, [_STEPS])
    searcher = Searcher(services.index, services.embedder, services.settings)
    wider = searcher.widen([_found(_STEPS, 1)], EVERYONE, reach=2)
    assert wider[0].chunk_id == chunk_id(_STEPS.path, 0)  # merged back to its section start
    assert wider[0].text.splitlines() == [text for _, text in _STEPS.chunks[:3]]
    assert [p.ordinal for p in wider[1:]] == [3]  # another section: its own passage
    assert all("30 pounds" not in p.text for p in wider)  # beyond the reach


def test_widen_keeps_the_access_filter(services: Services) -> None:
    write_docs(services, [_SECRET])
    searcher = Searcher(services.index, services.embedder, services.settings)
    found = _found(_SECRET, 0)
    assert "Team Red" in "".join(p.text for p in searcher.widen([found], HR))
    assert "Team Red" not in "".join(p.text for p in searcher.widen([found], EVERYONE))


def test_every_asker_searches_what_everyone_may_see() -> None:
    """The engine's filter holds "all" even for a caller that left it out (core.access)."""
    assert search_filter(User("x", groups=("hr",))).groups == ("all", "hr")
    assert search_filter(User("x", groups=())).groups == ("all",)
