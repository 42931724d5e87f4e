"""Bearer tokens on every route, the admin line, the rate limit, audit and concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select

from app.api import create_app
from app.api.auth import RateLimiter
from app.api.served import Served
from app.api.tokens import authenticate
from core.db import AuditEntry
from core.db.models import ApiToken
from core.services import Services
from retrieval.records import verify_audit_chain
from tests.app.api.conftest import Tokens, bearer

ROUTES = [
    ("GET", "/v1/models"),
    ("POST", "/v1/search"),
    ("GET", "/v1/documents"),
    ("POST", "/v1/chat/completions"),
    ("GET", "/v1/jobs/1"),
]


@pytest.mark.parametrize("method,path", ROUTES)
@pytest.mark.parametrize("kind", ["missing", "malformed", "unknown", "expired", "revoked"])
def test_no_valid_token_is_401(
    client: httpx.Client, tokens: Tokens, method: str, path: str, kind: str
) -> None:
    headers = {
        "missing": {},
        "malformed": {"Authorization": "Basic dXNlcjpwYXNz"},
        "unknown": bearer("fn_not-a-token-anyone-made"),
        "expired": bearer(tokens.expired),
        "revoked": bearer(tokens.revoked),
    }[kind]
    response = client.request(method, path, headers=headers, json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    error = response.json()["error"]
    assert error["type"] == "authentication_error" and error["code"] == "invalid_api_key"
    if kind in ("expired", "revoked"):
        assert kind in error["message"]


def test_admin_routes_need_an_admin_token(client: httpx.Client, tokens: Tokens) -> None:
    for token in (tokens.outsider, tokens.hr):
        response = client.post("/v1/jobs", headers=bearer(token), json={"source": "sample"})
        assert response.status_code == 403
        assert "--admin" in response.json()["error"]["message"]
        assert client.get("/v1/jobs/1", headers=bearer(token)).status_code == 403


def test_health_and_docs_are_open(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/v1/chat/completions" in schema["paths"] and "HTTPBearer" in str(schema)


def test_rate_limit_is_429_with_retry_after(sample_copy: Services, tokens: Tokens) -> None:
    served = Served(create_app(sample_copy, rate_limit=2, run_jobs=False)).start()
    try:
        with httpx.Client(base_url=served.url) as http:
            codes = [http.get("/v1/models", headers=bearer(tokens.hr)) for _ in range(3)]
            assert [r.status_code for r in codes] == [200, 200, 429]
            assert int(codes[-1].headers["Retry-After"]) >= 1
            assert codes[-1].json()["error"]["type"] == "rate_limit_error"
            # Another token has its own bucket.
            assert http.get("/v1/models", headers=bearer(tokens.outsider)).status_code == 200
    finally:
        served.stop()


def test_rate_limiter_refills() -> None:
    limiter = RateLimiter(per_minute=60)
    assert all(limiter.take(1) == 0 for _ in range(60))
    wait = limiter.take(1)
    assert 0 < wait <= 1.0


def test_each_call_is_audited_and_counted(
    client: httpx.Client, tokens: Tokens, sample_copy: Services
) -> None:
    who = authenticate(sample_copy.sessions, sample_copy.settings, tokens.outsider)
    with sample_copy.sessions() as session:
        before = session.get(ApiToken, who.token_id)
        last = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    client.post("/v1/search", headers=bearer(tokens.outsider), json={"query": "parental leave"})
    with sample_copy.sessions() as session:
        token = session.get(ApiToken, who.token_id)
        entries = session.scalars(select(AuditEntry).where(AuditEntry.id > (last or 0))).all()
    assert before is not None and token is not None
    assert token.requests == before.requests + 1 and token.last_used_at is not None
    assert [(e.user_id, e.action) for e in entries] == [("outsider", "api.search")]
    assert entries[0].detail["token_id"] == token.id and entries[0].detail["chunks"]
    assert verify_audit_chain(sample_copy.sessions) is None


def test_twenty_concurrent_requests_all_succeed(client: httpx.Client, tokens: Tokens) -> None:
    questions = [
        "How many days of annual leave do I get?",
        "How do I connect to the VPN?",
        "What is the per diem in Kraków?",
        "What do I do when the fire alarm sounds?",
    ]

    def call(i: int) -> httpx.Response:
        token = tokens.hr if i % 2 else tokens.outsider
        with httpx.Client(base_url=str(client.base_url), timeout=120) as http:
            if i % 4 == 3:
                return http.post(
                    "/v1/search", headers=bearer(token), json={"query": questions[i % 4]}
                )
            body = {
                "model": "footnote",
                "messages": [{"role": "user", "content": questions[i % 4]}],
            }
            if i % 4 == 1:
                body["stream"] = True
            return http.post("/v1/chat/completions", headers=bearer(token), json=body)

    for i in range(3):  # the first answers embed their passages' sentences; the burst reuses them
        assert call(i).status_code == 200
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(call, range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    streamed = [r for i, r in enumerate(responses) if i % 4 == 1]
    assert all(r.text.rstrip().endswith("data: [DONE]") for r in streamed)
