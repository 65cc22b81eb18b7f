"""`tweetsearch index PATH...`: load archive files into Elasticsearch, accounting for every row."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from search_cli.output import cli_errors, err, fail

if TYPE_CHECKING:
    from collections.abc import Callable

    from indexer.loader import LoadProgress


def index(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Archive files, folders or globs (.csv, .csv.gz, .zip).")],
    rejects: Annotated[
        Path, typer.Option("--rejects", help="Where rejected rows are written (JSON lines: file, line, reason, raw).")
    ] = Path("tweetsearch-rejects.jsonl"),
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Load into a new index version, then switch the alias to it atomically.")
    ] = False,
    drop_replaced: Annotated[
        bool,
        typer.Option("--drop-replaced", help="With --rebuild: delete the index the alias left once it has switched."),
    ] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted load from its checkpoint.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and validate only; no server needed.")] = False,
    index_name: Annotated[
        str | None, typer.Option("--index-name", help="Load into this index instead of the alias's own versions.")
    ] = None,
    shards: Annotated[int | None, typer.Option("--shards", min=1, help="Primary shards of a new index.")] = None,
    replicas: Annotated[int | None, typer.Option("--replicas", min=0, help="Replicas of a new index.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Documents per bulk request.")] = 2000,
    in_flight: Annotated[int, typer.Option("--in-flight", min=1, help="Bulk requests sent at once.")] = 2,
    retry_seconds: Annotated[
        float,
        typer.Option(
            "--retry-seconds", min=0, help="How long to keep retrying a refusing (429/5xx) or unreachable server."
        ),
    ] = 300.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Load tweets (and users files beside them) into the index behind the alias; `_id` is the tweetid."""
    from common.connection import connect
    from indexer.bulk import BulkOptions
    from indexer.loader import LoadOptions, load_archive, validate_archive

    settings = ctx.obj
    with cli_errors(settings):
        if dry_run:
            summary = validate_archive(paths, rejects)
        else:
            options = LoadOptions(
                rejects_path=rejects,
                rebuild=rebuild,
                drop_replaced=drop_replaced,
                resume=resume,
                index_name=index_name,
                shards=shards,
                replicas=replicas,
                bulk=BulkOptions(chunk_docs=batch_size, in_flight=in_flight, retry_seconds=retry_seconds),
            )
            with ProgressReporter() as report:
                summary = load_archive(connect(settings), settings.alias, paths, options, on_progress=report)
    if as_json:
        from search_cli.render import print_json

        print_json(summary.to_dict())
    else:
        from search_cli.render import render_load_summary

        err.print(render_load_summary(summary))
    if not summary.reconciled:
        raise fail("the counts do not reconcile (rows read != indexed + rejected); please report this", 1)
    if not summary.count_matches:
        raise fail(
            f"the index holds {summary.index_count:,} tweets, which does not match this load "
            f"({summary.count_before:,} before, {summary.created:,} created); was another load writing to it?",
            1,
        )


class ProgressReporter:
    """A live progress line on a terminal; a plain line every 10 seconds when stderr is piped."""

    def __enter__(self) -> Callable[[LoadProgress], None]:
        self.last_line = time.monotonic()
        self.live = None
        if sys.stderr.isatty():
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            # The bar fills by input lines once they are counted (it pulses until then); the text says the rest.
            self.live = Progress(
                BarColumn(bar_width=24), TimeElapsedColumn(), TextColumn("{task.description}"), console=err,
                transient=True,
            )  # fmt: skip
            self.live.start()
            self.task = self.live.add_task("starting", total=None)
        return self.report

    def report(self, progress: LoadProgress) -> None:
        from search_cli.render import progress_line

        line = progress_line(progress)
        if self.live is not None:
            self.live.update(self.task, description=line, total=progress.lines_total, completed=progress.lines_done)
        elif time.monotonic() - self.last_line >= 10:
            self.last_line = time.monotonic()
            err.print(line)

    def __exit__(self, *exc_info: object) -> None:
        if self.live is not None:
            self.live.stop()
