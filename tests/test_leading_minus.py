"""A query that starts with a minus is the query, for every command that takes one (README: Searching).

`-obama` used to be read as `-o bama` (export wrote the whole archive), `-hillary` as `-h` (help, exit 0),
`-news` as `-n ews`. Each test gives leading-minus queries whose letters cover every short option the command
has, and checks the answer equals the same query given after `--`.
"""

from __future__ import annotations

import orjson
import pytest

from search_cli.argv import hoist_global_options, option_arity, separate_arguments

# Letters after the minus cover -n, -o, -h, -i (every short option of the query commands), then operators.
LEADING_MINUS = [
    "-news",
    "-obama",
    "-hillary",
    "-iran",
    "-filter:retweets",
    "-filter:links",
    "-lang:en",
    '-"the election"',
    "-#maga",
    "-nhoi",
]


def _json(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return orjson.loads(result.stdout)


@pytest.mark.parametrize("query", LEADING_MINUS)
def test_search(cli, indexed_release, query: str) -> None:
    as_given = cli("search", query, "--json", "-n", "50", "--sort", "oldest")
    after_dashes = cli("search", "--json", "-n", "50", "--sort", "oldest", "--", query)
    assert _json(as_given) == _json(after_dashes)


@pytest.mark.parametrize("query", LEADING_MINUS)
def test_search_count_is_the_complement(cli, indexed_release, query: str) -> None:
    """The minus really excludes: matches of `-q` and of `q` add up to every tweet."""
    everything = int(cli("search", "--count", "--", "-nothingmatchesthisword").stdout)
    excluded = cli("search", query, "--count")
    included = cli("search", "--count", "--", query[1:])
    assert excluded.exit_code == included.exit_code == 0, excluded.stderr + included.stderr
    assert int(excluded.stdout) + int(included.stdout) == everything
    assert int(excluded.stdout) < everything or int(included.stdout) == 0


@pytest.mark.parametrize("query", LEADING_MINUS)
def test_export(cli, indexed_release, tmp_path, query: str) -> None:
    given = tmp_path / "given.csv"
    dashed = tmp_path / "dashed.csv"
    first = cli("export", query, "-o", str(given))
    second = cli("export", "-o", str(dashed), "--", query)
    assert first.exit_code == second.exit_code == 0, first.stderr + second.stderr
    assert given.read_bytes() == dashed.read_bytes()
    expected = int(cli("search", "--count", "--", query).stdout)
    assert given.read_bytes().count(b"\n") >= expected  # one row a tweet at least, plus the header


def test_export_never_reads_the_query_as_its_output_option(cli, indexed_release, tmp_path) -> None:
    """`export '-obama' -o x.csv` once exported the whole archive to a file named `bama`."""
    target = tmp_path / "x.csv"
    result = cli("export", "-obama", "-o", str(target), "--json")
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "bama").exists()
    assert orjson.loads(result.stdout)["rows"] == int(cli("search", "--count", "--", "-obama").stdout)


@pytest.mark.parametrize("query", LEADING_MINUS)
def test_top(cli, indexed_release, query: str) -> None:
    as_given = cli("top", "hashtags", query, "--json", "-n", "5")
    after_dashes = cli("top", "hashtags", "--json", "-n", "5", "--", query)
    assert _json(as_given) | {"took_ms": 0} == _json(after_dashes) | {"took_ms": 0}


@pytest.mark.parametrize("query", LEADING_MINUS)
def test_timeline(cli, indexed_release, query: str) -> None:
    as_given = cli("timeline", query, "--json", "-i", "year")
    after_dashes = cli("timeline", "--json", "-i", "year", "--", query)
    assert _json(as_given) | {"took_ms": 0} == _json(after_dashes) | {"took_ms": 0}


@pytest.mark.parametrize("text", ["-hillary counted the ballots", "-news of the day", "-obama"])
def test_quote(cli, indexed_release, text: str) -> None:
    as_given = cli("quote", text, "--json", "-n", "3")
    after_dashes = cli("quote", "--json", "-n", "3", "--", text)
    assert as_given.exit_code == after_dashes.exit_code
    given, dashed = orjson.loads(as_given.stdout), orjson.loads(after_dashes.stdout)
    assert given["text"] == text
    unstable = {"took_ms": 0, "checked_at": ""}  # how long it took, and when it was checked
    assert given | unstable == dashed | unstable


