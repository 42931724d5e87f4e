"""Who sees what: admin pages only for admins, documents only for their groups."""

from __future__ import annotations

import pytest

from tests.app.conftest import OpenApp

ADMIN_PAGES = ["views/library.py", "views/ingestion.py", "views/evals.py", "views/usage.py"]
SALARY_DOC = "hr/salary-bands-2026.md"
SALARY_QUESTION = "What's the salary range for a Senior Engineer (E4) in Bristol?"


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_are_not_even_registered_for_others(open_app: OpenApp, page: str) -> None:
    at = open_app(user="dana", groups=["all", "hr"])
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admins_open_every_page(open_app: OpenApp, page: str) -> None:
    at = open_app(user="ops", groups=["all", "admin"])
    at.switch_page(page).run()
    assert not at.exception, at.exception[0].message
    assert at.title[0].value == page.removeprefix("views/").removesuffix(".py").capitalize()


def test_a_restricted_document_is_never_cited_to_outsiders(open_app: OpenApp) -> None:
    at = open_app(user="outsider", groups=["all"])
    at.chat_input[0].set_value(SALARY_QUESTION).run()
    answer = at.chat_message[1]
    shown = " ".join(
        [m.value for m in answer.markdown]
        + [e.label for e in answer.expander]
        + [c.value for e in answer.expander for c in e.caption]
    )
    assert SALARY_DOC not in shown
    assert "78,000" not in shown


def test_insiders_get_the_restricted_answer(open_app: OpenApp) -> None:
    at = open_app(user="hr-partner", groups=["all", "hr"])
    at.chat_input[0].set_value(SALARY_QUESTION).run()
    captions = [c.value for e in at.chat_message[1].expander for c in e.caption]
    assert any(SALARY_DOC in c for c in captions), captions


def test_the_library_lists_only_documents_of_the_admins_groups(open_app: OpenApp) -> None:
    at = open_app(user="ops", groups=["all", "admin"])
    at.switch_page("views/library.py").run()
    paths = list(at.dataframe[0].value["path"])
    assert "it/vpn-setup.md" in paths
    assert SALARY_DOC not in paths
    assert any("not listed" in c.value for c in at.caption)
