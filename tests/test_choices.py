"""The command line's typed choices (`search.choices`) name the same sets as the modules that act on them, and
`--help` lists them: a choice the parser accepts but the library refuses (or the reverse) would be a lie."""

from __future__ import annotations

from typing import get_args

import pytest
from typer.testing import CliRunner

from search import choices
from search_cli.app import app


def test_each_closed_set_is_the_one_the_library_acts_on():
    from generator.release import Compress
    from search.aggregate import FIELDS, INTERVALS, SPLITS
    from search.citation import CiteFormat
    from search.coordination import KINDS
    from search.export import ExportFormat
    from search.network import NETWORK_FORMATS, NETWORK_KINDS
    from search.tweets import SORTS

    assert tuple(FIELDS) == choices.TOP_FIELDS
    assert choices.INTERVALS == INTERVALS
    assert tuple(SPLITS) == choices.SPLITS
    assert get_args(CiteFormat) == choices.CITE_FORMATS
    assert get_args(ExportFormat) == choices.EXPORT_FORMATS
    assert get_args(Compress) == choices.COMPRESSIONS
    assert set(choices.SORT_ORDERS) == set(SORTS)
    assert choices.COORDINATION_BY == KINDS
    assert choices.NETWORK_KINDS == NETWORK_KINDS
    assert tuple(NETWORK_FORMATS.values()) == choices.NETWORK_FORMATS


@pytest.mark.parametrize(
    ("command", "listed"),
    [
        ("generate", "<none|gz|zip>"),
        ("quote", "<text|markdown>"),
        ("timeline", "<campaign>"),
        ("export", "<csv|jsonl>"),
        ("top", ", ".join(choices.TOP_FIELDS)),
    ],
)
def test_help_lists_the_choices(command, listed):
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "400"})

    assert result.exit_code == 0, result.output
    assert listed in " ".join(result.output.split())


def test_generate_refuses_an_unknown_compression_in_one_line(tmp_path):
    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path), "--compress", "bz2"])

    assert result.exit_code == 2
    assert "bz2" in result.output and "none" in result.output and "Traceback" not in result.output
    assert not any(tmp_path.iterdir())
