"""One table of exit codes (README: Exit codes), the same for every command and format.

The table is checked against the exceptions' own `exit_code`s, and the codes that are not exceptions (verdicts,
a closed pipe) against what the commands do.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import common
import generator
import indexer
import search
import search_cli
from common.errors import TweetsearchError

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_exit_codes() -> dict[int, str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    return {int(code): meaning for code, meaning in re.findall(r"^\| (\d+) \| (.+) \|$", section, re.MULTILINE)}


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


def test_every_error_exit_code_is_in_the_readme_table() -> None:
    table = readme_exit_codes()
    missing = {cls.__name__: cls.exit_code for cls in every_error_class() if cls.exit_code not in table}
    assert not missing, f"README's exit code table lacks {missing}"


def test_the_readme_table_names_no_code_nothing_exits_with() -> None:
    from search_cli.commands.quote import EXIT_CODES
    from search_cli.output import BROKEN_PIPE_EXIT

    used = {cls.exit_code for cls in every_error_class()} | set(EXIT_CODES.values()) | {0, BROKEN_PIPE_EXIT}
    assert set(readme_exit_codes()) == used


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
