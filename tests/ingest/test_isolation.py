"""The parse worker runs below the job's priority, and its budget counts its own time."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ingest.isolation import PARSE_NICENESS, ParseWorker
from ingest.parsing import ParseError
from tests.conftest import make_settings


def _niceness(path: Path) -> int:
    """In the child: its niceness."""
    return os.nice(0)


def _thinc_has_torch(path: Path) -> bool:
    """In the child: whether spaCy's thinc loaded torch."""
    import thinc.compat

    return thinc.compat.has_torch


def _sleep(path: Path) -> None:
    """In the child: block without computing (no CPU time spent)."""
    time.sleep(60)


def test_the_worker_runs_at_a_lower_priority_than_the_job(tmp_path: Path) -> None:
    worker = ParseWorker(make_settings(tmp_path))
    try:
        assert worker.run(_niceness, tmp_path) == min(os.nice(0) + PARSE_NICENESS, 19)
    finally:
        worker.close()


def test_the_worker_parses_without_torch(tmp_path: Path) -> None:
    worker = ParseWorker(make_settings(tmp_path))
    try:
        assert worker.run(_thinc_has_torch, tmp_path) is False
    finally:
        worker.close()


def test_a_child_that_blocks_still_meets_the_wall_time_limit(tmp_path: Path) -> None:
    worker = ParseWorker(make_settings(tmp_path, parse_timeout_s=0.2))
    try:
        with pytest.raises(ParseError, match="took longer than 0.2 s"):
            worker.run(_sleep, tmp_path)
    finally:
        worker.close()
