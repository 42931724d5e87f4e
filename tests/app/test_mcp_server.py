"""The MCP server through the official MCP Python client, over stdio and streamable HTTP.

HTTP: the server runs in this process over the shared sample corpus, standalone and
inside the API server. stdio: ``footnote
mcp`` is a subprocess on the same data directory, so this process lets go of the
embedded index first (the subprocess becomes its owner; the next test reopens it).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult

from app.api import create_app
from app.api.served import Served
from app.mcp_server import MCP_PATH, TOKEN_ENV, http_app
from core.services import Services
from tests.app.api.conftest import Tokens, bearer, make_tokens

SALARIES = "hr/salary-bands-2026.md"
SALARY_QUESTION = "What's the salary range for a Senior Engineer (E4) in Bristol?"


@pytest.fixture(scope="module")
def tokens(sample_copy: Services) -> Tokens:
    return make_tokens(sample_copy)


@pytest.fixture(scope="module", params=["footnote mcp --http", "footnote api"])
def mcp_http(sample_copy: Services, request: pytest.FixtureRequest) -> Iterator[Served]:
    """The MCP endpoint, standalone and as part of the API server."""
    if request.param == "footnote api":
        served = Served(create_app(sample_copy, run_jobs=False)).start()
    else:
        served = Served(http_app(sample_copy)).start()
    yield served
    served.stop()


def _data(result: CallToolResult) -> Any:
    assert not result.is_error, result.content
    data = result.structured_content or {}
    return data.get("result", data)


async def _session(client: Client) -> dict[str, Any]:
    """Every tool, called once, as ``client``'s caller."""
    tools = {t.name for t in (await client.list_tools()).tools}
    sources = _data(await client.call_tool("list_sources", {}))
    found = _data(await client.call_tool("search", {"query": SALARY_QUESTION, "top_k": 5}))
    answer = _data(await client.call_tool("ask", {"question": SALARY_QUESTION}))
    doc = await client.call_tool("get_document", {"doc_id": found[0]["doc_id"]})
    return {"tools": tools, "sources": sources, "found": found, "answer": answer, "doc": doc}


def _http_client(url: str, token: str) -> Client:
    http = httpx2.AsyncClient(headers=bearer(token), timeout=120)
    return Client(streamable_http_client(url, http_client=http))


def test_http_tools_answer_as_the_token(mcp_http: Served, tokens: Tokens) -> None:
    async def main() -> tuple[dict[str, Any], dict[str, Any]]:
        url = f"{mcp_http.url}{MCP_PATH}"
        async with _http_client(url, tokens.hr) as hr:
            as_hr = await _session(hr)
        async with _http_client(url, tokens.outsider) as outsider:
            as_outsider = await _session(outsider)
        return as_hr, as_outsider

    hr, outsider = anyio.run(main)
    assert hr["tools"] == {"search", "ask", "get_document", "list_sources"}
    assert hr["found"][0]["path"] == SALARIES
    assert "78,000" in hr["answer"]["answer"] and hr["answer"]["citations"]
    assert _data(hr["doc"])["path"] == SALARIES
    assert sum(s["documents"] for s in outsider["sources"]) < sum(
        s["documents"] for s in hr["sources"]
    )
    assert SALARIES not in {p["path"] for p in outsider["found"]}
    assert "78,000" not in str(outsider["answer"]) and "78,000" not in str(outsider["found"])


def test_http_without_a_valid_token_is_401(mcp_http: Served, tokens: Tokens) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    for headers in ({}, bearer("fn_nope"), bearer(tokens.revoked), bearer(tokens.expired)):
        response = httpx.post(f"{mcp_http.url}{MCP_PATH}", json=body, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_api_key"


def test_http_rate_limit_is_429(sample_copy: Services, tokens: Tokens) -> None:
    served = Served(http_app(sample_copy, rate_limit=1)).start()
    try:
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        codes = [
            httpx.post(f"{served.url}{MCP_PATH}", json=body, headers=bearer(tokens.hr))
            for _ in range(2)
        ]
        assert codes[0].status_code != 429 and codes[1].status_code == 429
        assert int(codes[1].headers["Retry-After"]) >= 1
    finally:
        served.stop()


def test_stdio_runs_as_footnote_token(sample_copy: Services, tokens: Tokens) -> None:
    footnote = str(Path(sys.executable).with_name("footnote"))
    params = StdioServerParameters(
        command=footnote,
        args=["mcp"],
        env={
            TOKEN_ENV: tokens.outsider,
            "FOOTNOTE_DATA_DIR": str(sample_copy.settings.data_dir),
            "FOOTNOTE_CONFIG": str(sample_copy.settings.data_dir / "no-footnote.toml"),
        },
    )

    async def main() -> dict[str, Any]:
        async with Client(params, read_timeout_seconds=120) as client:
            return await _session(client)

    sample_copy.close()  # the subprocess owns the index now
    result = anyio.run(main)
    assert result["tools"] == {"search", "ask", "get_document", "list_sources"}
    assert SALARIES not in {p["path"] for p in result["found"]}
    assert "78,000" not in str(result)
