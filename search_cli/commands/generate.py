"""`tweetsearch generate`: write a synthetic release in the archives' real format, with its ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from search.choices import Compression
from search_cli.output import cli_errors, err, out


def generate(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the release into.")] = Path("sample"),
    tweets: Annotated[int, typer.Option("--tweets", min=1000, help="Well-formed tweets to write.")] = 100_000,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same bytes.")] = 0,
    malformed: Annotated[
        int, typer.Option("--malformed", min=0, help="Malformed rows of each kind to mix in (for testing rejects).")
    ] = 0,
    compress: Annotated[
        Compression, typer.Option("--compress", help="Compress each file: gzip it, zip it, or not at all.")
    ] = "none",
    split_rows: Annotated[
        int | None, typer.Option("--split-rows", min=1, help="Split tweets files into _1, _2, ... of this many rows.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")] = False,
) -> None:
    """Write IRA-like, Iran-like and a later-style release, plus ground_truth.json listing what was planted."""
    from generator.release import generate_release
    from search_cli.render.progress import generate_bar
    from search_cli.render.written import generated_files, generated_line

    with cli_errors(), generate_bar(tweets) as bar:
        summary = generate_release(
            out_dir,
            tweets=tweets,
            seed=seed,
            malformed=malformed,
            compress=compress,
            split_rows=split_rows,
            on_progress=bar.update,
        )
    if as_json:
        from search_cli.render.data import print_json

        print_json(summary)
        return
    for line in generated_files(summary):
        out.print(line)
    err.print(generated_line(summary))
