"""Archived text made harmless for a terminal: control and escape characters shown, never obeyed.

Tweets are hostile input. A tweet holding `ESC[2J` would clear the investigator's screen, BEL rings, a C1
control (`\\x9b` is a one-byte CSI) starts an escape sequence on some terminals, and a right-to-left
override makes a line read differently from the bytes it holds. Everything printed to a terminal from the
archive goes through `terminal_safe`; JSON keeps the text exactly as archived, and CSV too but for a cell a
spreadsheet would run as a formula (`search.spreadsheet`).

Pure functions, no rich: both the CLI's renderers and any other front end can use them.
"""

from __future__ import annotations

import re

# Bidirectional embeddings, overrides and isolates: they reorder what follows on screen. The marks
# (U+200E, U+200F) and the joiners Persian and Arabic need (U+200C, U+200D) only shape text and stay.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# C0 controls but newline, DEL, C1 controls, bidi controls, and the line/paragraph separators (which end a
# line on some terminals and not on others).
_UNSAFE = re.compile(f"[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}\u2028\u2029]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char == "\t":
        return " "
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␛ for ESC, ␇ for BEL, ␀ for NUL
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def terminal_safe(text: str) -> str:
    """`text` with every control character made visible: C0 as its control picture (␛, ␇), C1 and bidi
    controls as `<U+202E>`; tabs become a space, newlines stay. Printable text, in any script, is unchanged."""
    return _UNSAFE.sub(_visible, text)


def one_line(text: str) -> str:
    """`terminal_safe` text on one line: newlines become `⏎ ` so a table cell shows where they were."""
    return terminal_safe(text.replace("\r\n", "\n")).replace("\n", "\u23ce ")


def utf8_text(data: bytes, what: str) -> str:
    """`data` decoded as UTF-8, or a `UsageError` naming `what` held it and the first byte that is not.

    Text read from a file or a pipe may be in another encoding: a byte Python keeps as a lone surrogate reaches no
    search (the client cannot encode it), and a strict read fails as a bug would. Either way the user is told.
    """
    from common.errors import UsageError

    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        near = data[max(exc.start - 20, 0) : exc.start + 1].decode("utf-8", "backslashreplace")
        raise UsageError(
            f"{what} is not valid UTF-8 (byte {exc.start + 1:,}, after '{one_line(near)}'); save it as UTF-8"
        ) from None
