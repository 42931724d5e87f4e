"""Who is asking, and so which access groups bound what they see.

Three ways to know, tried in this order:

1. **OIDC** through ``st.login`` when ``.streamlit/secrets.toml`` has an ``[auth]`` section:
   the signed-in person's e-mail (or subject) names them; their groups come from
   ``group_map`` for that name and for each value of the groups claim
   (``Settings.oidc_groups_claim``).
2. **A trusted reverse-proxy header** (``Settings.auth_header``, e.g. ``X-Forwarded-User``):
   the proxy has already signed the person in; ``group_map`` gives their groups.
3. **Local mode**: one default user (``Settings.default_user``), for a laptop or a demo.

Everyone is in ``"all"`` (the rule lives in ``core.access``). ``resolve_identity`` is a
pure function of the settings, the request headers and the OIDC user info, so every rule
here is unit-tested without a browser; ``app.session`` feeds it from Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from core.access import asker_groups, groups_for, is_admin
from core.settings import Settings
from retrieval.types import User

Mode = Literal["oidc", "header", "local"]


@dataclass(frozen=True)
class Identity:
    """The outcome of sign-in: a user, or the reason there is none yet."""

    mode: Mode
    user: User | None
    is_admin: bool = False
    problem: str = ""
    """Why there is no user (shown to the person), empty when there is one."""


def resolve_identity(
    settings: Settings,
    headers: Mapping[str, str],
    oidc_user: Mapping[str, Any] | None,
    *,
    oidc_configured: bool,
) -> Identity:
    """Decide who is asking. ``oidc_user`` is ``st.user`` as a dict (or None)."""
    if oidc_configured:
        return _from_oidc(settings, oidc_user or {})
    if settings.auth_header:
        return _from_header(settings, headers, settings.auth_header)
    groups = settings.group_map.get(settings.default_user, settings.default_user_groups)
    return _identity(settings, "local", settings.default_user, groups)


def _from_oidc(settings: Settings, info: Mapping[str, Any]) -> Identity:
    if not info.get("is_logged_in"):
        return Identity(mode="oidc", user=None, problem="Sign in to ask questions.")
    name = str(info.get("email") or info.get("preferred_username") or info.get("sub") or "")
    if not name:
        return Identity(
            mode="oidc",
            user=None,
            problem="Your sign-in did not say who you are (no email or sub claim).",
        )
    claim = info.get(settings.oidc_groups_claim) or []
    claim_values = [claim] if isinstance(claim, str) else [str(value) for value in claim]
    groups = groups_for(settings, [name, *claim_values])
    return _identity(settings, "oidc", name, groups, display=str(info.get("name") or name))


def _from_header(settings: Settings, headers: Mapping[str, str], header: str) -> Identity:
    wanted = header.lower()
    name = next((v for k, v in headers.items() if k.lower() == wanted), "").strip()
    if not name:
        return Identity(
            mode="header",
            user=None,
            problem=(
                f"This app expects the sign-in proxy to send the {header} header, and this "
                "request has none. Open the app through the company sign-in address."
            ),
        )
    return _identity(settings, "header", name, groups_for(settings, [name]))


def _identity(
    settings: Settings, mode: Mode, name: str, groups: Iterable[str], display: str = ""
) -> Identity:
    ordered = asker_groups(groups)
    user = User(id=name, groups=ordered, name=display or name)
    return Identity(mode=mode, user=user, is_admin=is_admin(settings, ordered))
