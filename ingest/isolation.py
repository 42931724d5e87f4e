"""Parsing in a worker process that can be killed: a time and a memory budget per file.

A parser stuck on a hostile file (an infinite PDF page tree, a pathological regular
expression in a library) cannot be interrupted inside the process that runs it, and a
zip bomb can take all of its memory. So ``ParseWorker`` parses in a child process:
the job waits until the child has spent ``timeout_s`` of CPU time on a file (or four
times that blocked, neither computing nor waiting for a core), then kills the child and
the file fails with "took longer than N s"; the child's address space is capped at what
it holds when warm plus ``memory_mb``, so an allocation beyond it fails the file instead of the
machine. The next file gets a fresh child.

The child runs any module-level function of a path (``run``): ingest has it parse *and*
chunk (``ingest.prepare``), so all the per-file CPU work of a job happens in another
process than the one embedding, under the same budgets, and only chunks come back.

Children fork from a ``forkserver`` that imported the parsers once, so a fresh child is
warm in well under a second (a cold start imports unstructured: ~3 s here); forking the
job's own process is avoided because it runs threads (torch, the parser thread). The
server imports spaCy first, without the torch that thinc would load for nothing
(``ingest.parsing.torchless``).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from core.settings import Settings
from ingest.parsing import ParsedDocument, ParseError, parse_file
from ingest.parsing.limits import configure
from ingest.parsing.partitioners import warm_up_nlp

_T = TypeVar("_T")

_PRELOAD = [
    "ingest.parsing.torchless",
    "ingest.isolation",
    "ingest.prepare",
    "unstructured.partition.md",
    "unstructured.partition.html",
    "unstructured.partition.csv",
    "unstructured.partition.docx",
    "unstructured.partition.pptx",
    "unstructured.partition.xlsx",
    "unstructured.partition.email",
    "pdfminer.high_level",
    "ingest.web.extract",
]
_WALL_FACTOR = 4.0
"""A file's limit of time blocked, as a multiple of its CPU time budget ``timeout_s``."""
_CHECK_S = 1.0
"""How often a waiting job looks at its child's state (the step of the limit on time blocked)."""
_START_TIMEOUT_S = 120.0
"""How long a new child may take to get ready (warm-up, not a file's budget)."""
_WARM_UP = "# Warm-up\n\nA short paragraph so the parsers load. It has two sentences.\n"


class ParseWorker:
    """One child process that parses files, replaced whenever it is killed or dies."""

    def __init__(self, settings: Settings) -> None:
        self.timeout_s = settings.parse_timeout_s
        self.memory_mb = settings.parse_memory_mb
        self.settings = settings
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    def parse(self, path: Path) -> tuple[ParsedDocument, str]:
        """``parse_file(path)`` in the child; ``ParseError`` on any failure or budget."""
        return self.run(parse_file, path)

    def run(self, task: Callable[..., _T], path: Path, *args: Any) -> _T:
        """``task(path, *args)`` in the child (``task`` a module-level function, ``args``
        picklable); ``ParseError`` on any failure or budget."""
        with self._lock:
            conn = self._ready()
            conn.send((task, str(path), args))
            if not self._answered(conn):
                self._stop()
                raise ParseError(
                    f"took longer than {self.timeout_s:g} s to parse (parse_timeout_s): "
                    "simplify or split the file, or raise FOOTNOTE_PARSE_TIMEOUT_S"
                )
            try:
                kind, value = conn.recv()
            except (EOFError, OSError):
                code = self._stop()
                raise ParseError(
                    f"the parser process died (exit code {code}) on this file: "
                    "corrupt or hostile? Check it, or raise FOOTNOTE_PARSE_MEMORY_MB"
                ) from None
            if kind == "restart":
                self._stop()
            if kind == "ok":
                return value
            raise ParseError(value)

    def _answered(self, conn: Connection) -> bool:
        """Wait for the child's reply within the budget: ``timeout_s`` of the child's own
        CPU time (it runs only on a core nothing else wants, so its wall time is not its
        own: a file must not fail because torch had the cores), and never more than
        ``_WALL_FACTOR`` times that in wall time spent neither computing nor waiting for a
        core (a child blocked)."""
        pid = self._process.pid if self._process is not None else None
        start = _schedule(pid)
        began = time.monotonic()
        wait = self.timeout_s
        while not conn.poll(wait):
            now = _schedule(pid)
            if start is None or now is None:
                return False
            cpu = now.on_core - start.on_core
            blocked = time.monotonic() - began - cpu - (now.queued - start.queued)
            if now.runnable:  # a wait for a core is counted once the child has one
                blocked = 0.0
            wait = min(self.timeout_s - cpu, _WALL_FACTOR * self.timeout_s - blocked)
            if wait <= 0:
                return False
            wait = min(wait, _CHECK_S)
        return True

    def start(self) -> None:
        """Start the child now (it starts on the first file otherwise): a few seconds
        of imports and warm-up that a caller may prefer to pay before timing anything."""
        with self._lock:
            self._ready()

    def peak_rss_mb(self) -> float:
        """The current child's peak resident memory (0 when there is none)."""
        process = self._process
        if process is None or process.pid is None:
            return 0.0
        try:
            with open(f"/proc/{process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _ready(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self._stop()
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(theirs, self.settings),
            name="footnote-parse",
            daemon=True,
        )
        process.start()
        theirs.close()
        if not ours.poll(_START_TIMEOUT_S) or ours.recv() != "ready":
            process.kill()
            raise ParseError("the parser process did not start: see the job's log")
        self._process, self._conn = process, ours
        return ours

    def _stop(self) -> int | None:
        """Kill and reap the child (if any); its exit code."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is None:
            return None
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
        return process.exitcode


class _Schedule(NamedTuple):
    on_core: float
    """Seconds the process has computed."""
    queued: float
    """Seconds it has waited for a core, counted up to its last turn on one."""
    runnable: bool
    """Computing or waiting for a core now (not blocked)."""


def _schedule(pid: int | None) -> _Schedule | None:
    """Process ``pid``'s time on and waiting for a core (``/proc/PID/schedstat``) and
    its state; None where unknown (no such process)."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/schedstat") as schedstat:
            on_core, queued = schedstat.read().split()[:2]
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
        return _Schedule(int(on_core) / 1e9, int(queued) / 1e9, state == "R")
    except (OSError, ValueError, IndexError):
        return None


