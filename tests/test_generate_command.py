"""`tweetsearch generate` as a user runs it: files in the real layout, a summary, the same bytes per seed."""

from __future__ import annotations

import orjson
from typer.testing import CliRunner

from search_cli.app import app


def test_generate_writes_the_release_and_says_what_it_wrote(tmp_path):
    result = CliRunner().invoke(app, ["generate", "--tweets", "2000", "--seed", "3", "--out", str(tmp_path), "--json"])

    assert result.exit_code == 0, result.output
    summary = orjson.loads(result.stdout)
    assert summary["tweets"] == 2000
    written = sorted(path.name for path in tmp_path.iterdir())
    assert "ira_tweets_csv_hashed.csv" in written
    assert "iranian_users_csv_hashed.csv" in written
    assert "ground_truth.json" in written
    assert sum(file["rows"] for file in summary["files"] if file["kind"] == "tweets") == 2000


def test_too_few_tweets_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(app, ["generate", "--tweets", "10", "--out", str(tmp_path)])

    assert result.exit_code == 2
    assert "--tweets" in result.output


def test_a_folder_that_cannot_be_written_is_one_line_and_exit_1(tmp_path):
    from typer.testing import CliRunner

    from search_cli.app import app

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(app, ["generate", "--tweets", "1000", "--out", str(blocker / "release")])

    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines() == [
        f"error: cannot write the release to {blocker / 'release'}: Not a directory"
    ]
