"""The one error path every command shares: one plain line on stderr and the error's exit code."""

from __future__ import annotations

import pytest
import typer

from common.errors import PlotUnavailable
from search_cli.output import cli_errors
from search_cli.render.charts import PLOT_INSTALL


def test_a_message_with_square_brackets_is_printed_as_written(capsys):
    with pytest.raises(typer.Exit) as stopped, cli_errors():
        raise PlotUnavailable(f"--plot needs matplotlib: {PLOT_INSTALL}")

    assert stopped.value.exit_code == 1
    assert capsys.readouterr().err.strip() == "error: --plot needs matplotlib: pip install 'tweetsearch[plot]'"


@pytest.mark.parametrize("command", [["search", "vote"], ["top", "hashtags"], ["timeline"]])
def test_an_unknown_format_is_one_line_and_exit_2_for_every_command(cli, command):
    result = cli(*command, "--format", "xml")

    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: Invalid value for '--format': 'xml' is not one of 'table', 'json', 'jsonl', 'csv'."
    )


@pytest.mark.parametrize(("fmt", "parse"), [("csv", "csv"), ("json", "json"), ("jsonl", "json"), ("table", "int")])
def test_count_is_written_in_the_format_asked_for(cli, indexed_release, fmt, parse):
    import csv
    import io

    import orjson

    result = cli("search", "-nothingmatches", "--count", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    if parse == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        total = int(rows[0]["count"])
    elif parse == "json":
        total = orjson.loads(result.stdout)["count"]
    else:
        total = int(result.stdout)
    assert total == int(cli("search", "-nothingmatches", "--count").stdout)
    assert total > 0