def _serve(conn: Connection, settings: Settings) -> None:
    """The child: run only on idle cores, warm up, cap its memory, then parse paths until
    the pipe closes.

    ``SCHED_IDLE``, not a niceness: on two cores the parser and torch's two threads
    compete, and the embedder is the stage the job waits for. At nice 10 the parser still
    took time slices in the middle of torch's parallel calls, and each one held up both of
    torch's threads; an idle-policy process is preempted by any other as soon as it wakes,
    so the parser, ahead of the embedder by a buffer, runs in torch's gaps only
    (docs/benchmarks.md, session 15). The app's answers on the same machine win too; a
    machine kept busy by other work parses only when it has a core to spare."""
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    memory_mb = settings.parse_memory_mb
    configure(settings)
    _warm_up()
    _cap_memory(memory_mb)
    conn.send("ready")
    while True:
        try:
            task, path, args = conn.recv()
        except (EOFError, OSError):
            return
        reply = _run(task, Path(path), args, memory_mb)
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("restart", f"the parsed text needed more than {memory_mb} MB"))
        if reply[0] == "restart":
            return


def _run(task: Callable[..., Any], path: Path, args: tuple[Any, ...], memory_mb: int) -> Any:
    """("ok", result), ("error", reason), or ("restart", reason) after a failure that
    may have left this process in a bad state (memory, recursion)."""
    try:
        return "ok", task(path, *args)
    except ParseError as exc:
        cause = exc.__cause__
        if isinstance(cause, MemoryError):
            return "restart", _over_memory(memory_mb)
        if isinstance(cause, RecursionError):
            return "restart", "too deeply nested for the parser (recursion limit reached)"
        return "error", str(exc)
    except MemoryError:
        return "restart", _over_memory(memory_mb)
    except RecursionError:
        return "restart", "too deeply nested for the parser (recursion limit reached)"
    except Exception as exc:  # noqa: BLE001 (a file's failure, whatever the library raised)
        return "error", f"{type(exc).__name__}: {str(exc)[:300]}"


def _over_memory(memory_mb: int) -> str:
    return (
        f"needed more than {memory_mb} MB of memory to parse (parse_memory_mb): "
        "a zip bomb or a huge file? Check it, or raise FOOTNOTE_PARSE_MEMORY_MB"
    )


def _warm_up() -> None:
    """Load the NLP models before the first real file, so its budget is its own."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "warm-up.md"
        sample.write_text(_WARM_UP, encoding="utf-8")
        parse_file(sample)
    warm_up_nlp()


def _cap_memory(memory_mb: int) -> None:
    """Cap the address space at what the warm child maps now plus ``memory_mb``."""
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    limit = mapped + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


_shared: ParseWorker | None = None
_shared_lock = threading.Lock()


_BUDGETS = (
    "parse_timeout_s",
    "parse_memory_mb",
    "max_line_chars",
    "max_element_chars",
    "max_nesting",
    "max_columns",
    "max_unzipped_mb",
)


def shared_worker(settings: Settings) -> ParseWorker:
    """This process's parse worker for these budgets (jobs in a process run one at a
    time, so one warm child serves them all; other budgets get a new child)."""
    global _shared
    budgets = [getattr(settings, name) for name in _BUDGETS]
    with _shared_lock:
        current = _shared
        if current is None or [getattr(current.settings, n) for n in _BUDGETS] != budgets:
            if current is not None:
                current.close()
            _shared = current = ParseWorker(settings)
        return current
