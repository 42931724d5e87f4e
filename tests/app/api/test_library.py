"""Search, documents and jobs over HTTP, bounded by the token's groups."""

from __future__ import annotations

import time

import httpx

from tests.app.api.conftest import Tokens, bearer

SALARIES = "hr/salary-bands-2026.md"


def _docs(client: httpx.Client, token: str) -> dict[str, dict]:
    response = client.get("/v1/documents", headers=bearer(token))
    assert response.status_code == 200
    return {d["path"]: d for d in response.json()["data"]}


def test_search_returns_only_what_the_token_may_see(client: httpx.Client, tokens: Tokens) -> None:
    query = {"query": "salary band Senior Engineer E4 Bristol", "top_k": 5}
    hr = client.post("/v1/search", headers=bearer(tokens.hr), json=query).json()["data"]
    outsider = client.post("/v1/search", headers=bearer(tokens.outsider), json=query).json()
    assert hr[0]["path"] == SALARIES and hr[0]["url"] == f"/v1/documents/{hr[0]['doc_id']}"
    assert len(hr) <= 5 and {"text", "section", "page", "score"} <= set(hr[0])
    assert SALARIES not in {p["path"] for p in outsider["data"]}


def test_search_validates_its_body(client: httpx.Client, tokens: Tokens) -> None:
    response = client.post("/v1/search", headers=bearer(tokens.hr), json={"query": ""})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "query"


def test_documents_are_listed_by_group(client: httpx.Client, tokens: Tokens) -> None:
    hr, outsider = _docs(client, tokens.hr), _docs(client, tokens.outsider)
    assert SALARIES in hr and SALARIES not in outsider
    assert set(outsider) < set(hr)
    assert all("all" in d["groups"] for d in outsider.values())


def test_document_detail_has_status_lineage_and_text(client: httpx.Client, tokens: Tokens) -> None:
    doc = _docs(client, tokens.hr)[SALARIES]
    detail = client.get(doc["url"], headers=bearer(tokens.hr)).json()
    assert detail["status"] == "indexed" and detail["groups"] == ["hr", "leadership"]
    assert detail["lineage"][0]["action"] == "added"
    assert detail["lineage"][0]["requested_by"] == "tests"
    assert len(detail["chunks"]) == doc["chunk_count"] and "78,000" in str(detail["chunks"])


def test_a_document_one_may_not_see_is_not_found(client: httpx.Client, tokens: Tokens) -> None:
    doc = _docs(client, tokens.hr)[SALARIES]
    response = client.get(doc["url"], headers=bearer(tokens.outsider))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "document_not_found"
    assert "78,000" not in response.text


def test_admin_queues_a_job_that_the_server_runs(client: httpx.Client, tokens: Tokens) -> None:
    admin = bearer(tokens.admin)
    queued = client.post("/v1/jobs", headers=admin, json={"source": "sample"})
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert job["status"] == "queued" and job["requested_by"] == "kim"
    deadline = time.monotonic() + 120
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        job = client.get(f"/v1/jobs/{job['id']}", headers=admin).json()
    assert job["status"] == "succeeded", job
    assert job["added"] == 0 and job["unchanged"] > 0 and job["events"]


def test_job_errors_say_what_to_do(client: httpx.Client, tokens: Tokens) -> None:
    admin = bearer(tokens.admin)
    bad = client.post("/v1/jobs", headers=admin, json={"source": "no-such-source"})
    assert bad.status_code == 400 and "footnote.toml" in bad.json()["error"]["message"]
    missing = client.get("/v1/jobs/999999", headers=admin)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "job_not_found"


def test_jobs_run_only_configured_sources(client: httpx.Client, tokens: Tokens) -> None:
    """An admin token cannot make the server read a folder or fetch a URL of its choice."""
    admin = bearer(tokens.admin)
    for source in ("/etc", "http://127.0.0.1:9/", "https://intranet.example/"):
        refused = client.post("/v1/jobs", headers=admin, json={"source": source})
        assert refused.status_code == 400, source
        assert refused.json()["error"]["code"] == "invalid_source"
        assert "footnote ingest" in refused.json()["error"]["message"]
    no_source = client.post("/v1/jobs", headers=admin, json={"paths": ["/etc/passwd"]})
    assert no_source.status_code in (400, 422)
