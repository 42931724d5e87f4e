"""Who is calling, whether they may, and what their call leaves behind.

Every route but ``/healthz`` and the docs takes ``Depends(caller)``: the bearer token
is checked (401 when missing, unknown, expired or revoked), the token's rate limit is
taken (429 with ``Retry-After``), and admin routes take ``Depends(admin)`` (403). Each
call is audited in the same hash chain as the app's answers and counted on its token
(``audit_call``), so usage per token is in SQL, not in a log file.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import update

from app.api.errors import ApiError
from app.api.tokens import Caller, TokenRejected, authenticate
from core.db import utcnow
from core.db.models import ApiToken
from core.services import Services
from retrieval.records import append_audit

_bearer = HTTPBearer(auto_error=False, description="A token from `footnote tokens create`.")


DEFAULT_RATE_LIMIT = 120
"""Requests a minute per token (a burst of as many is allowed)."""


class RateLimiter:
    """A token bucket per API token: ``per_minute`` calls, refilled continuously.

    In memory, per server process: a limit against runaway scripts, not a quota.
    """

    def __init__(self, per_minute: int) -> None:
        if per_minute < 1:
            raise ValueError("the rate limit must allow at least 1 request a minute")
        self.capacity = float(per_minute)
        self._refill_per_s = per_minute / 60.0
        self._buckets: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: int) -> float:
        """0 when the call may go ahead, else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            left, since = self._buckets.get(key, (self.capacity, now))
            left = min(self.capacity, left + (now - since) * self._refill_per_s)
            if left >= 1.0:
                self._buckets[key] = (left - 1.0, now)
                return 0.0
            self._buckets[key] = (left, now)
            return (1.0 - left) / self._refill_per_s


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The authenticated caller of this request, within their rate limit."""
    token = credentials.credentials if credentials else ""
    return admit(services_of(request), request.app.state.limiter, token)


def admit(services: Services, limiter: RateLimiter, token: str) -> Caller:
    """The caller ``token`` speaks for, if within its rate limit; ``ApiError`` (401 or
    429) otherwise. The API's routes and the MCP endpoint both let callers in here."""
    try:
        who = authenticate(services.sessions, services.settings, token)
    except TokenRejected as exc:
        raise ApiError(
            401, str(exc), code="invalid_api_key", headers={"WWW-Authenticate": "Bearer"}
        ) from None
    wait = limiter.take(who.token_id)
    if wait > 0:
        retry = max(1, math.ceil(wait))
        raise ApiError(
            429,
            f"Rate limit reached for this token ({limiter.capacity:.0f} requests a minute). "
            f"Retry in {retry} s.",
            code="rate_limit_exceeded",
            headers={"Retry-After": str(retry)},
        )
    return who


def admin(request: Request, who: Annotated[Caller, Depends(caller)]) -> Caller:
    """The caller, who must be an admin (their groups hold ``Settings.admin_group``)."""
    if not who.admin:
        audit_call(services_of(request), who, "api.denied", {"route": request.url.path})
        group = services_of(request).settings.admin_group
        raise ApiError(
            403,
            f"This route is for knowledge managers: the token needs the {group!r} group "
            "(`footnote tokens create --admin`).",
            code="admin_required",
        )
    return who


def audit_call(services: Services, who: Caller, action: str, detail: dict[str, Any]) -> None:
    """One audit entry for the call, and the token's call count and last use."""
    with services.sessions.begin() as session:
        append_audit(session, who.user.id, action, {"token_id": who.token_id, **detail})
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == who.token_id)
            .values(requests=ApiToken.requests + 1, last_used_at=utcnow())
        )


Authenticated = Annotated[Caller, Depends(caller)]
"""A route parameter for the caller of any authenticated route."""
Admin = Annotated[Caller, Depends(admin)]
"""A route parameter for the caller of an admin route."""
