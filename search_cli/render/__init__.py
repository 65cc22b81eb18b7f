"""Everything the command line draws or writes out, one module per kind of answer.

Commands parse options, call one library function and hand its result to a renderer here; no command module
builds a table, a panel or a bar itself (`tests/test_library_imports.py` checks it).

- `data`: JSON, JSON lines and CSV for scripts.
- `shared`: how listings name accounts and show tweets and counts; terminal-safe text.
- `hits` (`search`), `quote`, `lookup` (`url`, `account`), `counts` (`top`, `timeline`), `status`,
  `load` (`index`'s progress line and books), `written` (`export`, `generate`).
- `charts`: bars in the terminal and timeline pictures; `progress`: the one progress bar.
"""
