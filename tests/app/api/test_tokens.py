"""Tokens: made once, stored as a hash, checked for expiry and revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.api.tokens import (
    TOKEN_PREFIX,
    TokenRejected,
    authenticate,
    create_token,
    list_tokens,
    parse_duration,
    revoke_token,
)
from core.db.models import ApiToken
from core.services import Services


def test_durations() -> None:
    assert parse_duration("90d") == timedelta(days=90)
    assert parse_duration(" 12h ") == timedelta(hours=12)
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("2w") == timedelta(weeks=2)
    assert parse_duration("never") is None
    for bad in ("90", "0d", "d", "3 years", "-1d"):
        with pytest.raises(ValueError, match="e.g. 90d"):
            parse_duration(bad)


def test_a_token_signs_in_with_its_groups(services: Services) -> None:
    token, info = create_token(services.sessions, services.settings, "hana", ["hr", "hr"])
    assert token.startswith(TOKEN_PREFIX) and len(token) > 40
    assert info.groups == ["all", "hr"] and info.state == "active"
    who = authenticate(services.sessions, services.settings, f" {token} ")
    assert (who.user.id, who.user.groups, who.admin) == ("hana", ("all", "hr"), False)


def test_only_the_hash_is_stored(services: Services) -> None:
    token, _ = create_token(services.sessions, services.settings, "hana", ["hr"])
    with services.sessions() as session:
        row = session.scalars(select(ApiToken)).one()
    assert token not in (row.token_hash, row.prefix) and token.startswith(row.prefix)
    assert len(row.token_hash) == 64


def test_admin_is_the_admin_group(services: Services) -> None:
    _, info = create_token(services.sessions, services.settings, "kim", ["all"], admin=True)
    token, _ = create_token(services.sessions, services.settings, "lee", ["admin"])
    assert services.settings.admin_group in info.groups
    assert authenticate(services.sessions, services.settings, token).admin


@pytest.mark.parametrize(
    "token, reason",
    [("", "No API token"), ("fn_made-up", "Invalid API token")],
)
def test_unknown_tokens_are_rejected(services: Services, token: str, reason: str) -> None:
    with pytest.raises(TokenRejected, match=reason):
        authenticate(services.sessions, services.settings, token)


def test_expired_and_revoked_tokens_are_rejected(services: Services) -> None:
    sessions, settings = services.sessions, services.settings
    old, _ = create_token(sessions, settings, "bot", ["all"], expires_in=timedelta(seconds=-1))
    with pytest.raises(TokenRejected, match="expired"):
        authenticate(sessions, settings, old)
    token, info = create_token(sessions, settings, "bot", ["all"])
    assert revoke_token(sessions, info.id) and not revoke_token(sessions, info.id)
    with pytest.raises(TokenRejected, match="revoked"):
        authenticate(sessions, settings, token)
    assert [t.state for t in list_tokens(sessions)] == ["expired", "revoked"]


def test_a_token_needs_a_user(services: Services) -> None:
    with pytest.raises(ValueError, match="--user"):
        create_token(services.sessions, services.settings, "  ", ["all"])
