"""Credentials, against a real server behind an authenticating gateway (the way a hosted cluster or an nginx
with `auth_basic` sits in front of Elasticsearch): the minimal distribution the suite runs has no security of
its own, so the gateway checks the `Authorization` header and forwards what passes, untouched, to the suite's
server. Wrong credentials give one line and exit 2; secrets never appear in any output."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3
from archive_samples import ira_row, quoted_csv, write

USER, PASSWORD, API_KEY = "analyst", "correct-horse-battery", "a2V5LWlkOmtleS1zZWNyZXQ="
WRONG = "wrong-s3cret-value"
ACCEPTED = {f"Basic {base64.b64encode(f'{USER}:{PASSWORD}'.encode()).decode()}", f"ApiKey {API_KEY}"}
# Hop-by-hop headers are the gateway's own business, not forwarded.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@pytest.fixture(scope="module")
def gateway_url(es_url: str) -> Iterator[str]:
    upstream = urllib3.PoolManager()

    class Gateway(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Authorization") not in ACCEPTED:
                answer = b"<html><body>401 Authorization Required</body></html>"
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="tweetsearch"')
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"authorization"}}
            reply = upstream.request(self.command, es_url + self.path, body=body or None, headers=headers)
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply.data)))
            self.end_headers()
            self.wfile.write(reply.data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "credentials",
    [
        {"ELASTICSEARCH_USERNAME": USER, "ELASTICSEARCH_PASSWORD": WRONG},
        {"ELASTICSEARCH_API_KEY": WRONG},
        {},
    ],
    ids=["wrong-password", "wrong-api-key", "none"],
)
@pytest.mark.parametrize("command", [["status"], ["search", "vote"], ["top", "hashtags"]], ids=lambda c: c[0])
def test_refused_credentials_give_one_line_and_exit_2_without_the_secret(cli, gateway_url, credentials, command):
    result = cli(*command, env={"ELASTICSEARCH_URL": gateway_url, **credentials})

    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "refused the credentials" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert WRONG not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "credentials",
    [{"ELASTICSEARCH_USERNAME": USER, "ELASTICSEARCH_PASSWORD": PASSWORD}, {"ELASTICSEARCH_API_KEY": API_KEY}],
    ids=["password", "api-key"],
)
def test_accepted_credentials_load_and_search_through_the_gateway(cli, gateway_url, alias, tmp_path, credentials):
    folder = tmp_path / "release"
    folder.mkdir()
    write(folder / "ira_tweets_csv_hashed.csv", quoted_csv([ira_row(tweetid=str(400 + n)) for n in range(3)]))
    env = {"ELASTICSEARCH_URL": gateway_url, "TWEETSEARCH_ALIAS": f"{alias}-gateway", **credentials}

    loaded = cli("index", str(folder), "--rejects", str(tmp_path / "r.jsonl"), env=env)
    counted = cli("search", "#MAGA", "--count", env=env)

    assert loaded.exit_code == 0, loaded.stderr
    assert counted.exit_code == 0, counted.stderr
    assert counted.stdout.strip() == "3"
    for secret in (PASSWORD, API_KEY):
        assert secret not in loaded.stdout + loaded.stderr + counted.stdout + counted.stderr


def test_a_load_refused_at_the_gateway_writes_nothing(cli, gateway_url, alias, tmp_path):
    folder = tmp_path / "release"
    folder.mkdir()
    write(folder / "ira_tweets_csv_hashed.csv", quoted_csv([ira_row(tweetid="401")]))
    rejects = tmp_path / "r.jsonl"
    env = {"ELASTICSEARCH_URL": gateway_url, "TWEETSEARCH_ALIAS": f"{alias}-refused", "ELASTICSEARCH_API_KEY": WRONG}

    result = cli("index", str(folder), "--rejects", str(rejects), env=env)

    assert result.exit_code == 2, result.stderr
    assert "refused the credentials" in result.stderr and WRONG not in result.stderr
    assert not rejects.exists() and not rejects.with_name("r.jsonl.checkpoint.json").exists()
