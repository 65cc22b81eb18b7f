"""Every error a user can cause, and every exit code, in one place.

The CLI turns each of these exceptions into one line on stderr and its `exit_code`; nothing here carries a
traceback to the user. Each class says when it is raised. The codes that are answers rather than errors (the
quote verdicts, a reader that went away, an interrupt, a bug) are the `*_EXIT` constants below. README's exit
code table lists exactly the codes this module holds (`tests/test_exit_codes.py`), so a script author can rely
on it.

Any other exception reaching the CLI is a bug in tweetsearch, not a user's mistake: it exits `INTERNAL_EXIT`.
"""

from __future__ import annotations

# Exit codes that are not exceptions.

EXACT_EXIT = 0
"""`quote`: the verdict EXACT; every command that did what was asked exits 0 too (no match is an answer)."""

NEAR_EXIT = 10
"""`quote`: the verdict NEAR (a near copy, not the words as given)."""

NOT_FOUND_EXIT = 11
"""`quote`: the verdict NOT FOUND."""

INTERNAL_EXIT = 70
"""An exception the code did not expect: a bug, reported as one (EX_SOFTWARE in sysexits.h), never as a
usage error, so that a wrong answer from a broken tool is never mistaken for the user's own mistake."""

INTERRUPTED_EXIT = 130
"""Ctrl-C (128 + SIGINT, what a shell reports); a load continues with `--resume`."""

BROKEN_PIPE_EXIT = 141
"""The output's reader went away early (`| head`): what a shell reports for a writer killed by SIGPIPE (128 +
13), the same for every command and format, so a script can tell "the reader stopped" from an error."""


class TweetsearchError(Exception):
    """Base class: a problem the user can fix. `exit_code` is what the CLI exits with."""

    exit_code = 1


# --------------------------------------------------------------------------------------------------------------
# Usage errors (2): what was asked cannot be done as asked.


class UsageError(TweetsearchError, ValueError):
    """Raised for a bad argument: a value out of range, a choice that is not one, two options that conflict.

    Also a `ValueError`, Python's error for a bad argument, so code calling the library keeps catching it as
    one; the CLI reports it as the user's mistake (2). A `ValueError` that is not a `UsageError` is a bug.
    """

    exit_code = 2


class AddressTooLong(UsageError):
    """Raised when the expression finding an address (its parameters in any order) would be longer than the
    server accepts; `url:` and `tweetsearch url` turn it into their own error, naming where it was typed."""


class LimitReached(UsageError):
    """Raised when answering would pass a bound set on the work one request may do: more account pairs, tweets
    read or network edges than allowed, or a web page's time. Never answered in part: what was read is dropped,
    and the message says which bound and how to narrow the question."""


class ArchiveError(TweetsearchError):
    """Raised up front when an input file is not a recognisable archive file (no tweetid/tweet_text header)."""

    exit_code = 2


class TooManyRejects(ArchiveError):
    """Raised when a load or `--dry-run` rejects more rows than `--max-rejects`: what is read is not a tweets
    archive (a file of another kind, or a small compressed file that unpacks into endless bad rows). Reading
    stops there; what was read is settled and its books balance, and a load can go on with `--resume` and a
    higher bound when the damage is real."""


class QueryRejected(TweetsearchError):
    """Raised when the server refuses a request as malformed (HTTP 400): a query too large or too deeply
    nested for it, or any other refusal, named in one line rather than the server's own multi-line answer."""

    exit_code = 2


class IndexNotFound(TweetsearchError):
    """Raised when a search names an index or alias that does not exist yet (nothing indexed)."""

    exit_code = 2


class QuerySyntaxError(TweetsearchError):
    """Raised by `parse_query` for a malformed query; `position` is the 0-based offset of the problem.

    `str()` is the one line the CLI prints; `pointer(query)` adds the query with a caret under the problem.
    """

    exit_code = 2

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = position

    @property
    def column(self) -> int:
        """1-based, as people count columns."""
        return self.position + 1

    def __str__(self) -> str:
        # The message may quote what was typed, newlines and escape characters included: shown, never obeyed.
        from search.safe_text import one_line

        return one_line(f"{self.message} (column {self.column})")

    def pointer(self, query: str) -> str:
        """The query on one line and a caret under the offending character on the next.

        Wide (CJK) characters take two terminal cells, so they get two spaces of indent.
        """
        import unicodedata

        shown = "".join(" " if ch in "\t\r\n" else ch for ch in query)
        indent = "".join(
            "  " if unicodedata.east_asian_width(ch) in ("W", "F") else " " for ch in shown[: self.position]
        )
        return f"{shown}\n{indent}^"


class EmptyQuote(TweetsearchError):
    """Raised when the text has no words left to look for (empty, or only a `RT @name:` prefix, links, `…`)."""

    exit_code = 2


class NotAUrl(TweetsearchError):
    """Raised by `url_target` for text that is neither a web address nor a domain."""

    exit_code = 2


class UnknownField(TweetsearchError):
    """Raised by `top_values` for a field name it cannot count; the message lists the valid ones."""

    exit_code = 2


class CheckpointError(TweetsearchError):
    """Raised when `--resume` finds no checkpoint, one written for other input files, or one that is not as a
    load writes it (a field of the wrong type, an index the alias's loads do not make, settings it does not
    change): a changed checkpoint is refused before anything is done."""

    exit_code = 2


# --------------------------------------------------------------------------------------------------------------
# Answers that are not what was hoped for (1), and failures along the way.


class NotFound(TweetsearchError):
    """Raised when no tweet shares the URL, or no tweet is by the account: the answer is "none", exit 1."""

    exit_code = 1


class ExportError(TweetsearchError):
    """Raised when an export cannot be written completely (the reason says what to do)."""

    exit_code = 1


class ExportIncomplete(ExportError):
    """Raised when the rows written differ from the total the search counted: the export is not trusted."""


class PointInTimeExpired(ExportError):
    """Raised when the point in time lapsed between two pages (the output was blocked longer than keep_alive)."""


class OutputFailed(TweetsearchError):
    """Raised when a file or folder the user asked for cannot be written: a folder that cannot be made, no
    permission, a full disk."""

    exit_code = 1


class PlotUnavailable(TweetsearchError):
    """Raised when a plot is asked for and matplotlib is not installed (or cannot write the file)."""

    exit_code = 1


class AddressUnavailable(TweetsearchError):
    """Raised when `serve` cannot listen where asked: the port is taken, or the address is not this machine's."""

    exit_code = 1


class BulkFailed(TweetsearchError):
    """Raised when the server keeps refusing a request (429/5xx/unreachable) past the retry deadline."""

    exit_code = 3


class PartialResults(TweetsearchError):
    """Raised when the server's answer is incomplete (failed shards, timed out): never silently short."""

    exit_code = 4


class ConnectionFailed(TweetsearchError):
    """Raised when Elasticsearch cannot be reached, refuses the credentials given, or the TLS handshake fails.

    Its own exit code, so that a script can tell "the server is down" from "the query is wrong" (2).
    """

    exit_code = 5


class LoadInterrupted(TweetsearchError):
    """Raised when the user stops a load (Ctrl-C): what was stored is checkpointed and the index restored."""

    exit_code = INTERRUPTED_EXIT
