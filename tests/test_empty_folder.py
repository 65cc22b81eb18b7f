"""A folder with no tweets archive file is refused before any index is created (it loaded nothing, with exit 0)."""

from __future__ import annotations

from pathlib import Path


def _indices(es, alias: str) -> list[str]:
    return sorted(es.indices.get(index=f"{alias}*", allow_no_indices=True, expand_wildcards="all"))


def test_an_empty_folder_exits_2_naming_it_and_creates_nothing(cli, es, alias, tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "readme.txt").write_text("not an archive\n")
    before = _indices(es, alias)
    result = cli("index", str(folder), "--rejects", str(tmp_path / "r.jsonl"))
    assert result.exit_code == 2
    assert str(folder) in result.stderr and "no tweets archive files" in result.stderr
    assert "Traceback" not in result.stderr
    assert _indices(es, alias) == before
    named = cli("index", str(folder), "--rejects", str(tmp_path / "r.jsonl"), "--index-name", f"{alias}-named")
    assert named.exit_code == 2
    assert _indices(es, alias) == before


def test_a_dry_run_of_an_empty_folder_exits_2(cli, tmp_path: Path) -> None:
    result = cli("index", str(tmp_path), "--dry-run", "--rejects", str(tmp_path / "r.jsonl"))
    assert result.exit_code == 2
    assert str(tmp_path) in result.stderr
