"""What a command imports when it starts: only what it uses, so that a search is not slowed by the rest of the tool.

Each run is a fresh interpreter that runs the command line as `tweetsearch` does and then lists `sys.modules`. The
checks are on *what is imported*, never on timings (a shared machine makes those noise): `bench/bench_cli.py`
prints the timings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from servers import ROOT

# Runs `tweetsearch ARGS...` in this interpreter, then writes the exit code and the loaded modules to PATH.
PROBE = r"""
import json, sys

path, args = sys.argv[1], sys.argv[2:]
sys.argv = ["tweetsearch", *args]
code = None
try:
    if args != ["<import only>"]:
        from search_cli.app import main

        main()
    else:
        import search_cli.app
except SystemExit as exc:
    code = exc.code
with open(path, "w", encoding="utf-8") as out:
    json.dump({"code": code or 0, "modules": sorted(sys.modules)}, out)
"""

COMMANDS = ("index", "generate", "export", "search", "status", "quote", "top", "timeline", "url", "account", "serve")
CLIENT = ("elasticsearch", "elastic_transport")
"""The Elasticsearch client: ~0.2 s to import, needed only once a command talks to the server."""
LIBRARY = ("search.tweets", "search.query", "search.quote", "search.aggregate", "search.export", "search.lookup")
INDEXER = ("indexer", "generator", "matplotlib")
WEB = ("search_web", "starlette", "uvicorn", "jinja2")
"""The web interface: only `serve` runs it."""


def loaded(tmp_path, *args: str, env: dict[str, str] | None = None) -> tuple[int, set[str]]:
    """The exit code of `tweetsearch ARGS...` run in a fresh interpreter, and every module it had imported."""
    report = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", PROBE, str(report), *args],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "120", **(env or {})},
        capture_output=True,
        timeout=120,
        check=False,
    )
    answer = json.loads(report.read_text(encoding="utf-8"))
    return answer["code"], set(answer["modules"])


def under(modules: set[str], *packages: str) -> list[str]:
    """The modules that are one of `packages` or inside one."""
    return sorted(name for name in modules if any(name == p or name.startswith(p + ".") for p in packages))


def commands(*names: str) -> tuple[str, ...]:
    return tuple(f"search_cli.commands.{name}" for name in names)


def test_importing_the_command_line_imports_no_command(tmp_path):
    code, modules = loaded(tmp_path, "<import only>")

    assert code == 0
    assert "search_cli.app" in modules  # the probe sees what it imports
    assert under(modules, *commands(*COMMANDS)) == []
    assert under(modules, *CLIENT, *LIBRARY, *INDEXER, *WEB) == []


def test_a_commands_help_imports_that_command_only(tmp_path):
    code, modules = loaded(tmp_path, "search", "--help")

    assert code == 0
    assert "search_cli.commands.search" in modules
    assert under(modules, *commands(*(name for name in COMMANDS if name != "search"))) == []
    assert under(modules, "search_cli.render") == []
    assert under(modules, *CLIENT, *LIBRARY, *INDEXER, *WEB) == []


def test_the_tools_help_lists_every_command_without_the_client(tmp_path):
    code, modules = loaded(tmp_path, "--help")

    assert code == 0
    assert set(commands(*COMMANDS)) <= modules
    assert under(modules, *CLIENT, *LIBRARY, *INDEXER, *WEB) == []


@pytest.fixture(scope="module")
def small_release(cli, tmp_path_factory) -> None:
    from generator.release import generate_release

    folder = tmp_path_factory.mktemp("release")
    generate_release(folder, tweets=1000, seed=3)
    result = cli("index", str(folder), "--rejects", str(folder / "rejects.jsonl"), "--json")
    assert result.exit_code == 0, result.stderr


def test_a_search_imports_the_search_and_nothing_of_the_other_commands(tmp_path, es_url, alias, small_release):
    env = {"ELASTICSEARCH_URL": es_url, "TWEETSEARCH_ALIAS": alias}
    code, modules = loaded(tmp_path, "search", "the", "--limit", "3", env=env)

    assert code == 0
    assert {"elasticsearch", "search.tweets", "search_cli.render.hits"} <= modules  # it did search and show hits
    assert under(modules, *commands(*(name for name in COMMANDS if name != "search"))) == []
    # The libraries of quote, top/timeline and export; the indexer's `normalise` is shared, its loader is not.
    unused = ("search.quote", "search.aggregate", "search.export", "indexer.loader", *INDEXER[1:], *WEB)
    assert under(modules, *unused) == []
    others = ("quote", "counts", "charts", "lookup", "load", "progress", "status", "written")
    assert under(modules, *(f"search_cli.render.{name}" for name in others)) == []
