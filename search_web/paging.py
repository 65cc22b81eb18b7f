"""Where a page of results starts, carried in the page's address: the previous page's last sort values
(`SearchResult.next_after`) as an opaque token, so that a page can be reloaded and shared as it is, and
paging goes on past the 10,000 hits that `from`/`size` could reach."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from common.errors import UsageError

DAMAGED = "the page address is damaged (its `after` is not one this site wrote); start again from the first page"


def encode_after(values: list[Any], start: int) -> str:
    """The token for a page that starts after `values`, as row `start` (0-based) of the results. The row number
    travels inside the token with the sort values, so a page's numbers are the ones its rows have, whatever the
    address's readable `start` says."""
    return base64.urlsafe_b64encode(orjson.dumps({"after": values, "start": start})).decode("ascii").rstrip("=")


def decode_after(token: str) -> tuple[list[Any], int]:
    """The sort values and the row number in a token from `encode_after`, or `UsageError` for anything else (a
    hand-edited or cut address): a list of numbers and strings, at most four of them (the longest sort has
    three), and a row number above zero."""
    try:
        page = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        page = None
    if not isinstance(page, dict) or set(page) != {"after", "start"}:
        raise UsageError(DAMAGED)
    values, start = page["after"], page["start"]
    if not isinstance(values, list) or not 0 < len(values) <= 4:
        raise UsageError(DAMAGED)
    if not all(isinstance(value, int | float | str) and not isinstance(value, bool) for value in values):
        raise UsageError(DAMAGED)
    if not isinstance(start, int) or isinstance(start, bool) or not 0 < start < 10**15:
        raise UsageError(DAMAGED)
    return values, start
