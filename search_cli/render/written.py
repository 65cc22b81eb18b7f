"""`export` and `generate`: what was written where, in the lines a person reads after the work is done."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:
    from generator.release import GenerateSummary
    from search.export import ExportSummary


def exported_line(summary: ExportSummary, where: str) -> Text:
    """How many tweets went where, in which format and how fast."""
    return Text(f"exported {summary.rows:,} tweets ({summary.format}) to {where} in {summary.seconds:,.1f} s")


def unclosed_view_line(keep_alive: str) -> Text:
    """The export's point in time outlives it (the server lets it lapse): worth knowing, not an error."""
    return Text(f"warning: the server's point in time could not be closed; it lapses by itself after {keep_alive}")


def generated_files(summary: GenerateSummary) -> list[Text]:
    """One line per file written: path, kind and rows (stdout, for scripts that pick the files up)."""
    return [Text(f"{file.path}  {file.kind:6}  {file.rows:>10,} rows") for file in summary.files]


def generated_line(summary: GenerateSummary) -> Text:
    """What the release holds, how fast it was written and where its ground truth is."""
    rate = summary.tweets / summary.seconds if summary.seconds else 0
    return Text(
        f"{summary.tweets:,} tweets, {summary.users:,} accounts, {summary.malformed_rows:,} malformed rows "
        f"in {summary.seconds:,.1f} s ({rate:,.0f} rows/s); ground truth: {summary.ground_truth}"
    )
