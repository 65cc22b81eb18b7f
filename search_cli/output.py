"""The CLI's edges: consoles for data (stdout) and messages (stderr), and the one place errors become exits.

Library code raises `TweetsearchError` or lets Elasticsearch client exceptions through; `cli_errors`
turns either into one line on stderr and a non-zero exit, and anything else into one line saying it is a bug
(`INTERNAL_EXIT`), so no command ever shows a traceback (which could also print credentials held in local
variables). The exit codes themselves live in `common.errors`.
"""

from __future__ import annotations

import codecs
import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from common.connection import Settings, user_error
from common.errors import BROKEN_PIPE_EXIT, INTERNAL_EXIT, INTERRUPTED_EXIT, PartialResults, TweetsearchError


class _Console(Console):
    """A rich console that lets a closed pipe reach `exit_on_closed_pipe` (rich would exit 1 by itself)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


out = _Console(highlight=False, soft_wrap=True)
err = _Console(stderr=True, highlight=False, soft_wrap=True)


def silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so Python's final flush prints no traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


class _WholeWrites(io.RawIOBase):
    """Standard output's file descriptor, each write written whole or failing.

    A pipe whose reader leaves mid-write (`| head -c 10`) makes the system call return the bytes it took, and
    Python's buffered layer then reports the short count to a caller that never looks: the rest was dropped and
    the command ended with exit 0, an answer cut silently. Writing the rest here meets the closed pipe, and
    `exit_on_closed_pipe` turns it into exit 141.
    """

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        written = 0
        while written < len(view):
            written += os.write(self._fd, view[written:])
        return written


class _TerminalSafe(io.RawIOBase):
    """Data bound for a terminal (CSV, JSON, `export -o -`, a network file), its control characters shown.

    An archived `ESC[2J` in a CSV cell cleared the screen; JSON escapes C0 controls but leaves C1 and bidi ones.
    Only a terminal gets this: a file or a pipe gets the bytes unchanged. A CSV line's `\\r\\n` becomes a newline
    (a carriage return alone is a control); characters split between two writes are joined first.
    """

    def __init__(self, sink: io.RawIOBase) -> None:
        super().__init__()
        self._sink = sink
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._held = ""

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._sink.fileno()

    def isatty(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        from search.safe_text import terminal_safe

        text = self._held + self._decoder.decode(bytes(data))
        text, self._held = (text[:-1], "\r") if text.endswith("\r") else (text, "")
        self._sink.write(terminal_safe(text.replace("\r\n", "\n")).encode("utf-8"))
        return len(data)


def whole_writes_stdout() -> None:
    """Points standard output at `_WholeWrites`, and data written to a terminal through `_TerminalSafe`.

    Called once, by the program's entry point. On a terminal the rich console `out` (whose tables are already
    made safe, and whose colours are escape sequences of its own) keeps a stream of its own to the same place.
    """
    stream = sys.stdout
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing to replace
    stream.flush()
    whole = _WholeWrites(fd)
    terminal = os.isatty(fd)

    def text_over(raw: io.RawIOBase) -> io.TextIOWrapper:
        return io.TextIOWrapper(
            io.BufferedWriter(raw), encoding=stream.encoding, errors=stream.errors, line_buffering=terminal
        )

    sys.stdout = text_over(_TerminalSafe(whole) if terminal else whole)
    if terminal:
        out.file = text_over(whole)


@contextmanager
def exit_on_closed_pipe() -> Iterator[None]:
    """Around a whole command: output whose reader went away (`| head`) ends quietly with exit 141."""
    try:
        yield
    except BrokenPipeError:
        silence_stdout()
        raise typer.Exit(BROKEN_PIPE_EXIT) from None


RAW_CELLS_HELP = (
    "CSV: write the archive's bytes unchanged: unsafe to open in a spreadsheet. Without it a cell that a "
    "spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) starts with '."
)
RawCells = Annotated[bool, typer.Option("--raw-cells", help=RAW_CELLS_HELP)]
"""The one `--raw-cells` option of every command that writes CSV, so each says the same thing."""


def output_format(fmt: str | None, as_json: bool) -> str:
    """The format asked for: `--format`, or `--json`, or the table; both at once is a usage error (exit 2).

    `--format csv --json` cannot both be honoured, and silently picking one would hand a script the wrong shape.
    """
    if as_json and fmt not in (None, "json"):
        raise typer.BadParameter(f"--json asks for JSON, --format for {fmt}: give one of them", param_hint="--json")
    return "json" if as_json else fmt or "table"


def fail(message: str, code: int = 1) -> typer.Exit:
    """Prints `error: message` on stderr, on one line with control characters shown, and returns the Exit to raise.

    Messages quote what was typed and what the server answered: either may hold newlines or escape sequences.
    """
    from search.safe_text import one_line

    err.print(f"[bold red]error:[/] {escape(one_line(message))}", markup=True)
    return typer.Exit(code)


def warn_query(settings: Settings, query: str) -> None:
    """Prints on stderr, one `warning:` line each, what the query does that its author may not expect.

    Called by every command that takes a query, inside `cli_errors`; the query then runs as typed.
    """
    from common.connection import connect
    from search.query_notes import query_notes

    for note in query_notes(connect(settings), settings.alias, query):
        err.print(f"[yellow]warning:[/] {escape(note)}", markup=True)


@contextmanager
def cli_errors(settings: Settings | None = None) -> Iterator[None]:
    """Wrap a command's library call: user-facing errors become one line and an exit code.

    Any other exception is a bug, and says so (`INTERNAL_EXIT`): were it shown as a usage error (as a bare
    `ValueError` once was), a broken tool would read as the user's own mistake. The exception's type and
    message only: a traceback, or a debugger's locals, could show the credentials the connection holds.
    """
    try:
        yield
    except (BrokenPipeError, typer.Exit, typer.Abort, typer.TyperException):
        raise  # a closed pipe, and the exits and usage errors the command itself decided on
    except TweetsearchError as exc:
        raise fail(str(exc), exc.exit_code) from None
    except KeyboardInterrupt:
        raise fail("interrupted", INTERRUPTED_EXIT) from None
    except Exception as exc:
        translated = user_error(exc, settings) if settings is not None else None
        if translated is None:
            raise fail(internal_error(exc), INTERNAL_EXIT) from None
        raise fail(str(translated), translated.exit_code) from None


def internal_error(exc: BaseException) -> str:
    """The line for an exception nobody expected: what it was, that it is a bug, and what to report."""
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return f"internal error ({what}); this is a bug in tweetsearch, please report it with the command you ran"


def emit(report: Any, *, as_json: bool, render: Callable[[Any], Any]) -> None:
    """Prints a report as JSON or through its renderer; a partial answer (failed shards) then exits non-zero."""
    if as_json:
        from search_cli.render.data import print_json

        print_json(report)
    else:
        out.print(render(report))
    if getattr(report, "partial_reason", None):
        raise PartialResults(report.partial_reason)
