"""What every command answers at its edges: bytes that are not UTF-8, a reader that leaves, a terminal.

Each runs the program as a user does (a fresh interpreter, its real stdout: a pipe, a closed pipe or a
terminal), against the real server and an archive holding a tweet with escape sequences in it.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from archive_samples import ira_row, minimal_csv, write

PROGRAM = "from search_cli.app import main; main()"
HOSTILE_TEXT = "held tweet \x1b[2J\x07 cleared \u009b6n \u202eevil"


def _env(es_url: str, alias: str) -> dict[str, str]:
    return {"ELASTICSEARCH_URL": es_url, "TWEETSEARCH_ALIAS": alias, "PATH": "/usr/bin:/bin", "COLUMNS": "100"}


@pytest.fixture(scope="module")
def hostile_archive(cli, tmp_path_factory) -> Path:
    """A small archive loaded into the module's alias: one tweet holding ESC[2J, BEL, a C1 CSI and a bidi override."""
    folder = tmp_path_factory.mktemp("hostile")
    rows = [ira_row(tweetid=str(900000000000000000 + n), tweet_text=f"plain tweet {n} #MAGA") for n in range(30)]
    rows.append(ira_row(tweetid="900000000000000999", tweet_text=HOSTILE_TEXT))
    write(folder / "ira_tweets_csv_hashed.csv", minimal_csv(rows))
    result = cli("index", str(folder))
    assert result.exit_code == 0, result.stderr
    return folder


def run_bytes(es_url: str, alias: str, *args: bytes) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROGRAM, *args], capture_output=True, env=_env(es_url, alias), timeout=120
    )


# ---------------------------------------------------------------------------------------------------------------
# Item: a byte that is not UTF-8 in any argument is one line and exit 2, never a bug report with the request.


@pytest.mark.parametrize(
    "args",
    [
        (b"search", b"a\xffb"),
        (b"search", b"from:\xff"),
        (b"search", b"#vo\xffte"),
        (b"search", b"@\xff"),
        (b"search", b"url:example.com/\xff"),
        (b"search", b'"a phrase \xff"'),
        (b"search", b"campaign:\xff"),
        (b"search", b"client:\xff"),
        (b"search", b"vote", b"--count", b"--explain", b"-n", b"5", b"\xe9t\xe9"),
        (b"export", b"\xff", b"-o", b"-"),
        (b"top", b"hashtags", b"\xff"),
        (b"timeline", b"\xff"),
        (b"account", b"\xff"),
        (b"url", b"http://\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84/\xff"),
        (b"quote", b"a tweet \xff"),
        (b"coordination", b"\xff"),
        (b"network", b"\xff", b"-o", b"-"),
        (b"--alias", b"\xff", b"status"),
    ],
)
def test_a_byte_that_is_not_utf8_is_one_line_and_exit_2(es_url, alias, hostile_archive, args) -> None:
    result = run_bytes(es_url, alias, *args)
    stderr = result.stderr.decode()

    assert result.returncode == 2, stderr
    assert stderr.startswith("error: '") and "is not valid UTF-8" in stderr and stderr.count("\n") == 1, stderr
    assert "\\xff" in stderr or "\\xe9" in stderr
    assert "match_phrase" not in stderr and result.stdout == b""


def test_the_line_names_the_byte_and_keeps_the_rest_as_typed(es_url, alias, hostile_archive) -> None:
    result = run_bytes(es_url, alias, b"search", "выборы ".encode() + b"\xff")
    assert result.stderr.decode() == (
        "error: 'выборы \\xff' is not valid UTF-8 (byte 14); type it again, or set the terminal to UTF-8\n"
    )


# ---------------------------------------------------------------------------------------------------------------
# Item: a reader that goes away gives 141 for every command and format.


