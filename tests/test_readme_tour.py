"""Every example command in README.md runs and answers on the archive `make demo` builds.

The commands are read from README's fenced code blocks, and the archive is generated and loaded as the Makefile's
`demo` target does (its `generate` line, with DEMO_TWEETS), so an example that stops answering, or a demo that
stops holding what the examples ask for, fails here rather than in a newcomer's first minutes.

Not run: `index` and `generate`, which load or write an archive (the fixture runs the demo's own, as `make demo`
does; their examples name a real release's files), and `serve`, which does not return; lines of a command's
printed output (they start with `…`).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_RUN = {"index", "generate", "serve"}
QUERY_AT = {"search": 0, "export": 0, "timeline": 0, "top": 1, "coordination": 0, "network": 0}
"""Where each command's query is among its arguments (after the command's name)."""
TAKES_VALUE = {
    "--limit", "-n", "--sort", "-o", "--out", "--interval", "--by", "--plot", "--window", "-w", "--min-repeats",
    "-r", "--kind", "-k", "--format", "--groups", "--items", "--threshold", "--alias",
}  # fmt: skip
FLAGS = {"--count", "--json", "--cite", "--raw-cells"}


@dataclass(frozen=True)
class Example:
    line: int
    text: str
    args: list[str]
    env: dict[str, str]
    stdout_to: str | None

    @property
    def command(self) -> str:
        return self.args[0]

    def query(self) -> str | None:
        """The query the example asks about, or None for a command without one (url, account, quote, status)."""
        if self.command not in QUERY_AT:
            return None
        positional, skip = [], False
        for arg in self.args[1:]:
            if skip:
                skip = False
            elif arg in TAKES_VALUE:
                skip = True
            elif arg not in FLAGS:  # `-obama` is a query: only a whole option name is an option
                positional.append(arg)
        at = QUERY_AT[self.command]
        return positional[at] if len(positional) > at else ""


def readme_examples() -> list[Example]:
    """Each `tweetsearch …` line of README's fenced code blocks, and each whole example in its prose."""
    examples: list[Example] = []
    fenced = False
    for number, line in enumerate((ROOT / "README.md").read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            examples.extend(_example(number, span) for span in INLINE.findall(line) if _inline_example(span))
            continue
        text = line.removeprefix("$ ").strip()
        if "tweetsearch " in text and not text.startswith("…"):
            examples.append(_example(number, text))
    return examples


INLINE = re.compile(r"`(tweetsearch [^`]+)`")
READING = ("search", "export", "url", "quote", "timeline", "top", "account", "coordination", "network")


def _inline_example(span: str) -> bool:
    """Whether a command in the prose is a whole example: a reading command with its arguments, none of them
    left out (`…`, `COMMAND`) and no other index named (`--alias`, for the cluster's)."""
    words = span.split()
    return len(words) > 2 and words[1] in READING and "…" not in span and "--alias" not in span


def _example(number: int, text: str) -> Example:
    """`text` as a shell would split it: leading variables, the command, a `> FILE` at the end."""
    words = shlex.split(text, comments=True)
    env = {}
    while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    assert words[0] == "tweetsearch", f"README.md:{number}: {text}"
    stdout_to = None
    if ">" in words:
        at = words.index(">")
        stdout_to, words = words[at + 1], words[:at]
    return Example(number, text, words[1:], env, stdout_to)


EXAMPLES = [example for example in readme_examples() if example.command not in NOT_RUN]


def demo_generate_args() -> list[str]:
    """`make demo`'s `generate` arguments, DEMO_TWEETS filled in, without its --out."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    tweets = re.search(r"^DEMO_TWEETS \?= (\d+)$", makefile, re.MULTILINE)
    line = re.search(r"^\t\$\(BIN\)/tweetsearch (generate .*)$", makefile, re.MULTILINE)
    assert tweets and line, "the Makefile's demo target changed: say here how it generates the archive"
    args = shlex.split(line.group(1).replace("$(DEMO_TWEETS)", tweets.group(1)))
    out = args.index("--out")
    return args[:out] + args[out + 2 :]


@pytest.fixture(scope="module")
def demo(cli, tmp_path_factory) -> Path:
    """The demo archive, generated and loaded into the module's alias as `make demo` does."""
    folder = tmp_path_factory.mktemp("demo")
    generated = cli(*demo_generate_args(), "--out", str(folder / "archive"))
    assert generated.exit_code == 0, generated.stderr
    loaded = cli("index", str(folder / "archive"), "--rejects", str(folder / "rejects.jsonl"))
    assert loaded.exit_code == 0, loaded.stderr
    return folder


def test_the_readme_holds_the_tour():
    commands = {example.command for example in EXAMPLES}

    assert {"search", "export", "url", "quote", "timeline", "top", "account", "coordination", "network"} <= commands
    assert demo_generate_args() == ["generate", "--tweets", "5000", "--seed", "2016"]


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"README.md:{e.line}" for e in EXAMPLES])
def test_every_readme_example_answers_on_the_demo_archive(cli, demo, tmp_path, monkeypatch, example):
    monkeypatch.chdir(tmp_path)  # the files the examples write land here

    result = cli(*example.args, env=example.env)

    assert result.exit_code == 0, f"README.md:{example.line}: {example.text}\n{result.stderr}"
    assert result.stdout.strip() or example.stdout_to is None, example.text
    if (query := example.query()) is not None:
        count = cli("search", query, "--count")
        assert count.exit_code == 0 and int(count.stdout) > 0, f"README.md:{example.line}: nothing matches {query!r}"
    said = " ".join(result.stdout.split())
    if example.command == "coordination":
        groups = orjson.loads(result.stdout)["groups"] if "--json" in example.args else None
        assert groups if groups is not None else "no coordinated groups" not in said, example.text
    if example.command == "network":
        accounts = re.search(r"network: ([\d,]+) accounts", said)
        assert accounts and int(accounts.group(1).replace(",", "")) > 0, said
    if example.command == "export":
        written = Path(example.args[example.args.index("-o") + 1]).read_text(encoding="utf-8")
        assert len(written.splitlines()) > 1, example.text
    if "--plot" in example.args:
        assert Path(example.args[example.args.index("--plot") + 1]).stat().st_size > 0


def test_make_demos_searches_all_answer(es_url, alias, demo):
    """`scripts/demo-searches`, which `make demo` runs after loading: every search it shows finds tweets."""
    environment = {**os.environ, "ELASTICSEARCH_URL": es_url, "TWEETSEARCH_ALIAS": alias, "COLUMNS": "120"}

    ran = subprocess.run(
        [str(ROOT / "scripts" / "demo-searches"), str(demo / "archive" / "ground_truth.json")],
        capture_output=True, text=True, env=environment, timeout=300, check=False,
    )  # fmt: skip

    assert ran.returncode == 0, ran.stderr
    shown = ran.stdout.splitlines()
    assert len([line for line in shown if line.startswith("$ tweetsearch ")]) >= 8
    assert not [line for line in shown if re.fullmatch(r"0( tweets.*)?", line.strip())], ran.stdout
    assert "no coordinated groups" not in ran.stdout
    assert "most retweeted: @" in ran.stdout
