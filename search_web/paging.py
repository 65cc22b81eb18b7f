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


def encode_after(values: list[Any]) -> str:
    """The token for a page that starts after `values`."""
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode("ascii").rstrip("=")


def decode_after(token: str) -> list[Any]:
    """The sort values in a token from `encode_after`, or `UsageError` for anything else (a hand-edited or cut
    address): a list of numbers and strings, at most four of them (the longest sort has three)."""
    try:
        values = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        values = None
    if not isinstance(values, list) or not 0 < len(values) <= 4:
        raise UsageError(DAMAGED)
    if not all(isinstance(value, int | float | str) and not isinstance(value, bool) for value in values):
        raise UsageError(DAMAGED)
    return values