def _into_a_closed_pipe(es_url: str, alias: str, *args: str) -> subprocess.CompletedProcess:
    """Runs the program with a stdout whose reader has already gone (`| head` that has ended)."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            [sys.executable, "-c", PROGRAM, *args], stdout=writer, stderr=subprocess.PIPE,
            env=_env(es_url, alias), timeout=120,
        )  # fmt: skip
    finally:
        os.close(writer)


@pytest.mark.parametrize(
    "args",
    [
        ("search", "tweet"),
        ("search", "tweet", "--json"),
        ("search", "tweet", "--format", "jsonl"),
        ("search", "tweet", "--format", "csv"),
        ("search", "tweet", "--count"),
        ("search", "tweet", "--count", "--json"),
        ("export", "tweet", "-o", "-"),
        ("export", "tweet", "-o", "-", "--format", "jsonl"),
        ("top", "hashtags"),
        ("top", "hashtags", "--json"),
        ("top", "hashtags", "--format", "csv"),
        ("timeline", "tweet"),
        ("timeline", "tweet", "--json"),
        ("timeline", "tweet", "--format", "csv"),
        ("timeline", "tweet", "--format", "jsonl"),
        ("account", "Jenn_Abrams"),
        ("account", "Jenn_Abrams", "--json"),
        ("status",),
        ("status", "--json"),
        ("coordination",),
        ("coordination", "--json"),
        ("network", "-o", "-"),
        ("--help",),
        ("search", "--help"),
        (),
    ],
)
def test_output_to_a_reader_that_has_gone_exits_141(es_url, alias, hostile_archive, args) -> None:
    result = _into_a_closed_pipe(es_url, alias, *args)
    stderr = result.stderr.decode()

    assert result.returncode == 141, stderr
    assert "Traceback" not in stderr and "error" not in stderr.lower(), stderr


@pytest.fixture(scope="module")
def long_alias(cli, alias, generated_release) -> str:
    """A 3,000-tweet release under an alias of its own, so the small archive's counts stay its own."""
    name = f"{alias}-long"
    result = cli("--alias", name, "index", str(generated_release[0]))
    assert result.exit_code == 0, result.stderr
    return name


@pytest.mark.parametrize("fmt", ["json", "csv", "jsonl", "table"])
def test_a_reader_that_leaves_in_the_middle_of_a_long_write_gives_141(es_url, long_alias, fmt) -> None:
    """Megabytes written at once: the system takes part of them before the reader leaves. The rest was dropped
    and the command said 0 (`search vote --json --limit 2000 | head -c 10`)."""
    process = subprocess.Popen(
        [sys.executable, "-c", PROGRAM, "search", "-nothingmatchesthis", "-n", "3000", "--format", fmt],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(es_url, long_alias),
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=120)

    assert process.returncode == 141, stderr
    assert "Traceback" not in stderr


# ---------------------------------------------------------------------------------------------------------------
# Item: on a terminal every format shows control characters, as the table does; to a pipe, CSV stays exact.


