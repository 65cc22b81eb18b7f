"""The local server runs with security on, and tweetsearch finds its credentials without the user typing them.

`scripts/elasticsearch` writes the password it made to a file only its owner can read; the client uses it for the
loopback nodes that file lists, and for nothing else. A password in ELASTICSEARCH_URL is never shown, whatever it
holds (a comma once split it into two "nodes", and the first half was printed).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import urllib3

from common.connection import Settings, parse_hosts
from common.errors import UsageError
from common.local_credentials import find_local_credentials, node_key, parse_credentials


def write_credentials(folder: Path, name: str, urls: list[str], mode: int = 0o600) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.credentials"
    lines = ["# test", "username=tweetsearch", "password=s3cret-local-pw", *(f"url={url}" for url in urls)]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(mode)
    return path


def local_server(es_url: str):
    """The credentials of the suite's server, which must be the secured one `scripts/elasticsearch` starts: these
    tests check that server's promise, so another server fails them, saying how to run them."""
    found = find_local_credentials(es_url.split(","))
    if found is None:
        pytest.fail(
            f"{es_url} is not a server that scripts/elasticsearch started here (no credentials file lists it): run "
            "the suite with `make test`, or start the local server with `make es-start`",
            pytrace=False,
        )
    return found


def test_the_local_server_refuses_a_request_without_its_credentials(es_url):
    found = local_server(es_url)
    pool = urllib3.PoolManager()
    node = es_url.split(",")[0]

    anonymous = pool.request("GET", f"{node}/_cat/indices")
    wrong = pool.request("GET", f"{node}/_cat/indices", headers=urllib3.make_headers(basic_auth="tweetsearch:nope"))
    right = pool.request(
        "GET", f"{node}/_cat/indices", headers=urllib3.make_headers(basic_auth=f"{found.username}:{found.password}")
    )

    assert anonymous.status == 401 and wrong.status == 401
    assert right.status == 200
    assert not found.path.stat().st_mode & 0o077  # readable by its owner only


def test_the_cli_finds_the_local_credentials_and_says_where_they_are_read_when_missing(cli, es_url, tmp_path):
    local_server(es_url)

    found = cli("status", "--json")
    missing = cli("status", env={"TWEETSEARCH_CONFIG_DIR": str(tmp_path / "empty")})

    assert found.exit_code == 0, found.stderr
    assert missing.exit_code == 5
    assert "asks for credentials" in missing.stderr and str(tmp_path / "empty") in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "hosts",
    [
        ["http://127.0.0.1:9277"],
        ["http://localhost:9277"],
        ["http://[::1]:9277/"],
        ["http://127.0.0.1:9277", "http://localhost:9278"],
        ["http://127.0.0.1:9", "http://localhost:9278"],  # a node of this machine that is not running
    ],
)
def test_loopback_names_of_a_listed_node_match(tmp_path, hosts):
    write_credentials(tmp_path, "one", ["http://127.0.0.1:9277", "http://127.0.0.1:9278"])

    found = find_local_credentials(hosts, tmp_path)

    assert found is not None and found.username == "tweetsearch" and found.password == "s3cret-local-pw"


@pytest.mark.parametrize(
    "hosts",
    [
        ["http://127.0.0.1:9299"],  # another port: another server
        ["https://127.0.0.1:9277"],  # another scheme
        ["http://example.org:9277"],  # never sent to another machine
        ["http://127.0.0.1:9277", "http://10.0.0.5:9277"],  # one node elsewhere: none of it
        ["http://user:pw@127.0.0.1:9277"],  # credentials of its own
        ["http://127.0.0.1:9277/proxy"],  # a path: something in front of the server
    ],
)
def test_other_servers_do_not_get_the_local_credentials(tmp_path, hosts):
    write_credentials(tmp_path, "one", ["http://127.0.0.1:9277"])

    assert find_local_credentials(hosts, tmp_path) is None


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o666])
def test_a_file_others_may_read_or_change_is_not_trusted(tmp_path, mode):
    write_credentials(tmp_path, "one", ["http://127.0.0.1:9277"], mode=mode)

    assert find_local_credentials(["http://127.0.0.1:9277"], tmp_path) is None


def test_a_file_missing_a_part_is_not_used(tmp_path):
    assert parse_credentials("username=a\nurl=http://127.0.0.1:1\n", tmp_path / "x") is None
    assert parse_credentials("username=a\npassword=b\n", tmp_path / "x") is None
    assert node_key("http://127.0.0.1:9200") == node_key("http://localhost:9200/")


def test_the_folder_follows_the_scripts_rule(tmp_path, monkeypatch):
    from common.local_credentials import credentials_folder

    assert credentials_folder({"TWEETSEARCH_CONFIG_DIR": str(tmp_path)}) == tmp_path / "elasticsearch"
    assert credentials_folder({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "tweetsearch" / "elasticsearch"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert credentials_folder({}) == Path(os.path.expanduser("~")) / ".config" / "tweetsearch" / "elasticsearch"


SECRET = "pa,ss/w@rd:9"


@pytest.mark.parametrize(
    "url",
    [
        f"http://analyst:{SECRET}@127.0.0.1:9200",
        f"http://analyst:{SECRET}@127.0.0.1:9200,http://127.0.0.1:9201",
        f"http://127.0.0.1:9201,http://analyst:{SECRET}@127.0.0.1:9200",
        "http://analyst:pa,ss@127.0.0.1:9200",
    ],
)
def test_a_password_in_the_url_is_never_shown_whatever_it_holds(url):
    shown = Settings(url=url).display_url
    try:
        parse_hosts(url)
        message = ""
    except UsageError as exc:
        message = str(exc)

    for text in (shown, message):
        assert "pa," not in text and ",ss" not in text and "w@rd" not in text and "analyst" not in text, text


def test_a_comma_in_a_password_is_refused_with_how_to_write_it(cli):
    result = cli("status", env={"ELASTICSEARCH_URL": "http://analyst:pa,ss@127.0.0.1:9200"})

    assert result.exit_code == 2
    assert "%2C" in result.stderr and "pa," not in result.stderr and "analyst" not in result.stderr
