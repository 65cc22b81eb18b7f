"""A request the server refuses at its memory limit (the request circuit breaker, a 429) is said in one line with
what to do, exit 2: it is neither "the server is down" (exit 5) nor a traceback, on every command that aggregates."""

from __future__ import annotations

import pytest
from test_plugin_bounds import request_breaker


@pytest.mark.parametrize(
    "command",
    [["top", "hashtags"], ["timeline", "", "--interval", "day"], ["top", "accounts", "--json"]],
    ids=lambda c: c[0],
)
def test_a_breaker_refusal_is_one_line_asking_to_narrow_the_query(cli, es, indexed_release, command):
    with request_breaker(es, "1b"):
        result = cli(*command)

    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "memory limit" in lines[0] and "narrow the query" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
