"""`--alias` names one alias or index: a pattern, a list or `_all` would add every index it matches together
(old versions and other tools' indices included) and answer counts of something nobody asked for."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("name", ["*", "_all", "tweets-*", "tweets,other", "Tweets", "-x", "_x", ".."])
@pytest.mark.parametrize("command", [["status"], ["search", "vote", "--count"], ["top", "hashtags"]], ids=str)
def test_an_alias_that_names_several_indices_or_none_is_refused(cli, name, command):
    result = cli("--alias", name, *command)

    assert result.exit_code == 2, (name, result.stdout, result.stderr)
    assert "--alias" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_ordinary_names_pass():
    from common.connection import check_alias

    for name in ("tweets", "t-module-1a2b3c", "probe-gen", "tweets_2019.v2"):
        assert check_alias(name) == name
