"""Who is asking: OIDC, a trusted proxy header, or the local default user."""

from __future__ import annotations

from pathlib import Path

from app.identity import resolve_identity
from core.access import groups_for
from tests.conftest import make_settings

GROUP_MAP = {
    "alice@example.com": ["all", "hr"],
    "bob": ["engineering"],
    "footnote-admins": ["admin"],
    "local": ["all", "admin", "finance"],
}


def test_local_mode_uses_group_map_for_the_default_user(tmp_path: Path) -> None:
    who = resolve_identity(
        make_settings(tmp_path, group_map=GROUP_MAP), {}, None, oidc_configured=False
    )
    assert who.mode == "local"
    assert who.user is not None and who.user.id == "local"
    assert who.user.groups == ("all", "admin", "finance")
    assert who.is_admin


def test_local_mode_falls_back_to_default_user_groups(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, default_user="kim", default_user_groups=["sales"])
    who = resolve_identity(settings, {}, None, oidc_configured=False)
    assert who.user is not None and who.user.groups == ("all", "sales")
    assert not who.is_admin


def test_proxy_header_names_the_user_case_insensitively(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, auth_header="X-Forwarded-User", group_map=GROUP_MAP)
    who = resolve_identity(settings, {"x-forwarded-user": "Bob"}, None, oidc_configured=False)
    assert who.mode == "header"
    assert who.user is not None and who.user.id == "Bob"
    assert who.user.groups == ("all", "engineering")
    assert not who.is_admin


def test_missing_proxy_header_is_nobody_with_a_reason(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, auth_header="X-Forwarded-User", group_map=GROUP_MAP)
    who = resolve_identity(settings, {"Host": "x"}, None, oidc_configured=False)
    assert who.user is None
    assert "X-Forwarded-User" in who.problem


def test_oidc_groups_come_from_the_email_and_the_groups_claim(tmp_path: Path) -> None:
    info = {
        "is_logged_in": True,
        "email": "alice@example.com",
        "name": "Alice",
        "groups": ["footnote-admins", "unknown-group"],
    }
    settings = make_settings(tmp_path, group_map=GROUP_MAP)
    who = resolve_identity(settings, {}, info, oidc_configured=True)
    assert who.mode == "oidc"
    assert who.user is not None
    assert (who.user.id, who.user.name) == ("alice@example.com", "Alice")
    assert who.user.groups == ("all", "admin", "hr")
    assert who.is_admin


def test_oidc_wins_over_the_header_and_asks_to_sign_in(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, auth_header="X-Forwarded-User")
    who = resolve_identity(
        settings, {"X-Forwarded-User": "bob"}, {"is_logged_in": False}, oidc_configured=True
    )
    assert who.user is None and who.mode == "oidc"


def test_everyone_is_in_all(tmp_path: Path) -> None:
    assert groups_for(make_settings(tmp_path), ["stranger"]) == ("all",)
