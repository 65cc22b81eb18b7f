"""The library is usable without the command line, and the command line's drawing lives in one place.

`common`, `indexer`, `search` and `generator` are imported by other programs (a notebook, a web front end): they
must not pull in `typer`, `rich` or `click`, neither when imported nor later from inside a function. And the
command modules only read options and call a library function and a renderer: tables, panels and `render_*`
functions live in `search_cli/render/`.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from servers import ROOT

LIBRARY = ("common", "indexer", "search", "generator")
FORBIDDEN = ("typer", "rich", "click")
DRAWING = ("Table", "Panel", "Columns", "Progress")

# Run in a fresh interpreter: it refuses the forbidden packages, then imports every library module, naming the
# library module whose code asked for one (the innermost library frame on the stack at that import).
PROBE = r"""
import importlib, json, pkgutil, sys

FORBIDDEN, LIBRARY = set(sys.argv[1].split(",")), tuple(sys.argv[2].split(","))
culprits = {}


class Refuse:
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top not in FORBIDDEN:
            return None
        frame = sys._getframe(1)
        while frame is not None:
            module = frame.f_globals.get("__name__", "")
            if module.partition(".")[0] in LIBRARY:
                culprits.setdefault(module, set()).add(top)
                break
            frame = frame.f_back
        raise ImportError(f"{name} is refused to library modules")


sys.meta_path.insert(0, Refuse())
modules, failed = [], {}
for package in LIBRARY:
    modules.append(package)
    root = importlib.import_module(package)
    modules += [info.name for info in pkgutil.walk_packages(root.__path__, package + ".")]
for name in modules:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = repr(exc)
already = sorted(name for name in sys.modules if name.partition(".")[0] in FORBIDDEN)
print(json.dumps({"modules": modules, "culprits": {k: sorted(v) for k, v in culprits.items()},
                  "failed": failed, "already": already}))
"""


def test_no_library_module_imports_the_command_line_packages():
    answer = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(FORBIDDEN), ",".join(LIBRARY)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(answer.stdout)

    assert len(report["modules"]) > 20, report["modules"]  # every package was walked
    assert {"search.tweets", "indexer.loader", "generator.release", "common.connection"} <= set(report["modules"])
    assert report["culprits"] == {}, f"library modules importing the command line's packages: {report['culprits']}"
    assert report["failed"] == {}, f"library modules that would not import: {report['failed']}"
    assert report["already"] == []


def _python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module an `import` or `from ... import` names, at any depth (inside functions too)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
    return found


def test_no_library_module_imports_them_later_either():
    """An import inside a function runs only when called: the import probe above cannot see it."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for package in LIBRARY
        for path in _python_files(package)
        for line, name in _imported(ast.parse(path.read_text(encoding="utf-8")))
        if name.partition(".")[0] in FORBIDDEN
    ]

    assert offenders == []


def _drawing_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and (
            node.name.startswith(("render_", "_render")) or node.name.endswith(("Progress", "ProgressBar"))
        ):
            found.append(f"{path.name}:{node.lineno} defines {node.name}")
        elif isinstance(node, ast.Call):
            called = node.func.value if isinstance(node.func, ast.Attribute) else node.func
            if isinstance(called, ast.Name) and called.id in DRAWING:
                found.append(f"{path.name}:{node.lineno} builds a {called.id}")
    found += [f"{path.name}:{line} imports {name}" for line, name in _imported(tree) if name.split(".")[0] == "rich"]
    return found


def test_command_modules_leave_drawing_to_the_renderers():
    commands = sorted((ROOT / "search_cli" / "commands").glob("*.py"))
    assert len(commands) >= 10

    assert [finding for path in commands for finding in _drawing_in(path)] == []


def test_the_drawing_check_sees_a_renderer(tmp_path):
    """The check above would pass on anything if it could not see what it looks for."""
    module = tmp_path / "sample.py"
    module.write_text(
        "from rich.table import Table\n\ndef render_x(r):\n    t = Table.grid()\n    return Panel(t)\n",
        encoding="utf-8",
    )

    assert _drawing_in(module) == [
        "sample.py:3 defines render_x",
        "sample.py:4 builds a Table",
        "sample.py:5 builds a Panel",
        "sample.py:1 imports rich.table",
    ]


def test_the_web_front_end_stands_on_the_library_alone():
    """`search_web` is the second front end: it calls the library, never the command line or its drawing."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in _python_files("search_web")
        for line, name in _imported(ast.parse(path.read_text(encoding="utf-8")))
        if name.partition(".")[0] in (*FORBIDDEN, "search_cli")
    ]

    assert _python_files("search_web") and offenders == []
