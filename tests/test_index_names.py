"""An index loaded with `--index-name` works with every command through `--alias NAME`, and the load's summary
says whether the alias was moved to it (without `--rebuild` it is not)."""

from __future__ import annotations

import orjson
import pytest


@pytest.fixture(scope="module")
def named(cli, alias, generated_release, tmp_path_factory) -> dict:
    folder, truth = generated_release
    name = f"{alias}-named"
    rejects = tmp_path_factory.mktemp("named") / "rejects.jsonl"
    shown = cli("index", str(folder), "--index-name", name, "--rejects", str(rejects))
    summary = cli("index", str(folder), "--index-name", name, "--rejects", str(rejects), "--json")
    assert shown.exit_code == 0 and summary.exit_code == 0, shown.stderr + summary.stderr
    return {"name": name, "truth": truth, "shown": shown.stdout + shown.stderr, "summary": orjson.loads(summary.stdout)}


def test_the_summary_says_the_alias_was_not_moved_and_how_to_search_the_index(named, alias):
    assert "not moved to it" in named["shown"] and f"--alias {named['name']}" in named["shown"]
    assert named["name"] not in named["summary"]["alias_indices"]


def test_status_through_the_index_name_counts_its_tweets(cli, named):
    status = orjson.loads(cli("--alias", named["name"], "status", "--json").stdout)

    assert status["documents"] == named["truth"]["total_tweets"]
    assert status["indices"] == [named["name"]]
    assert status["accounts"] and status["accounts"] > 0


def test_profile_operators_through_the_index_name_search_its_accounts(cli, named):
    result = cli("--alias", named["name"], "search", "bio:news OR location:moscow", "--count")

    assert result.exit_code == 0, result.stderr
    assert "earlier version" not in result.stderr
