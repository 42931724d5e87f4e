"""``footnote ingest``, ``footnote jobs`` and ``footnote docs``: ingestion from the shell.

When another process (the app) owns the embedded index, ``footnote ingest`` queues the
job for it and says so; ``--wait`` then follows the queued job until it finishes.

The reads (``docs``, ``jobs``) run as the operator: everything, unless ``--groups`` names
the groups to read as, in which case only what those groups may see is shown
(``core.access.may_see``, through ``ingest.list_documents``).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from app.cli import lineage as lineage_cli
from core.access import parse_groups
from core.db import Job, JobEvent
from core.index import IndexLocked
from core.services import Services, get_services
from core.settings import get_settings
from ingest import (
    JobResult,
    SourceError,
    fail_interrupted,
    list_documents,
    list_jobs,
    queue_job,
    run_job,
    run_pending_jobs,
)
from ingest.web import is_url, web_source
from retrieval import lineage

console = Console()
err = Console(stderr=True)

_POLL_S = 1.0
_GROUPS_HELP = (
    "Comma-separated access groups to read as: only what they may see is shown "
    "(default: everything, as the admin who runs Footnote)."
)


class _Bar:
    """A rich progress bar: files done, chunks embedded, embedding rate."""

    def __init__(self, label: str) -> None:
        self._bar = Progress(
            TextColumn(f"[bold]{label}[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        self._task: Any = None
        self._crawl: Any = None
        self._chunks = 0
        self._started = time.perf_counter()

    def crawled(self, url: str, outcome: str, pages: int, budget: int) -> None:
        """A web source's crawl, before its pages are ingested (``ingest.web``)."""
        if self._crawl is None:
            self._bar.start()
            self._crawl = self._bar.add_task("crawl", total=budget, detail="")
        detail = f"pages fetched (max_pages) · {outcome}: {url[-60:]}"
        self._bar.update(self._crawl, completed=pages, detail=detail)

    def start(self, files_total: int) -> None:
        self._bar.start()
        self._started = time.perf_counter()
        if self._crawl is not None:
            self._bar.update(self._crawl, total=self._bar.tasks[self._crawl].completed)
        self._task = self._bar.add_task("ingest", total=files_total, detail=self._detail(0.0))

    def advance(self, path: str, action: str, chunks_embedded: int) -> None:
        self._chunks += chunks_embedded
        rate = self._chunks / max(time.perf_counter() - self._started, 1e-6)
        self._bar.update(self._task, advance=1, detail=self._detail(rate))

    def _detail(self, rate: float) -> str:
        return f"files · {self._chunks} chunks embedded · {rate:.1f}/s"

    def stop(self) -> None:
        self._bar.stop()


def _print_result(result: JobResult) -> None:
    colour = "green" if result.status == "succeeded" else "red"
    console.print(
        f"[{colour}]Job {result.job_id} ({result.source}) {result.status}[/] in "
        f"{result.seconds:.1f}s: {result.added} added, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.deleted} deleted, {result.failed} failed, "
        f"{result.skipped} skipped; {result.chunks_embedded} chunks embedded"
    )
    if result.flagged:
        console.print(
            f"[yellow]{result.flagged} document(s) flagged[/]: passages that read as "
            "instructions to a reader or a model (never quoted); review them in the Library "
            "or with `footnote docs`"
        )
    if result.error:
        console.print(f"[red]{result.error}[/]")
    for path, reason in result.failures:
        console.print(f"  [yellow]failed[/] {path}: {reason}")


def _follow(job_id: int, as_json: bool) -> int:
    """Wait for a queued job run by another process (failed if that process dies)."""
    services = get_services()
    while True:
        fail_interrupted(services)
        with services.sessions() as session:
            job = session.get(Job, job_id)
            assert job is not None
            if job.status in ("succeeded", "failed", "cancelled"):
                _show_job(job, [], as_json)
                return 0 if job.status == "succeeded" else 1
        if not as_json:
            err.print(f"[dim]job {job_id}: {job.status}, {job.files_done}/{job.files_total}[/]")
        time.sleep(_POLL_S)


def _job_dict(job: Job) -> dict[str, Any]:
    return {c.key: getattr(job, c.key) for c in Job.__table__.columns}


