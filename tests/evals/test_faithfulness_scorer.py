"""The offline scorer on its own: the CLI on labelled pairs, and agreement on BEGIN."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from evals.calibrate import load_begin
from evals.offline import CALIBRATED, OfflineVerifier
from evals.pairs import load_pairs, pair_agreement, score_pairs
from tests.conftest import SHARED_DATASETS

BEGIN = SHARED_DATASETS / "faithfulness-dev"
CONTEXT = (
    "The Bristol office is on the 4th and 5th floors of Harbourside Works. "
    "Desks are booked in the Perch app. The office opens at 7:30 on weekdays."
)
PAIRS = [
    {"context": CONTEXT, "answer": "Desks are booked in the Perch app.", "label": 1},
    {"context": [CONTEXT], "answer": "The office opens at 7:30 on weekdays.", "label": True},
    {"context": CONTEXT, "answer": "The office opens at 9:00 on Saturdays.", "label": 0},
    {"context": CONTEXT, "answer": "Parking is free for all staff in the basement.", "label": "0"},
]


def test_cli_scores_pairs_and_prints_agreement(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in PAIRS) + "\n")
    result = CliRunner().invoke(app, ["eval", "faithfulness", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [row["faithful"] for row in data["pairs"]] == [True, True, False, False]
    assert data["agreement"]["auroc"] == 1.0 and data["agreement"]["f1"] == 1.0
    assert data["agreement"]["threshold"] == CALIBRATED.threshold

    table = CliRunner().invoke(app, ["eval", "faithfulness", str(path), "--threshold", "0.5"])
    assert (
        table.exit_code == 0 and "AUROC 1.000" in table.output and "threshold 0.5" in table.output
    )


def test_bad_pairs_file_says_which_line(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_text('{"context": "c", "answer": "a"}\n{"answer": "a"}\n')
    with pytest.raises(ValueError, match=r"pairs.jsonl:2: expected a JSON object"):
        load_pairs(path)
    result = CliRunner().invoke(app, ["eval", "faithfulness", str(path)])
    assert result.exit_code == 2


@pytest.mark.slow
@pytest.mark.skipif(not BEGIN.is_dir(), reason="needs /work/shared/datasets/faithfulness-dev")
def test_agreement_on_begin_dev(minilm_verifier: OfflineVerifier) -> None:
    """The shipped constants on every third BEGIN pair (the full set: docs/evals.md)."""
    pairs = load_begin(BEGIN)[::3]
    agreement = pair_agreement(pairs, score_pairs(pairs, minilm_verifier), CALIBRATED.threshold)
    assert agreement is not None and agreement.auroc is not None
    assert agreement.auroc >= 0.80
    assert agreement.balanced_accuracy >= 0.75
