"""Counts in notes read as English: `1 more occurrence`, `2 more occurrences` (issue 25, wording)."""

from __future__ import annotations

import pytest

from search.aggregate import TopResult
from search_cli.render.counts import top_notes


@pytest.mark.parametrize(("other", "said"), [(1, "1 more occurrence of"), (2, "2 more occurrences of")])
def test_a_top_list_s_note_counts_the_values_not_listed_in_the_right_number(other: int, said: str) -> None:
    result = TopResult(
        field="hashtag",
        index_field="hashtags",
        query="vote",
        tweets=10,
        without_value=3,
        distinct=4,
        distinct_exact=True,
        counts=[],
        other=other,
        error_bound=0,
        counts_exact=True,
    )

    assert any(note.startswith(said) for note in top_notes(result))
