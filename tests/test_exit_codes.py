"""One table of exit codes (README: Exit codes), the same for every command and format.

`common.errors` holds every exit code: each exception's `exit_code` and the `*_EXIT` constants for the codes that
are not errors (verdicts, a closed pipe, an interrupt, a bug). README's table must list exactly those codes, and
no exception a user can cause may live anywhere else. Then the paths themselves: a usage error exits 2, an
exception nobody expected exits 70 with one line saying it is a bug.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import common
import generator
import indexer
import search
import search_cli
from common import errors
from common.errors import TweetsearchError

README = Path(__file__).resolve().parent.parent / "README.md"
INTERNAL_LINE = re.compile(
    r"error: internal error \(ValueError: (.*)\); this is a bug in tweetsearch, please report it with the "
    r"command you ran"
)


def readme_exit_codes() -> list[int]:
    text = README.read_text(encoding="utf-8")
    section = text.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    return [int(code) for code in re.findall(r"^\| (\d+) \| .+ \|$", section, re.MULTILINE)]


def codes_of_the_errors_module() -> dict[str, int]:
    """Each exception class defined in `common.errors` with its `exit_code`, and each `*_EXIT` constant."""
    codes: dict[str, int] = {}
    for name, value in vars(errors).items():
        if isinstance(value, type) and issubclass(value, BaseException) and value.__module__ == errors.__name__:
            codes[name] = value.exit_code
        elif name.endswith("_EXIT"):
            assert isinstance(value, int), name
            codes[name] = value
    return codes


def every_error_class() -> set[type[TweetsearchError]]:
    for package in (common, indexer, generator, search, search_cli):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    found: set[type[TweetsearchError]] = set()
    pending = [TweetsearchError]
    while pending:
        cls = pending.pop()
        found.add(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_error_a_user_can_cause_is_in_the_errors_module() -> None:
    elsewhere = sorted(
        f"{cls.__module__}.{cls.__qualname__}" for cls in every_error_class() if cls.__module__ != errors.__name__
    )
    assert not elsewhere, f"define these in common/errors.py: {elsewhere}"


def test_the_readme_table_lists_exactly_the_codes_of_the_errors_module() -> None:
    table = readme_exit_codes()
    assert len(table) == len(set(table)), f"README's exit code table repeats a code: {table}"
    codes = codes_of_the_errors_module()
    missing = {name: code for name, code in codes.items() if code not in table}
    assert not missing, f"README's exit code table lacks {missing}"
    assert set(table) == set(codes.values()), "README's exit code table names a code common/errors.py does not hold"


def test_the_commands_exit_with_the_named_codes() -> None:
    from search_cli.commands.quote import EXIT_CODES

    assert EXIT_CODES == {"EXACT": errors.EXACT_EXIT, "NEAR": errors.NEAR_EXIT, "NOT FOUND": errors.NOT_FOUND_EXIT}
    # What sysexits.h and a shell report: a script may already test for them.
    assert errors.INTERNAL_EXIT == os.EX_SOFTWARE
    assert errors.INTERRUPTED_EXIT == 128 + signal.SIGINT
    assert errors.BROKEN_PIPE_EXIT == 128 + signal.SIGPIPE


@pytest.mark.parametrize(
    "args,message",
    [
        (("export", "vote", "-o", "tweets.txt"), "cannot tell the format from the name 'tweets.txt'"),
        (("timeline", "since:1900-01-01", "--interval", "day"), "since: is too far back to draw by day"),
        (("account", "@"), "give a screen name (with or without @) or a userid"),
    ],
)
def test_a_usage_error_from_the_library_is_one_line_and_exit_2(cli, indexed_release, args, message) -> None:
    result = cli(*args)

    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"error: {message}") and result.stderr.count("\n") == 1, result.stderr


def _run_with_a_fault(es_url: str, alias: str, target: str, *args: str) -> subprocess.CompletedProcess:
    """Runs the CLI in a fresh interpreter with `target` (module.function) replaced by one that fails as a bug
    would, holding a secret in its locals: what a user sees of an exception nobody expected."""
    module, function = target.rsplit(".", 1)
    program = (
        "import importlib\n"
        f"module = importlib.import_module({module!r})\n"
        "def broken(*args, **kwargs):\n"
        "    password = 'hunter2-do-not-print'\n"
        "    raise ValueError('cannot unpack ' + str(len(password)) + ' values')\n"
        f"setattr(module, {function!r}, broken)\n"
        "from search_cli.app import main\n"
        "main()\n"
    )
    env = {"ELASTICSEARCH_URL": es_url, "TWEETSEARCH_ALIAS": alias, "PATH": "/usr/bin:/bin", "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-c", program, *args], capture_output=True, env=env, timeout=120)


@pytest.mark.parametrize(
    "target,args",
    [
        ("search.aggregate.top_values", ("top", "hashtags")),
        ("search.export.export_format_for", ("export", "vote", "-o", "-")),
    ],
)
def test_an_unexpected_exception_is_a_bug_exit_70_in_one_line(es_url, alias, indexed_release, target, args) -> None:
    result = _run_with_a_fault(es_url, alias, target, *args)
    stderr = result.stderr.decode()

    assert result.returncode == errors.INTERNAL_EXIT, stderr
    assert stderr.count("\n") == 1 and INTERNAL_LINE.fullmatch(stderr.strip()), stderr
    assert INTERNAL_LINE.fullmatch(stderr.strip()).group(1) == "cannot unpack 20 values"
    assert "Traceback" not in stderr and "hunter2" not in stderr + result.stdout.decode()


def test_without_the_fault_the_same_command_succeeds(es_url, alias, indexed_release) -> None:
    """The fault above is what fails, not the command: without it, it answers."""
    env = {"ELASTICSEARCH_URL": es_url, "TWEETSEARCH_ALIAS": alias, "PATH": "/usr/bin:/bin", "COLUMNS": "100"}
    program = "from search_cli.app import main\nmain()\n"
    result = subprocess.run(
        [sys.executable, "-c", program, "top", "hashtags"], capture_output=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr.decode()


def _closed_early(es_url: str, alias: str, *args: str) -> subprocess.CompletedProcess:
    """Runs the CLI with its stdout read for one line and then closed, as `| head -1` does."""
    env = {"ELASTICSEARCH_URL": es_url, "TWEETSEARCH_ALIAS": alias, "PATH": "/usr/bin:/bin", "COLUMNS": "100"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from search_cli.app import main; main()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read()
    process.wait(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, b"", stderr)


@pytest.mark.parametrize(
    "args",
    [
        ("search", "-nothingmatchesthis", "-n", "3000", "--format", "jsonl"),
        ("search", "-nothingmatchesthis", "-n", "3000", "--format", "csv"),
        ("export", "-o", "-"),
        ("export", "-nothingmatchesthis", "-o", "-", "--format", "jsonl"),
    ],
)
def test_a_reader_that_stops_early_gives_exit_141_and_no_traceback(es_url, alias, indexed_release, args) -> None:
    result = _closed_early(es_url, alias, *args)
    assert result.returncode == 141, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    assert b"error" not in result.stderr.lower()


def test_explain_prints_a_query_holding_markup_as_typed(cli, indexed_release) -> None:
    query = 'url:"example.com/z[/x]?q=1" [bold]word[/bold]'
    result = cli("search", query, "--explain", "--count")
    assert result.exit_code == 0, result.stderr
    assert "[/x]" in result.stderr and "[bold]word[/bold]" in result.stderr
