import json
from pathlib import Path

import pytest

from evals.dataset import DatasetError, load_dataset
from tests.conftest import SAMPLE_EVALS


def _write(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def test_fields_and_defaults(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "id": 1,
            "question": "Q?",
            "sources": ["./hr/a.md"],
            "must_include": "25 days",
            "history": [{"role": "user", "content": "hi"}],
            "notes": "kept",
        },
        "",
        {"id": "b", "question": "R?", "answerable": False, "user_groups": ["hr"]},
    )
    first, second = load_dataset(path)
    assert first.id == "1" and first.sources == ("hr/a.md",)
    assert first.must_include == ("25 days",) and first.answerable
    assert first.user_groups is None and first.history[0].content == "hi"
    assert first.extra == {"notes": "kept"}
    assert not second.answerable and second.user_groups == ("hr",)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("{not json", "line 1|:1: not valid JSON"),
        ({"question": "Q?"}, "'id' is required"),
        ({"id": "a", "question": "Q", "answerable": "yes"}, "true or false"),
        ({"id": "a", "question": "Q", "sources": [1]}, "list of strings"),
        ({"id": "a", "question": "Q", "history": [{"role": "bot"}]}, "role"),
    ],
)
def test_bad_lines_name_the_line_and_the_fix(tmp_path: Path, row: object, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        load_dataset(_write(tmp_path, row))


def test_duplicate_ids_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="duplicate id 'a'"):
        load_dataset(_write(tmp_path, {"id": "a", "question": "Q"}, {"id": "a", "question": "R"}))
    with pytest.raises(DatasetError, match="no questions"):
        load_dataset(_write(tmp_path, ""))
    with pytest.raises(DatasetError, match="no such dataset"):
        load_dataset(tmp_path / "missing.jsonl")


def test_the_sample_set_loads() -> None:
    questions = load_dataset(SAMPLE_EVALS)
    assert len(questions) >= 50
    assert any(not q.answerable for q in questions) and any(q.forbidden for q in questions)
