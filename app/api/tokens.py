"""API tokens: created once, shown once, kept as a SHA-256, checked on every call.

A token speaks for a user name with a set of access groups, exactly like a person
signed in to the app: ``core.access`` decides what those groups may see, and a token
is an admin when its groups hold ``Settings.admin_group`` (``--admin`` adds it). Tokens
are 256 random bits, so a plain SHA-256 is enough to store them (a slow password hash
defends guessable secrets; these are not guessable) and lets a lookup be one indexed
query.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from core.access import asker_groups, is_admin
from core.db import utcnow
from core.db.models import ApiToken
from core.settings import Settings
from retrieval.types import User

TOKEN_PREFIX = "fn_"
_SHOWN_CHARS = 10
_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class TokenRejected(Exception):
    """Why a presented token does not sign anyone in (shown to the caller)."""


@dataclass(frozen=True)
class Caller:
    """Who a valid token speaks for."""

    token_id: int
    user: User
    admin: bool


@dataclass(frozen=True)
class TokenInfo:
    """A token as ``footnote tokens list`` shows it: never the token itself."""

    id: int
    prefix: str
    user: str
    groups: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    requests: int

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= utcnow():
            return "expired"
        return "active"


def parse_duration(value: str) -> timedelta | None:
    """``90d``, ``12h``, ``30m`` or ``2w`` as a timedelta; ``never`` as None."""
    if value.strip().lower() == "never":
        return None
    match = _DURATION.match(value.lower())
    if not match or int(match[1]) == 0:
        raise ValueError(
            f"{value!r} is not a duration: use a number and a unit, e.g. 90d, 12h, 30m, 2w, "
            "or 'never'"
        )
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def create_token(
    sessions: sessionmaker[Session],
    settings: Settings,
    user: str,
    groups: Iterable[str],
    *,
    admin: bool = False,
    expires_in: timedelta | None = None,
) -> tuple[str, TokenInfo]:
    """A new token for ``user`` with ``groups`` (plus the admin group when ``admin``).

    Returns the token (the only time it exists in clear) and what is stored about it.
    """
    if not user.strip():
        raise ValueError("a token needs a user name (--user)")
    wanted = [*groups, settings.admin_group] if admin else list(groups)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        token_hash=_digest(token),
        prefix=token[:_SHOWN_CHARS],
        user_id=user.strip(),
        groups=list(asker_groups(wanted)),
        created_at=utcnow(),
        expires_at=utcnow() + expires_in if expires_in else None,
    )
    with sessions.begin() as session:
        session.add(row)
        session.flush()
        return token, _info(row)


def list_tokens(sessions: sessionmaker[Session]) -> list[TokenInfo]:
    with sessions() as session:
        return [_info(t) for t in session.scalars(select(ApiToken).order_by(ApiToken.id))]


def revoke_token(sessions: sessionmaker[Session], token_id: int) -> bool:
    """Revoke token ``token_id`` from now on; False when there is no such active token."""
    with sessions.begin() as session:
        changed = session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
    return bool(changed)


def authenticate(sessions: sessionmaker[Session], settings: Settings, token: str) -> Caller:
    """The caller ``token`` speaks for, or ``TokenRejected`` saying why not."""
    token = token.strip()
    if not token:
        raise TokenRejected(
            "No API token: send `Authorization: Bearer <token>` (`footnote tokens create`)."
        )
    with sessions() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None:
        raise TokenRejected("Invalid API token. Ask an admin for one: `footnote tokens create`.")
    if row.revoked_at is not None:
        raise TokenRejected(f"API token {row.prefix}… was revoked. Ask an admin for a new one.")
    if row.expires_at is not None and row.expires_at <= utcnow():
        raise TokenRejected(f"API token {row.prefix}… expired. Ask an admin for a new one.")
    groups = asker_groups(row.groups)
    user = User(id=row.user_id, groups=groups, name=row.user_id)
    return Caller(token_id=row.id, user=user, admin=is_admin(settings, groups))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        prefix=row.prefix,
        user=row.user_id,
        groups=list(row.groups),
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
        requests=row.requests,
    )
