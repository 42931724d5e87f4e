"""The parse worker runs on idle cores only, and its budget counts its own time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.isolation import ParseWorker
from ingest.parsing import ParseError
from tests.conftest import make_settings


def _policy(path: Path) -> int:
    """In the child: its scheduling policy."""
    return os.sched_getscheduler(0)


def _thinc_has_torch(path: Path) -> bool:
    """In the child: whether spaCy's thinc loaded torch."""
    import thinc.compat

    return thinc.compat.has_torch


def _compute(path: Path, core: int) -> float:
    """In the child: move to ``core``, then spend 5 ms of CPU time there."""
    os.sched_setaffinity(0, {core})
    end = time.process_time() + 0.005
    while time.process_time() < end:
        pass
    return time.process_time()


def _sleep(path: Path) -> None:
    """In the child: block without computing (no CPU time spent)."""
    time.sleep(60)


def test_the_worker_runs_only_on_idle_cores(tmp_path: Path) -> None:
    worker = ParseWorker(make_settings(tmp_path))
    try:
        assert worker.run(_policy, tmp_path) == os.SCHED_IDLE
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


def test_a_child_kept_off_a_busy_core_is_not_failed_for_its_time(tmp_path: Path) -> None:
    """One core busy at a normal priority: the idle-policy child waits for it far longer
    than its wall-time limit (1 s), and its file still gets its CPU budget."""
    core = min(os.sched_getaffinity(0))
    worker = ParseWorker(make_settings(tmp_path, parse_timeout_s=0.25))
    worker.run(_policy, tmp_path)  # started, and this module imported in the child
    hog = subprocess.Popen(
        [sys.executable, "-c", f"import os\nos.sched_setaffinity(0, {{{core}}})\nwhile True: pass"]
    )
    try:
        assert worker.run(_compute, tmp_path, core) > 0
    finally:
        hog.kill()
        hog.wait()
        worker.close()
