"""The one progress bar of the long commands (`index`, `export`, `generate`), drawn on stderr.

The library only reports how far it got, through a callback with counts (`indexer.loader.LoadProgress`, rows
exported out of the total, tweets written); drawing is the command line's. The bar is drawn only when stderr
is a terminal, and cleared when the work ends, so a log or a pipe gets the summary line and nothing else.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from indexer.loader import LoadProgress


@dataclass
class ProgressBar:
    """A transient bar on `console` (stderr by default): `label`, the bar, then what is asked for.

    `counts` shows `done/total`, `estimate` the share done and the time left at the pace so far, `elapsed`
    the time since the start, and the `detail` of the last update comes last (a line the caller words). Until
    the total is known the bar pulses. When the console is not a terminal nothing is drawn; `plain_every`
    then prints the detail as a plain line at most that often (seconds), for a long load written to a log.
    """

    label: str = ""
    total: int | None = None
    counts: bool = False
    estimate: bool = True
    elapsed: bool = False
    bar_width: int | None = 40
    enabled: bool = True
    plain_every: float | None = None
    console: Console | None = None
    _live: Progress | None = field(default=None, init=False, repr=False)
    _task: TaskID | None = field(default=None, init=False, repr=False)
    _last_line: float = field(default=0.0, init=False, repr=False)

    def __enter__(self) -> ProgressBar:
        from search_cli.output import err

        self.console = self.console or err
        self._last_line = time.monotonic()
        if self.enabled and self.console.file.isatty():
            self._live = Progress(*self._columns(), console=self.console, transient=True)
            self._live.start()
            self._task = self._live.add_task(self.label, total=self.total, detail="")
        return self

    def _columns(self) -> list[str | ProgressColumn]:
        columns: list[str | ProgressColumn] = [TextColumn("{task.description}")] if self.label else []
        columns.append(BarColumn(bar_width=self.bar_width))
        if self.counts:
            columns.append(MofNCompleteColumn())
        if self.estimate:
            columns += [TaskProgressColumn(), TimeRemainingColumn()]
        if self.elapsed:
            columns.append(TimeElapsedColumn())
        columns.append(TextColumn("{task.fields[detail]}", markup=False))
        return columns

    def update(self, done: int, total: int | None = None, detail: str = "") -> None:
        """Moves the bar to `done` of `total` (None: as given before, or unknown) with `detail` after it."""
        if self._live is not None and self._task is not None:
            total = total if total is not None else self.total
            self._live.update(self._task, completed=done, total=total, detail=detail)
        elif self._plain_line_due() and detail and self.console is not None:
            self._last_line = time.monotonic()
            self.console.print(detail, markup=False)

    def _plain_line_due(self) -> bool:
        return self.plain_every is not None and time.monotonic() - self._last_line >= self.plain_every

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.stop()


def load_progress(bar: ProgressBar) -> Callable[[LoadProgress], None]:
    """`index`'s callback: the bar fills by input lines once they are counted; the line says rows, speed,
    rejects and file, with the share and the ETA the loader estimates."""
    from search_cli.render.load import progress_line

    def report(progress: LoadProgress) -> None:
        bar.update(progress.lines_done, progress.lines_total, progress_line(progress))

    return report


def load_bar() -> ProgressBar:
    """The bar of `index`: the loader's own share and ETA are in its line, so no second estimate; when stderr
    is piped, that line every 10 seconds instead."""
    return ProgressBar(bar_width=24, estimate=False, elapsed=True, plain_every=10)


def export_bar(*, enabled: bool) -> ProgressBar:
    """The bar of `export`: rows written out of the search's total, share and time left."""
    return ProgressBar("exporting", counts=True, enabled=enabled)


def generate_bar(tweets: int) -> ProgressBar:
    """The bar of `generate`: tweets written out of those asked for, share and time left."""
    return ProgressBar("writing tweets", total=tweets, counts=True)
