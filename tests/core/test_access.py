from core.access import asker_groups, is_admin, may_see, parse_groups
from core.settings import Settings


def test_asker_groups_always_include_everyone_first() -> None:
    assert asker_groups(["hr", "all", "finance", "hr"]) == ("all", "finance", "hr")
    assert asker_groups([]) == ("all",)
    assert parse_groups(" hr, ,finance ") == ("all", "finance", "hr")


def test_may_see_needs_a_shared_group() -> None:
    assert may_see(["all"], [])
    assert may_see(["hr"], ["hr"])
    assert not may_see(["hr", "leadership"], ["finance"])
    assert not may_see([], ["hr"])


def test_admin_is_the_configured_group() -> None:
    settings = Settings(admin_group="kms")
    assert is_admin(settings, ("all", "kms"))
    assert not is_admin(settings, ("all", "admin"))