def _show_job(job: Job, events: list[JobEvent], as_json: bool) -> None:
    data = _job_dict(job)
    if as_json:
        data["events"] = [
            {"path": e.path, "action": e.action, "reason": e.reason, "chunks": e.chunks}
            for e in events
        ]
        console.print_json(json.dumps(data, default=str))
        return
    console.print(
        f"[bold]Job {job.id}[/] {job.source} ({job.status}) by {job.requested_by}: "
        f"{job.files_done}/{job.files_total} files, {job.added} added, {job.updated} updated, "
        f"{job.unchanged} unchanged, {job.deleted} deleted, {job.failed} failed, "
        f"{job.chunks_embedded} chunks embedded"
    )
    if job.error:
        console.print(f"[red]{job.error}[/]")
    if events:
        table = Table("action", "path", "chunks", "reason")
        for e in events:
            table.add_row(e.action, e.path, str(e.chunks), e.reason or "")
        console.print(table)


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest_cmd(
        targets: Annotated[
            list[str] | None,
            typer.Argument(
                help="Source names from footnote.toml, folders, files in a source, or "
                "http(s):// URLs of websites (a start page or a sitemap.xml)."
            ),
        ] = None,
        source: str | None = typer.Option(
            None,
            "--source",
            help="Name an ad-hoc folder's or site's source (default: the folder name, or "
            "the site's host and folder).",
        ),
        prefix: str | None = typer.Option(
            None,
            "--prefix",
            help="Website: crawl only URLs under this path (default: the start URL's folder).",
        ),
        max_pages: int | None = typer.Option(
            None, "--max-pages", min=1, help="Website: page budget of a crawl (default 200)."
        ),
        delay: float | None = typer.Option(
            None,
            "--delay",
            min=0.0,
            help="Website: seconds between requests (default 1; robots.txt's Crawl-delay "
            "if longer).",
        ),
        max_bytes: int | None = typer.Option(
            None,
            "--max-bytes",
            min=1,
            help="Website: a page larger than this fails alone (default 5000000).",
        ),
        wait: bool = typer.Option(
            False, "--wait", help="When the app owns the index, wait for it to run the job."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
    ) -> None:
        """Ingest sources: new and changed files are parsed and embedded, removed ones deleted.

        Unchanged files are skipped without parsing; a file that fails is listed with its
        reason and the job goes on (exit code 1 only when the job itself fails).

        A website is crawled first, within its host and path prefix, obeying robots.txt,
        into a snapshot folder that is then ingested like any other; a re-crawl asks
        for changes (ETag, Last-Modified) and pages that disappear are removed. Documents
        it links to (PDF, Office...) are ingested too. Each page is cited by its URL.
        The --prefix, --max-pages, --delay and --max-bytes options set an ad-hoc site's
        crawl (remembered for the next run); a site in footnote.toml takes them from
        there.

        Examples:

        - `footnote ingest sample` (a source named in footnote.toml)
        - `footnote ingest` (every configured source)
        - `footnote ingest ~/policies --source policies` (an ad-hoc folder)
        - `footnote ingest data/corpus/hr/leave-policy.md` (one file of a source)
        - `footnote ingest https://intranet.example.com/handbook/` (a website)
        - `footnote ingest https://intranet.example.com/sitemap.xml --prefix /handbook/
          --max-pages 500 --source handbook` (a site from its sitemap)
        """
        settings = get_settings()
        crawl = {
            key: value
            for key, value in (
                ("prefix", prefix),
                ("max_pages", max_pages),
                ("delay_s", delay),
                ("max_bytes", max_bytes),
            )
            if value is not None
        }
        for target in targets or ():
            if is_url(target) and crawl:
                try:
                    name, _ = web_source(settings, target, source, **crawl)
                except SourceError as exc:
                    err.print(f"[red]{exc}[/]")
                    raise typer.Exit(2) from None
                if name in settings.sources:
                    err.print(
                        f"[yellow]{target} is source {name!r} of footnote.toml:[/] its crawl "
                        "settings come from there; the options given here are not used."
                    )
        names = targets or sorted(settings.sources)
        if not names:
            err.print(
                "[red]No sources configured.[/] Name a folder, or add [sources] to footnote.toml."
            )
            raise typer.Exit(2)
        services = get_services()
        results: list[JobResult] = []
        code = 0
        for target in names:
            try:
                bar = None if as_json else _Bar(target)
                try:
                    result = run_job(services, target, name=source, progress=bar)
                finally:
                    if bar:
                        bar.stop()
            except IndexLocked as exc:
                job_id = queue_job(services, target, name=source)
                if not as_json:
                    console.print(
                        f"[yellow]The index is owned by {exc.holder}.[/] Queued job {job_id} "
                        f"for it to run; follow it with `footnote jobs show {job_id}`."
                    )
                else:
                    console.print_json(json.dumps({"queued": job_id, "holder": exc.holder}))
                if wait:
                    code = max(code, _follow(job_id, as_json))
                continue
            except SourceError as exc:
                err.print(f"[red]{exc}[/]")
                raise typer.Exit(2) from None
            results.append(result)
            code = max(code, 0 if result.status == "succeeded" else 1)
        if services.index_open:
            results.extend(run_pending_jobs(services))
        if as_json:
            console.print_json(json.dumps([asdict(r) for r in results], default=str))
        else:
            for result in results:
                _print_result(result)
        raise typer.Exit(code)

    jobs_app = typer.Typer(help="Ingestion jobs: recent runs and what they did to each file.")

    @jobs_app.callback(invoke_without_command=True)
    def jobs_cmd(
        ctx: typer.Context,
        limit: int = typer.Option(20, "--limit", help="How many recent jobs."),
        groups: str | None = typer.Option(None, "--groups", help=_GROUPS_HELP),
        as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    ) -> None:
        """Recent ingestion jobs, newest first (a job whose process died shows as failed).
        With `--groups`, only jobs of sources holding documents those groups may see.

        Examples: `footnote jobs`, `footnote jobs --groups all`, `footnote jobs show 12`,
        `footnote jobs --json`
        """
        if ctx.invoked_subcommand:
            return
        services = get_services()
        jobs = list_jobs(services, limit=limit)
        if groups:
            sources = {d.source for d in list_documents(services, parse_groups(groups))}
            jobs = [j for j in jobs if j.source in sources]
        if as_json:
            console.print_json(json.dumps([_job_dict(j) for j in jobs], default=str))
            return
        table = Table(
            "id",
            "source",
            "status",
            "files",
            "added",
            "updated",
            "deleted",
            "failed",
            "chunks embedded",
            "started",
        )
        for j in jobs:
            table.add_row(
                str(j.id),
                j.source,
                j.status,
                f"{j.files_done}/{j.files_total}",
                str(j.added),
                str(j.updated),
                str(j.deleted),
                str(j.failed),
                str(j.chunks_embedded),
                str(j.started_at or j.created_at)[:19],
            )
        console.print(table)

    @jobs_app.command("show")
    def show_cmd(
        job_id: int,
        groups: str | None = typer.Option(None, "--groups", help=_GROUPS_HELP),
        as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    ) -> None:
        """One job with its per-file events (added, updated, unchanged, deleted, failed,
        skipped, flagged). With `--groups`, only files of documents those groups may see
        are named.

        Example: `footnote jobs show 12 --groups all,hr`
        """
        services = get_services()
        fail_interrupted(services)
        with services.sessions() as session:
            job = session.get(Job, job_id)
            if job is None:
                err.print(f"[red]No job {job_id}.[/] `footnote jobs` lists them.")
                raise typer.Exit(1)
            events = list(job.events)
        if groups:
            visible = _visible_paths(services, groups, job.source)
            events = [e for e in events if e.path in visible]
        _show_job(job, events, as_json)

    app.add_typer(jobs_app, name="jobs")

    docs_app = typer.Typer(invoke_without_command=True, rich_markup_mode="markdown")

    @docs_app.callback()
    def docs_cmd(
        ctx: typer.Context,
        source: str | None = typer.Option(None, "--source", help="Only this source."),
        groups: str | None = typer.Option(None, "--groups", help=_GROUPS_HELP),
        as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
        stale: bool = typer.Option(
            False, "--stale", help="Only documents due a review, and unconfirmed proposals."
        ),
    ) -> None:
        """Ingested documents with their status, groups, chunk counts, flags (passages
        that read as instructions to a reader or a model, for review) and versions
        (superseded by which document); `link`, `unlink`, `confirm`, `reject` manage those.

        Examples: `footnote docs`, `footnote docs --groups all,hr`,
        `footnote docs --source sample --json`, `footnote docs --stale`
        """
        if ctx.invoked_subcommand is not None:
            return
        if stale:
            lineage_cli.print_stale(get_services(), groups, as_json)
            return
        user_groups = parse_groups(groups) if groups else None
        docs = list_documents(get_services(), user_groups=user_groups, source=source)
        versions = lineage.statuses(get_services(), user_groups)
        if as_json:
            rows = [{**asdict(d), "lineage": versions.get(d.id, "current")} for d in docs]
            console.print_json(json.dumps(rows, default=str))
            return
        table = Table("source", "path", "title", "status", "groups", "chunks", "flagged", "version")
        for d in docs:
            status = d.status if not d.error else f"{d.status} ({d.error[:60]})"
            table.add_row(
                d.source,
                d.path,
                d.title[:50],
                status,
                ",".join(d.groups),
                str(d.chunk_count),
                str(d.flagged or ""),
                versions.get(d.id, "current")[:60],
            )
        console.print(table)

    lineage_cli.register(docs_app)
    app.add_typer(docs_app, name="docs")


def _visible_paths(services: Services, groups: str, source: str) -> set[str]:
    """Paths of ``source``'s documents that ``groups`` may see."""
    docs = list_documents(services, user_groups=parse_groups(groups), source=source)
    return {d.path for d in docs}
