"""`tweetsearch index PATH...`: load archive files into Elasticsearch, accounting for every row."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from common.errors import INTERNAL_EXIT
from search_cli.output import cli_errors, err, fail

MAX_REJECTS = 100_000
"""`indexer.rejects.MAX_REJECTS`, which `tweetsearch --help` cannot import (it loads no indexer module); a test
keeps the two equal."""


def index(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Archive files, folders or globs (.csv, .csv.gz, .zip). Symbolic links are followed only when named "
            "here, not inside a folder or among a glob's matches."
        ),
    ],
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
    max_rejects: Annotated[
        int,
        typer.Option(
            "--max-rejects",
            min=0,
            help="Stop, saying the input is not a tweets archive, once more rows than this are rejected.",
        ),
    ] = MAX_REJECTS,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and validate only; no server needed.")] = False,
    index_name: Annotated[
        str | None, typer.Option("--index-name", help="Load into this index instead of the alias's own versions.")
    ] = None,
    concurrent: Annotated[
        bool,
        typer.Option(
            "--concurrent",
            help="With --index-name: other loads (on other machines) write into the same index at the same time.",
        ),
    ] = False,
    shards: Annotated[
        int | None,
        typer.Option("--shards", min=1, help="Primary shards of a new index (default: one per data node)."),
    ] = None,
    replicas: Annotated[
        int | None,
        typer.Option("--replicas", min=0, help="Replicas of a new index (default: 1 on a cluster, 0 on one node)."),
    ] = None,
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
    from search_cli.render.load import render_load_summary
    from search_cli.render.progress import load_bar, load_progress

    settings = ctx.obj
    with cli_errors(settings):
        if dry_run:
            summary = validate_archive(paths, rejects, max_rejects)
        else:
            options = LoadOptions(
                rejects_path=rejects,
                rebuild=rebuild,
                drop_replaced=drop_replaced,
                resume=resume,
                index_name=index_name,
                concurrent=concurrent,
                max_rejects=max_rejects,
                shards=shards,
                replicas=replicas,
                bulk=BulkOptions(chunk_docs=batch_size, in_flight=in_flight, retry_seconds=retry_seconds),
            )
            with load_bar() as bar:
                summary = load_archive(
                    connect(settings), settings.alias, paths, options, on_progress=load_progress(bar)
                )
    if as_json:
        from search_cli.render.data import print_json

        print_json(summary.to_dict())
    else:
        err.print(render_load_summary(summary))
    if not summary.reconciled:
        raise fail(
            "the counts do not reconcile (rows read != indexed + rejected); this is a bug, please report it",
            INTERNAL_EXIT,
        )
    if summary.count_matches is False:
        raise fail(
            f"the index holds {summary.index_count:,} tweets, which does not match this load "
            f"({summary.count_before:,} before, {summary.created:,} created); was another load writing to it?",
            1,
        )
