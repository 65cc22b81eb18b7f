"""Every error a user can cause, in one place.

The CLI turns each of these into one line on stderr and a non-zero exit code; nothing here carries a
traceback to the user. Each class says when it is raised.
"""

from __future__ import annotations


class TweetsearchError(Exception):
    """Base class: a problem the user can fix. `exit_code` is what the CLI exits with."""

    exit_code = 1


class ConnectionFailed(TweetsearchError):
    """Raised when Elasticsearch cannot be reached, refuses the credentials given, or the TLS handshake fails.

    Its own exit code, so that a script can tell "the server is down" from "the query is wrong" (2).
    """

    exit_code = 5


class ArchiveError(TweetsearchError):
    """Raised up front when an input file is not a recognisable archive file (no tweetid/tweet_text header)."""

    exit_code = 2


class QueryRejected(TweetsearchError):
    """Raised when the server refuses a request as malformed (HTTP 400): a query too large or too deeply
    nested for it, or any other refusal, named in one line rather than the server's own multi-line answer."""

    exit_code = 2


class IndexNotFound(TweetsearchError):
    """Raised when a search names an index or alias that does not exist yet (nothing indexed)."""

    exit_code = 2
