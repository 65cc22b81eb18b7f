"""Credentials, against a real server behind an authenticating gateway (the way a hosted cluster or an nginx
with `auth_basic` sits in front of Elasticsearch): the gateway checks the `Authorization` header with users and keys
of its own and forwards what passes to the suite's server with that server's own credentials, over HTTPS too,
with a certificate from a private CA. Wrong credentials or an unknown CA give one line and exit 2; secrets never
appear in any output."""

from __future__ import annotations

import base64
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme
import urllib3
from archive_samples import ira_row, quoted_csv, write
from conftest import server_auth

USER, PASSWORD, API_KEY = "analyst", "correct-horse-battery", "a2V5LWlkOmtleS1zZWNyZXQ="
READER_KEY = "cmVhZGVyOnJlYWQtb25seQ=="  # may search, may not write
WRONG = "wrong-s3cret-value"
ACCEPTED = {f"Basic {base64.b64encode(f'{USER}:{PASSWORD}'.encode()).decode()}", f"ApiKey {API_KEY}"}
READ_ONLY = {f"ApiKey {READER_KEY}"}
# What nginx answers when a location is denied: several lines of HTML.
FORBIDDEN = b"""<html>
<head><title>403 Forbidden</title></head>
<body>
<center><h1>403 Forbidden</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""
# Hop-by-hop headers are the gateway's own business, not forwarded.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


def _reads(method: str, path: str) -> bool:
    """What a read-only key may do: look things up and search, as Elasticsearch's `read` privilege allows (points
    in time, which an export pages through, and field capabilities included)."""
    route = path.split("?")[0]
    return (
        method in ("GET", "HEAD")
        or route.endswith(("/_search", "/_count", "/_msearch", "/_field_caps", "/_pit"))
        or (method == "DELETE" and route == "/_pit")
    )


@contextmanager
def serve_gateway(es_url: str, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """The gateway on a free loopback port, over HTTPS with `tls`; yields its URL."""
    upstream = urllib3.PoolManager()
    # the gateway's own credentials for the server behind it (the suite's server runs with security on)
    auth = server_auth(es_url).get("basic_auth")
    upstream_auth = urllib3.make_headers(basic_auth=":".join(auth)) if auth else {}
    node = es_url.split(",")[0]  # the suite's server, or the first node of a cluster given as a list

    class Gateway(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            given = self.headers.get("Authorization")
            if given in READ_ONLY and not _reads(self.command, self.path):
                self._refuse(403, FORBIDDEN)
                return
            if given not in ACCEPTED | READ_ONLY:
                self._refuse(401, b"<html><body>401 Authorization Required</body></html>")
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"authorization"}}
            headers.update(upstream_auth)
            reply = upstream.request(self.command, node + self.path, body=body or None, headers=headers)
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply.data)))
            self.end_headers()
            self.wfile.write(reply.data)

        def _refuse(self, status: int, answer: bytes) -> None:
            self.send_response(status)
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="tweetsearch"')
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def gateway_url(es_url: str) -> Iterator[str]:
    with serve_gateway(es_url) as url:
        yield url


@pytest.fixture(scope="module")
def private_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_gateway_url(es_url: str, private_ca: trustme.CA) -> Iterator[str]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    private_ca.issue_cert("127.0.0.1").configure_cert(context)
    with serve_gateway(es_url, context) as url:
        yield url


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
def test_refused_credentials_give_one_line_and_exit_5_without_the_secret(cli, gateway_url, credentials, command):
    result = cli(*command, env={"ELASTICSEARCH_URL": gateway_url, **credentials})

    assert result.exit_code == 5, result.stderr
    lines = result.stderr.strip().splitlines()
    said = "asks for credentials" if not credentials else "refused the credentials"
    assert len(lines) == 1 and said in lines[0], result.stderr
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

    assert result.exit_code == 5, result.stderr
    assert "refused the credentials" in result.stderr and WRONG not in result.stderr
    assert not rejects.exists() and not rejects.with_name("r.jsonl.checkpoint.json").exists()


def test_credentials_that_may_only_read_search_but_cannot_load(cli, gateway_url, alias, tmp_path):
    folder = tmp_path / "release"
    folder.mkdir()
    write(folder / "ira_tweets_csv_hashed.csv", quoted_csv([ira_row(tweetid=str(450 + n)) for n in range(2)]))
    rejects = tmp_path / "r.jsonl"
    env = {"ELASTICSEARCH_URL": gateway_url, "TWEETSEARCH_ALIAS": f"{alias}-readonly"}
    assert (
        cli("index", str(folder), "--rejects", str(rejects), env={**env, "ELASTICSEARCH_API_KEY": API_KEY}).exit_code
        == 0
    )
    rejects.unlink(missing_ok=True)

    counted = cli("search", "#MAGA", "--count", env={**env, "ELASTICSEARCH_API_KEY": READER_KEY})
    loaded = cli("index", str(folder), "--rejects", str(rejects), env={**env, "ELASTICSEARCH_API_KEY": READER_KEY})

    assert counted.exit_code == 0 and counted.stdout.strip() == "2", counted.stderr
    assert loaded.exit_code == 5, loaded.stderr
    lines = loaded.stderr.strip().splitlines()
    assert len(lines) == 1 and "lack a permission" in lines[0] and "403 Forbidden" in lines[0], loaded.stderr
    assert READER_KEY not in loaded.stderr and not rejects.exists()


def test_https_with_a_private_ca_needs_its_certificate(cli, tls_gateway_url, private_ca, alias, tmp_path):
    ca_file = tmp_path / "ca.pem"
    private_ca.cert_pem.write_to_path(str(ca_file))
    env = {"ELASTICSEARCH_URL": tls_gateway_url, "ELASTICSEARCH_API_KEY": API_KEY, "TWEETSEARCH_ALIAS": alias}

    unknown = cli("status", env=env)
    trusted = cli("status", "--json", env={**env, "ELASTICSEARCH_CA_CERTS": str(ca_file)})

    assert unknown.exit_code == 5, unknown.stderr
    lines = unknown.stderr.strip().splitlines()
    assert len(lines) == 1 and "TLS connection" in lines[0] and "ELASTICSEARCH_CA_CERTS" in lines[0], lines
    assert "certificate verify failed" in lines[0] and API_KEY not in unknown.stderr
    assert trusted.exit_code == 0, trusted.stderr
    assert '"alias"' in trusted.stdout and API_KEY not in trusted.stdout + trusted.stderr


def test_the_web_interface_answers_with_credentials_that_may_only_read(cli, gateway_url, alias, tmp_path, monkeypatch):
    """Every page and download of `tweetsearch serve` works with a key that may not write."""
    from starlette.testclient import TestClient

    from common.connection import Settings
    from search_web.app import create_app

    folder = tmp_path / "release"
    folder.mkdir()
    write(folder / "ira_tweets_csv_hashed.csv", quoted_csv([ira_row(tweetid=str(470 + n)) for n in range(3)]))
    own = f"{alias}-web"
    env = {"ELASTICSEARCH_URL": gateway_url, "TWEETSEARCH_ALIAS": own, "ELASTICSEARCH_API_KEY": API_KEY}
    assert cli("index", str(folder), "--rejects", str(tmp_path / "r.jsonl"), env=env).exit_code == 0
    monkeypatch.setenv("ELASTICSEARCH_API_KEY", READER_KEY)
    web = TestClient(create_app(Settings.from_env(url=gateway_url, alias=own)))

    searched = web.get("/", params={"q": "#MAGA", "format": "json"})
    downloaded = web.get("/download.csv", params={"q": "#MAGA"})
    quoted = web.get("/quote", params={"text": "nothing like this was ever archived, surely", "format": "json"})

    assert searched.status_code == 200 and searched.json()["total"] == 3, searched.text
    assert downloaded.status_code == 200 and len(downloaded.text.strip().splitlines()) == 4, downloaded.text
    assert quoted.status_code == 200 and quoted.json()["verdict"] == "NOT FOUND", quoted.text
    assert web.get("/tweet/470").status_code == 200
    assert READER_KEY not in searched.text + downloaded.text
