"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests.

It speaks ``POST /v1/chat/completions`` (JSON, or SSE when ``stream`` is true, with
usage including ``prompt_tokens_details.cached_tokens``) and ``POST /v1/embeddings``.
Each test scripts what comes next with ``server.script(Reply...)``; when the queue is
empty the server answers with ``server.default``: a ``Reply``, or a function of the
request that returns one (a model that reads its prompt, for runs of many questions).
Every request is recorded (``server.requests``) so tests can read the prompt the model
would have seen.

    server.script(Reply.error(429, retry_after=0.01), Reply.text("Yes [1]."))
    ... call the client ...
    assert "ignore previous" not in server.requests[-1].prompt
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from core.embeddings import HashEmbedder
from core.tokens import count_tokens

Kind = Literal["text", "error", "slow", "broken", "garbage"]


@dataclass(frozen=True)
class Reply:
    """One scripted behaviour; build it with the class methods."""

    kind: Kind = "text"
    content: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    cached_tokens: int = 0

    @classmethod
    def text(cls, content: str, cached_tokens: int = 0) -> Reply:
        return cls("text", content, cached_tokens=cached_tokens)

    @classmethod
    def error(cls, status: int, retry_after: float | None = None) -> Reply:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return cls("error", status=status, headers=headers)

    @classmethod
    def slow(cls, content: str, delay_s: float) -> Reply:
        """Sends the first word, then stalls ``delay_s`` before the rest."""
        return cls("slow", content, delay_s=delay_s)

    @classmethod
    def broken(cls, content: str) -> Reply:
        """Streams the first half of ``content``, then drops the connection."""
        return cls("broken", content)

    @classmethod
    def garbage(cls) -> Reply:
        return cls("garbage")


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        """Every message's content, joined: what the model would have read."""
        return "\n".join(m.get("content") or "" for m in self.body.get("messages", []))

    @property
    def sources(self) -> dict[int, str]:
        """The numbered source blocks of the prompt, by id (their header lines and text)."""
        found = re.finditer(r'<source id="(\d+)">\n(.*?)\n</source>', self.prompt, re.DOTALL)
        return {int(m.group(1)): m.group(2) for m in found}

    def superseded_sources(self) -> dict[int, str]:
        """The source blocks marked as an old version (``status: …`` from retrieval.lineage):
        what the scripted server checks arrives marked."""
        return {n: block for n, block in self.sources.items() if "\nstatus: " in block}


class OpenAIServer:
    def __init__(self) -> None:
        self.default: Reply | Callable[[Received], Reply] = Reply.text(
            "I could not find this in the documents."
        )
        self.requests: list[Received] = []
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL to configure (``openai_base_url``)."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()

    def chat_requests(self) -> list[Received]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def start(self) -> OpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- used by the handler --------------------------------------------------------------
    def _next(self, received: Received) -> Reply:
        with self._lock:
            self.requests.append(received)
            if self._queue:
                return self._queue.popleft()
            default = self.default
        return default(received) if callable(default) else default

    def _pause(self, seconds: float) -> None:
        self._stop.wait(seconds)


def _handler(server: OpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            try:
                body = json.loads(raw)
            except json.JSONDecodeError:
                body = {}
            received = Received(self.path, dict(self.headers.items()), body)
            if self.path.endswith("/embeddings"):
                server.requests.append(received)
                return self._embeddings(body)
            if not self.path.endswith("/chat/completions"):
                return self._json(404, {"error": {"message": f"no route {self.path}"}})
            reply = server._next(received)
            if reply.kind == "error":
                return self._json(reply.status, _error_body(reply.status), reply.headers)
            if reply.kind == "garbage":
                return self._raw(200, b"<html>this is not JSON", "application/json")
            if body.get("stream"):
                return self._stream(body, reply)
            return self._json(200, _completion(body, reply))

        # -- responses ------------------------------------------------------------------
        def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
            payload = json.dumps(data).encode()
            self._raw(status, payload, "application/json", headers)

        def _raw(
            self, status: int, payload: bytes, ctype: str, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        def _stream(self, body: dict[str, Any], reply: Reply) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            words = reply.content.split(" ")
            pieces = [w if i == 0 else " " + w for i, w in enumerate(words)]
            if reply.kind == "broken":
                for piece in pieces[: max(1, len(pieces) // 2)]:
                    self._event(_chunk(body, {"content": piece}))
                self.wfile.write(b'40\r\ndata: {"choices": [')  # a chunk cut short
                self.wfile.flush()
                self.close_connection = True
                return
            self._event(_chunk(body, {"role": "assistant", "content": ""}))
            for i, piece in enumerate(pieces):
                if reply.kind == "slow" and i == 1:
                    server._pause(reply.delay_s)
                self._event(_chunk(body, {"content": piece}))
            self._event(_chunk(body, {}, finish="stop"))
            if (body.get("stream_options") or {}).get("include_usage"):
                self._event({**_chunk(body, {}), "choices": [], "usage": _usage(body, reply)})
            self._send_chunk(b"data: [DONE]\n\n")
            self._send_chunk(b"")

        def _event(self, data: dict[str, Any]) -> None:
            self._send_chunk(f"data: {json.dumps(data)}\n\n".encode())

        def _send_chunk(self, payload: bytes) -> None:
            self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
            self.wfile.flush()

        def _embeddings(self, body: dict[str, Any]) -> None:
            texts = body.get("input") or []
            texts = [texts] if isinstance(texts, str) else texts
            embedder = HashEmbedder(int(body.get("dimensions") or 1536))
            data = [
                {"object": "embedding", "index": i, "embedding": embedder.embed_query(t).tolist()}
                for i, t in enumerate(texts)
            ]
            tokens = sum(count_tokens(t) for t in texts)
            usage = {"prompt_tokens": tokens, "total_tokens": tokens}
            model = body.get("model")
            self._json(200, {"object": "list", "data": data, "model": model, "usage": usage})

    return Handler


def _error_body(status: int) -> dict[str, Any]:
    messages = {
        401: "Incorrect API key provided: sk-te***st.",
        429: "Rate limit reached.",
    }
    return {"error": {"message": messages.get(status, "Server error."), "code": status}}


def _usage(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    prompt = sum(count_tokens(m.get("content") or "") + 4 for m in body.get("messages", []))
    completion = count_tokens(reply.content)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": min(reply.cached_tokens, prompt)},
    }


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "test"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content},
                "finish_reason": "stop",
            }
        ],
        "usage": _usage(body, reply),
    }


def _chunk(body: dict[str, Any], delta: dict[str, Any], finish: str | None = None) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "test"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
