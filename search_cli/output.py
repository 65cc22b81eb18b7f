"""The CLI's edges: consoles for data (stdout) and messages (stderr), and the one place errors become exits.

Library code raises `TweetsearchError` or lets Elasticsearch client exceptions through; `cli_errors`
turns either into one line on stderr and a non-zero exit, so no command ever shows a traceback (which
could also print credentials held in local variables).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from indexer.connection import Settings, user_error
from indexer.errors import TweetsearchError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


OUTPUT_FORMATS = ("table", "json", "jsonl", "csv")


def output_format(fmt: str, as_json: bool) -> str:
    """The `--format` asked for, `--json` winning; a ValueError (one line, exit 2 under `cli_errors`) otherwise."""
    chosen = "json" if as_json else fmt
    if chosen not in OUTPUT_FORMATS:
        raise ValueError(f'unknown format "{chosen}"; choose one of: {", ".join(OUTPUT_FORMATS)}')
    return chosen


def fail(message: str, code: int = 1) -> typer.Exit:
    """Prints `error: message` on stderr, on one line with control characters shown, and returns the Exit to raise.

    Messages quote what was typed and what the server answered: either may hold newlines or escape sequences.
    """
    from search_cli.safe_text import one_line

    err.print(f"[bold red]error:[/] {escape(one_line(message))}", markup=True)
    return typer.Exit(code)


def warn_query(settings: Settings, query: str) -> None:
    """Prints on stderr, one `warning:` line each, what the query does that its author may not expect.

    Called by every command that takes a query, inside `cli_errors`; the query then runs as typed.
    """
    from indexer.connection import connect
    from search_cli.query_notes import query_notes

    for note in query_notes(connect(settings), settings.alias, query):
        err.print(f"[yellow]warning:[/] {escape(note)}", markup=True)


@contextmanager
def cli_errors(settings: Settings | None = None) -> Iterator[None]:
    """Wrap a command's library call: user-facing errors become one line and an exit code."""
    try:
        yield
    except TweetsearchError as exc:
        raise fail(str(exc), exc.exit_code) from None
    except KeyboardInterrupt:
        raise fail("interrupted", 130) from None
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    except Exception as exc:
        translated = user_error(exc, settings) if settings is not None else None
        if translated is None:
            raise
        raise fail(str(translated), translated.exit_code) from None


def emit(report: Any, *, as_json: bool, render: Callable[[Any], Any]) -> None:
    """Prints a report as JSON or through its renderer; a partial answer (failed shards) then exits non-zero."""
    if as_json:
        from search_cli.render import print_json

        print_json(report)
    else:
        out.print(render(report))
    if getattr(report, "partial_reason", None):
        from search_cli.search import PartialResults

        raise PartialResults(report.partial_reason)
