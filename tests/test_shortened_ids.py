"""A hashed id is shown shortened (`c25f…ad40`); typed back, it is refused with the whole id's whereabouts, never
searched as it is (no id holds `…`, so it would silently find nothing)."""

from __future__ import annotations

import pytest

SHORT = "c25f…ad40"


@pytest.mark.parametrize(
    "command",
    [
        ["search", f"from:{SHORT}"],
        ["search", f"vote userid:{SHORT}"],
        ["search", f"@{SHORT}"],
        ["timeline", f"from:{SHORT}"],
        ["account", SHORT],
    ],
    ids=lambda c: " ".join(c),
)
def test_a_shortened_hashed_id_is_refused_with_how_to_give_it_whole(cli, command):
    result = cli(*command)

    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "shortened" in result.stderr and "type the whole id" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_account_page_refuses_it_too(es_url, alias):
    from starlette.testclient import TestClient

    from common.connection import Settings
    from search_web.app import create_app

    web = TestClient(create_app(Settings.from_env(url=es_url, alias=alias)))
    answer = web.get(f"/account/{SHORT}")

    assert answer.status_code == 400 and "shortened" in answer.text