def _on_a_terminal(es_url: str, alias: str, *args: str) -> tuple[int, bytes]:
    """Runs the program with a terminal as its stdout and stderr; what the terminal received, and the exit."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", PROGRAM, *args], stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal,
        env=_env(es_url, alias),
    )  # fmt: skip
    os.close(terminal)
    received = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        received += chunk
    os.close(controller)
    return process.wait(timeout=120), received


@pytest.mark.parametrize(
    "args",
    [
        ("search", "held", "--format", "csv"),
        ("search", "held", "--format", "csv", "--raw-cells"),
        ("search", "held", "--json"),
        ("search", "held", "--format", "jsonl"),
        ("search", "held"),
        ("export", "held", "-o", "-"),
        ("export", "held", "-o", "-", "--format", "jsonl"),
        ("search", "held \x1b[2J\x07\u009b", "--explain", "--count"),
    ],
)
def test_a_terminal_never_receives_an_archived_control_character(es_url, alias, hostile_archive, args) -> None:
    code, received = _on_a_terminal(es_url, alias, *args)
    text = received.decode("utf-8", "replace")

    assert code == 0, text
    assert "cleared" in text or "held" in text, text
    assert "\x1b[2J" not in text and "\x07" not in text and "\u009b" not in text and "\u202e" not in text, text
    assert "␛[2J" in text or "\\u001b[2J" in text, text


@pytest.mark.parametrize(
    "args", [("search", "held", "--format", "csv", "--raw-cells"), ("export", "held", "-o", "-", "--raw-cells")]
)
def test_csv_to_a_pipe_keeps_the_archived_bytes(es_url, alias, hostile_archive, args) -> None:
    result = subprocess.run([sys.executable, "-c", PROGRAM, *args], capture_output=True, env=_env(es_url, alias))

    assert result.returncode == 0, result.stderr.decode()
    assert HOSTILE_TEXT.encode() in result.stdout


# ---------------------------------------------------------------------------------------------------------------
# Newcomers: bare `tweetsearch` prints its help.


def test_bare_tweetsearch_prints_its_help_not_an_error_line(es_url, alias) -> None:
    result = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, env=_env(es_url, alias))
    stdout = result.stdout.decode()

    assert result.returncode == 2
    assert stdout.startswith("Usage: ") and "COMMAND [ARGS]...\n" in stdout and "\n  search " in stdout
    assert "⏎" not in stdout and "error" not in result.stderr.decode()


# ---------------------------------------------------------------------------------------------------------------
# Item: a value too long for the server is refused in the tool's words; an empty query is every tweet, as said.

LONG = "a" * 10_000


@pytest.mark.parametrize(
    "args,said",
    [
        (("search", f"url:example.com/{LONG}"), "error: url: the address is too long to look for (10,021 characters"),
        (("search", f"url:example.com/{LONG}*"), "error: url: the address is too long to look for (10,021 characters"),
        (("search", f"from:{LONG}*"), "error: from: value is too long to look for: 10,000 characters"),
        (("search", f"#{LONG}*"), "error: # value is too long to look for: 10,000 characters"),
        (("search", f"campaign:{LONG}*"), "error: campaign: value is too long to look for"),
        (("search", f"{LONG}*"), "error: a prefix* is too long to look for: 10,000 characters"),
        (("top", "hashtags", f"url:example.com/{LONG}"), "error: url: the address is too long to look for"),
        (("timeline", f"url:example.com/{LONG}"), "error: url: the address is too long to look for"),
        (("coordination", f"url:example.com/{LONG}"), "error: url: the address is too long to look for"),
        (("url", f"example.com/{LONG}"), "error: the address is too long to look for (10,021 characters"),
    ],
)
def test_a_value_too_long_for_the_server_is_refused_in_the_tools_words(cli, hostile_archive, args, said) -> None:
    result = cli(*args)

    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(said) and result.stderr.count("\n") == 1, result.stderr
    assert "max_regex_length" not in result.stderr and "Elasticsearch" not in result.stderr


def test_a_prefix_just_within_the_bound_is_searched(cli, hostile_archive) -> None:
    result = cli("search", "url:example.com/" + "a" * 900, "--count")
    assert (result.exit_code, result.stdout.strip()) == (0, "0"), result.stderr


def test_an_empty_query_matches_every_tweet_as_help_says(cli, hostile_archive) -> None:
    assert cli("search", "", "--count").stdout.strip() == "31"
    assert "'' (empty) matches every tweet" in " ".join(cli("search", "--help").stdout.split())


# ---------------------------------------------------------------------------------------------------------------
# Newcomers: --version, and the choices of every option that has them in --help.


def test_version_names_the_tool_the_client_and_the_server(es_url, alias) -> None:
    from importlib.metadata import version

    result = subprocess.run([sys.executable, "-c", PROGRAM, "--version"], capture_output=True, env=_env(es_url, alias))
    lines = result.stdout.decode().splitlines()

    assert result.returncode == 0, result.stderr.decode()
    assert lines[0] == f"tweetsearch {version('tweetsearch')}"
    assert lines[1].split() == ["client", "elasticsearch-py", version("elasticsearch")]
    assert lines[2].startswith("server      Elasticsearch 9.") and f"at {es_url} " in lines[2], lines


def test_version_answers_without_a_server(es_url, alias) -> None:
    env = {**_env(es_url, alias), "ELASTICSEARCH_URL": "http://127.0.0.1:9"}
    result = subprocess.run([sys.executable, "-c", PROGRAM, "--version"], capture_output=True, env=env)
    lines = result.stdout.decode().splitlines()

    assert result.returncode == 0, result.stderr.decode()
    assert lines[0].startswith("tweetsearch ") and lines[2].startswith("server      not reachable (cannot reach")


@pytest.mark.parametrize(
    "command,shown",
    [
        ("coordination", "--by <text|retweet|url|hashtags>"),
        ("network", "--by <text|retweet|url|hashtags>"),
        ("network", "--kind <coordination|retweet|mention|reply>"),
        ("network", "--format <gexf|graphml|csv>"),
    ],
)
def test_an_option_with_choices_lists_them_in_help(cli, command, shown) -> None:
    assert shown in cli(command, "--help").stdout


# ---------------------------------------------------------------------------------------------------------------
# Wording: a range of weeks ends on its last day; a field every tweet has says so.


def test_weeks_grouped_in_a_line_end_on_the_last_weeks_sunday() -> None:
    from search_cli.render.charts import fit_rows

    starts = ["2013-09-02", "2013-09-09", "2013-09-16", "2013-09-23", "2013-09-30", "2013-10-07"]
    ends = ["2013-09-08", "2013-09-15", "2013-09-22", "2013-09-29", "2013-10-06", "2013-10-13"]
    rows = fit_rows(starts, [1, 2, 3, 4, 5, 6], 2, ends)

    assert [row.label for row in rows] == ["2013-09-02 … 2013-09-22", "2013-09-23 … 2013-10-13"]
    assert [row.label for row in fit_rows(starts, [1, 0, 0, 0, 0, 6], 3, ends)] == [
        "2013-09-02",
        "2013-09-09 … 2013-10-06",
        "2013-10-07",
    ]


def test_a_weekly_timeline_names_the_last_day_it_covers(cli, hostile_archive) -> None:
    result = cli("timeline", "--interval", "week")
    assert result.exit_code == 0, result.stderr
    assert "per week, 2017-06-19 to 2017-06-25 (UTC)" in result.stdout, result.stdout


def test_a_field_every_tweet_has_says_so_not_zero_have_none(cli, hostile_archive) -> None:
    result = cli("top", "campaigns")
    assert "every tweet has one" in result.stdout and "0 of the tweets" not in result.stdout, result.stdout
    assert "31 of the tweets have none" in cli("top", "mentions").stdout


# ---------------------------------------------------------------------------------------------------------------
# Narrow terminals: numbers and the text come first, the bar goes first.


@pytest.mark.parametrize("columns", ["40", "50", "80", "120"])
def test_top_keeps_its_counts_and_values_whole_on_a_narrow_terminal(cli, hostile_archive, columns) -> None:
    result = cli("top", "hashtags", env={"COLUMNS": columns})
    lines = result.stdout.splitlines()
    row = next(line for line in lines if " maga " in line)

    assert result.exit_code == 0, result.stderr
    assert "│ 1 │ maga " in row and "│     31 │ 100.0% │" in row, result.stdout
    table = [line for line in lines if line[:1] in "┏┃┡│└"]
    assert "…" not in result.stdout and max(len(line) for line in table) <= int(columns), result.stdout
    assert ("█" in row) == (int(columns) >= 50), result.stdout


@pytest.mark.parametrize("locale", ["C", "C.UTF-8"])
def test_a_quote_on_standard_input_that_is_not_utf8_is_one_line_and_exit_2(es_url, alias, hostile_archive, locale):
    env = {**_env(es_url, alias), "LANG": locale, "LC_ALL": locale}
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM, "quote", "-"], input=b"a tweet \xff here", capture_output=True, env=env
    )
    assert result.returncode == 2, result.stderr.decode()
    assert result.stderr.decode() == (
        "error: standard input is not valid UTF-8 (byte 9, after 'a tweet \\xff'); save it as UTF-8\n"
    )
