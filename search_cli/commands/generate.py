"""`tweetsearch generate`: write a synthetic release in the archives' real format, with its ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from search_cli.output import cli_errors, err, out


def generate(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the release into.")] = Path("sample"),
    tweets: Annotated[int, typer.Option("--tweets", min=1000, help="Well-formed tweets to write.")] = 100_000,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same bytes.")] = 0,
    malformed: Annotated[
        int, typer.Option("--malformed", min=0, help="Malformed rows of each kind to mix in (for testing rejects).")
    ] = 0,
    compress: Annotated[str, typer.Option("--compress", help="none, gz or zip.")] = "none",
    split_rows: Annotated[
        int | None, typer.Option("--split-rows", min=1, help="Split tweets files into _1, _2, ... of this many rows.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")] = False,
) -> None:
    """Write IRA-like, Iran-like and a later-style release, plus ground_truth.json listing what was planted."""
    from generator.release import generate_release

    if compress not in ("none", "gz", "zip"):
        raise typer.BadParameter(f"must be none, gz or zip, not {compress!r}", param_hint="--compress")
    with cli_errors(), GenerateProgress(tweets) as report:
        summary = generate_release(
            out_dir,
            tweets=tweets,
            seed=seed,
            malformed=malformed,
            compress=compress,  # type: ignore[arg-type]
            split_rows=split_rows,
            on_progress=report,
        )
    if as_json:
        from search_cli.render import print_json

        print_json(summary)
        return
    for file in summary.files:
        out.print(f"{file.path}  {file.kind:6}  {file.rows:>10,} rows", markup=False)
    rate = summary.tweets / summary.seconds if summary.seconds else 0
    err.print(
        f"{summary.tweets:,} tweets, {summary.users:,} accounts, {summary.malformed_rows:,} malformed rows "
        f"in {summary.seconds:,.1f} s ({rate:,.0f} rows/s); ground truth: {summary.ground_truth}"
    )


class GenerateProgress:
    """A progress bar on a terminal; silent when stderr is piped (the summary line says it all)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar = None

    def __enter__(self):
        import sys

        if sys.stderr.isatty():
            from rich.progress import Progress

            self.bar = Progress(console=err, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("writing tweets", total=self.total)
        return self.report

    def report(self, rows_written: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=rows_written)

    def __exit__(self, *exc_info: object) -> None:
        if self.bar is not None:
            self.bar.stop()
