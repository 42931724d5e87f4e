"""Citations link to their document's URL (a web page, or ``link:`` in front matter)."""

from __future__ import annotations

from core.db import Document
from core.services import Services
from retrieval.citations import document_links, with_links
from retrieval.types import Citation


def _citation(doc_id: str) -> Citation:
    return Citation(1, "c", doc_id, "Title", "src", "a.md", [], None, "A quote.")


def test_links_come_from_the_document_and_only_http(services: Services) -> None:
    with services.sessions() as session:
        for doc_id, link in (("web", "https://intranet/a"), ("js", "javascript:alert(1)")):
            session.add(Document(id=doc_id, source="src", path=f"{doc_id}.md", meta={"link": link}))
        session.add(Document(id="plain", source="src", path="plain.md", meta={}))
        session.commit()
    cited = with_links([_citation(d) for d in ("web", "js", "plain", "gone")], services.sessions)
    assert [c.link for c in cited] == ["https://intranet/a", "", "", ""]
    assert cited[0].to_dict()["link"] == "https://intranet/a"
    assert with_links([], services.sessions) == []
    wanted = ("web", "js", "plain", "gone")
    assert document_links(wanted, services.sessions) == {"web": "https://intranet/a"}