def test_whole_option_names_stay_options(cli, indexed_release) -> None:
    """`-n 3`, `--limit=3` and `-h` are still options; a mistyped long option is an error, not a query."""
    assert len(_json(cli("search", "-filter:retweets", "-n", "3", "--json"))["rows"]) == 3
    assert len(_json(cli("search", "-filter:retweets", "--limit=2", "--json"))["rows"]) == 2
    assert "Usage: tweetsearch search" in cli("search", "-h").stdout
    mistyped = cli("search", "vote", "--limt", "3")
    assert mistyped.exit_code == 2
    assert "No such option: --limt" in mistyped.stderr


def test_global_options_after_the_command(cli, indexed_release, alias, es_url) -> None:
    """--url and --alias work before and after the command name; two different values are an error."""
    wrong = {"TWEETSEARCH_ALIAS": "no-such-alias", "ELASTICSEARCH_URL": "http://127.0.0.1:9"}
    after = cli("search", "--count", "--alias", alias, "--url", es_url, "--", "-filter:retweets", env=wrong)
    before = cli("--alias", alias, "--url", es_url, "search", "--count", "--", "-filter:retweets", env=wrong)
    assert after.exit_code == before.exit_code == 0, after.stderr + before.stderr
    assert after.stdout == before.stdout
    both = cli("--alias", alias, "search", "vote", "--alias=other", "--count")
    assert both.exit_code == 2
    assert "--alias" in both.stderr and "twice" in both.stderr


def test_conflicting_formats_are_an_error(cli, indexed_release) -> None:
    result = cli("search", "vote", "--format", "csv", "--json")
    assert result.exit_code == 2
    assert "--json" in result.stderr and "--format" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["search", "export", "top", "timeline", "quote", "url", "account", "index"])
def test_help_is_in_the_conventional_form(cli, command: str) -> None:
    """Flags have no `<bool>`, arguments read QUERY or PATHS..., choices are listed."""
    text = cli(command, "--help").stdout
    assert "<bool>" not in text and "{" not in text.split("\n\n")[0]
    assert "<str>" not in text
    assert f"Usage: tweetsearch {command} [OPTIONS] " in text


def test_help_lists_the_choices(cli) -> None:
    assert "<newest|oldest|relevance>" in cli("search", "--help").stdout
    assert "<table|json|jsonl|csv>" in cli("top", "--help").stdout
    assert "<day|week|month|year>" in cli("timeline", "--help").stdout
    assert "Usage: tweetsearch search [OPTIONS] QUERY" in cli("search", "--help").stdout


def test_separate_arguments_reads_only_whole_names() -> None:
    arity = {"-o": True, "--output": True, "-n": True, "--json": False, "-h": False}
    assert separate_arguments(["-obama", "-o", "x.csv"], arity) == ["-o", "x.csv", "--", "-obama"]
    assert separate_arguments(["-o", "-", "-obama"], arity) == ["-o", "-", "--", "-obama"]
    assert separate_arguments(["--output=x", "-news", "--json"], arity) == ["--output=x", "--json", "--", "-news"]
    assert separate_arguments(["a", "--", "-n", "3"], arity) == ["--", "a", "-n", "3"]
    assert separate_arguments(["--nope", "-h"], arity) == ["--nope", "-h"]


def test_option_arity_covers_the_commands_options() -> None:
    from typer.main import get_command

    from search_cli.app import app

    export = get_command(app).commands["export"]  # type: ignore[attr-defined]
    arity = option_arity(export.params)
    assert arity["-o"] is True and arity["--output"] is True and arity["--json"] is False


def test_hoist_global_options() -> None:
    commands = ["search", "top"]
    assert hoist_global_options(["search", "x", "--url", "u"], commands) == ["--url", "u", "search", "x"]
    assert hoist_global_options(["--alias", "search", "search", "x"], commands) == ["--alias", "search", "search", "x"]
    assert hoist_global_options(["search", "--", "--url", "u"], commands) == ["search", "--", "--url", "u"]
    assert hoist_global_options(["top", "--alias=a", "tags"], commands) == ["--alias", "a", "top", "tags"]
