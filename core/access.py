"""Who may see what: the one access rule, used by every way in.

A document carries access groups; a person (or an API token, or an eval asker) has
groups too, and everyone is in ``"all"``. A person may see a document when the two
share a group. The same rule bounds search (translated into the engine's filter by
``core.index.SearchFilter``), citations, the Library, the CLI reads, jobs and usage.
Admins (``Settings.admin_group``) may run ingestion jobs and read usage; being an admin
does not widen which documents one sees.

Everything here is a pure function of group names, so the app, the CLI, the evals and
the API share it without sharing a session or a user type.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.settings import Settings

EVERYONE = "all"
"""The group every asker is in: documents in it are visible to anyone signed in."""


def asker_groups(groups: Iterable[str]) -> tuple[str, ...]:
    """``groups`` as an asker's groups: ``"all"`` first, the rest sorted, no repeats."""
    named = {g.strip() for g in groups if g and g.strip()}
    return (EVERYONE, *sorted(named - {EVERYONE}))


def parse_groups(value: str) -> tuple[str, ...]:
    """A comma-separated ``--groups`` value as an asker's groups."""
    return asker_groups(value.split(","))


def groups_for(settings: Settings, names: Iterable[str]) -> tuple[str, ...]:
    """The groups ``group_map`` gives any of ``names`` (case-insensitive), plus "all"."""
    by_lower = {key.lower(): value for key, value in settings.group_map.items()}
    found: set[str] = set()
    for name in names:
        found.update(by_lower.get(name.lower(), ()))
    return asker_groups(found)


def may_see(document_groups: Iterable[str], user_groups: Iterable[str]) -> bool:
    """Whether someone in ``user_groups`` may see a document in ``document_groups``."""
    return not set(document_groups).isdisjoint(asker_groups(user_groups))


def is_admin(settings: Settings, user_groups: Iterable[str]) -> bool:
    """Whether ``user_groups`` may manage ingestion and read everyone's usage."""
    return settings.admin_group in set(user_groups)
