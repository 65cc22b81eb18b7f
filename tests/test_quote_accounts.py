"""Hashed accounts in `quote`'s panel, tables and citation: never shown as a handle (`@`), cut in the middle in
tables, cited whole by userid (README: Searching, `quote`)."""

from __future__ import annotations

import re

from search.tweets import is_hashed_id


def test_hashed_accounts_are_not_handles(cli, indexed_release) -> None:
    quote = next(q for q in indexed_release["truth"]["quotes"] if q["key"] == "lighthouse")
    hashed = {c["userid"] for c in quote["copies"] if is_hashed_id(c["userid"]) and c["kind"] != "near"}
    assert hashed, "the generated release plants the quote on hashed accounts too"

    result = cli("quote", quote["text"], "--cite", "--cite-limit", "50", "-n", "50", env={"COLUMNS": "160"})
    assert result.exit_code in (0, 10), result.stderr
    shown = result.stdout
    for userid in hashed:
        assert f"@{userid[:8]}" not in shown
    assert any(f"userid {userid}" in shown for userid in hashed)  # cited whole, by userid
    assert any(f"{userid[:4]}…{userid[-4:]}" in shown for userid in hashed)  # cut in the middle in the tables
    assert not re.search(r"@[0-9a-f]{16}", shown)


def test_markdown_citation_names_hashed_accounts_by_userid(cli, indexed_release) -> None:
    quote = next(q for q in indexed_release["truth"]["quotes"] if q["key"] == "lighthouse")
    result = cli("quote", quote["text"], "--cite", "--cite-format", "markdown", "--cite-limit", "50")
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "tweet id" not in line]
    cells = [row.split(" | ") for row in rows if not row.startswith("| ---")]
    assert cells
    for cell in cells:
        account, userid = cell[3], cell[4].replace("\\", "")
        if is_hashed_id(userid):
            assert account == "(hashed)"
        else:
            assert account.startswith("@")
