"""Archived text printed to a terminal: every control character visible and harmless, every script intact."""

from __future__ import annotations

import pytest

from search.safe_text import one_line, terminal_safe


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("clear \x1b[2J now", "clear \u241b[2J now"),
        ("ring \x07", "ring \u2407"),
        ("nul \x00 del \x7f", "nul \u2400 del \u2421"),
        ("csi \x9b31m", "csi <U+009B>31m"),
        ("evil \u202etxt.exe", "evil <U+202E>txt.exe"),
        ("isolate \u2066x\u2069", "isolate <U+2066>x<U+2069>"),
        ("a\tb", "a b"),
        ("back\rspace", "back\u240dspace"),
        ("line\u2028sep", "line<U+2028>sep"),
    ],
)
def test_controls_are_shown_not_obeyed(raw: str, shown: str) -> None:
    assert terminal_safe(raw) == shown


@pytest.mark.parametrize(
    "text",
    [
        "Выборы в США: кто победил?",
        "الانتخابات الأمريكية",
        "می\u200cخواهم انتخابات",  # Persian needs the zero-width non-joiner
        "\u200fمرحبا\u200e",  # right-to-left and left-to-right marks only shape text
        "emoji 🇺🇸 and CJK 选举",
        "<b>markup</b> [bold]rich[/bold] & more",
        "two\nlines",
    ],
)
def test_printable_text_in_any_script_is_unchanged(text: str) -> None:
    assert terminal_safe(text) == text


def test_one_line_marks_where_the_lines_were() -> None:
    assert one_line("first\r\nsecond\nthird\x1b") == "first\u23ce second\u23ce third\u241b"
