"""`tweetsearch serve` facing the pages a reader visits: any of them can send the reader's browser to the local
server, so the server answers only the hosts it serves, bounds the work one request may start (a deadline, a
stop when the reader leaves, caps on what an analysis holds) and says so when a bound was reached, refuses
oversized input with a short 400, and marks every response with its security and cache headers.

Against the real server: the bounds are reached with tiny limits given to `create_app`, so nothing here waits
for a clock, and a reader leaving is played through the application's own ASGI interface.
"""

from __future__ import annotations

import html
import re
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import anyio
import pytest
from conftest import server_auth
from elasticsearch import Elasticsearch
from starlette.testclient import TestClient

from common.connection import Settings
from search.choices import MAX_QUERY_CHARS
from search_web.app import create_app, served_hosts
from search_web.bounds import Bound, WebLimits, bounded_client, cancel_server_tasks
from search_web.headers import SECURITY_HEADERS

HUGE = "9" * 4301
"""One digit past what Python's int() reads (it raises ValueError from 4,301 digits)."""


@pytest.fixture(scope="module")
def settings(es_url, alias, indexed_release) -> Settings:
    return Settings.from_env(url=es_url, alias=alias)


@pytest.fixture(scope="module")
def web(settings) -> TestClient:
    """The application as `serve` makes it on loopback, reached as a browser on this machine reaches it."""
    return TestClient(create_app(settings, hosts=served_hosts(["127.0.0.1"])), base_url="http://localhost:8000")


def limited(settings: Settings, **limits: float) -> TestClient:
    return TestClient(create_app(settings, limits=WebLimits(**limits)))


def error_line(page_text: str) -> str:
    found = re.search(r'<div class="error" role="alert">\s*<p>(.*?)</p>', page_text, re.S)
    assert found, page_text
    return html.unescape(found.group(1))


def assert_marked(response) -> None:
    """The headers every response carries, whoever made it."""
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.status_code, name)
    assert response.headers.get("cache-control"), response.status_code


# --------------------------------------------------------------------------------------------------------------
# Hosts


def test_a_host_the_server_does_not_serve_is_400_and_never_reflected(web):
    for path in ("/", "/quote/", "/coordination", "/static/style.css"):
        answer = web.get(path, headers={"host": "evil.example"}, follow_redirects=False)

        assert answer.status_code == 400, path
        assert "location" not in answer.headers
        assert "evil.example" not in answer.text
        assert_marked(answer)
    rebinding = web.get("/", headers={"host": "evil.example:8000"}, params={"q": "vote", "format": "json"})
    assert rebinding.status_code == 400 and "total" not in rebinding.text


def test_the_loopback_names_are_served_with_and_without_a_port_and_redirects_name_only_them(web):
    for host in ("localhost", "localhost:8000", "127.0.0.1", "127.0.0.1:8000", "[::1]", "[::1]:8000", "LOCALHOST"):
        assert web.get("/quote", headers={"host": host}).status_code == 200, host

    redirect = web.get("/quote/", headers={"host": "127.0.0.1:8000"}, follow_redirects=False)
    assert redirect.status_code in (301, 307, 308)
    assert redirect.headers["location"] == "http://127.0.0.1:8000/quote"
    assert_marked(redirect)


def test_the_name_given_to_host_is_served_too_and_nothing_else(settings):
    named = TestClient(create_app(settings, hosts=served_hosts(["tweets.lan", "::1"])))

    assert named.get("/quote", headers={"host": "tweets.lan:8000"}).status_code == 200
    assert named.get("/quote", headers={"host": "[::1]:8000"}).status_code == 200
    assert named.get("/quote", headers={"host": "localhost"}).status_code == 200
    assert named.get("/quote", headers={"host": "tweets.lan.evil.example"}).status_code == 400
    assert served_hosts(["::1"]).count("[::1]") == 1


def test_tweetsearch_serve_refuses_a_rebinding_host_over_http(es_url, alias, indexed_release):
    from servers import ROOT

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(ROOT / ".venv" / "bin" / "tweetsearch"), "--url", es_url, "--alias", alias, "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--allow-host", "tweets.lan"], stderr=subprocess.PIPE, text=True
    )

    def status(host: str) -> tuple[int, str | None]:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/quote/", headers={"Host": host})
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=10) as answer:
                return answer.status, answer.headers.get("location")
        except urllib.error.HTTPError as refused:
            return refused.code, refused.headers.get("location")

    try:
        server.stderr.readline()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        assert status("evil.example") == (400, None)
        assert status(f"tweets.lan:{port}") == (307, f"http://tweets.lan:{port}/quote")
        assert status(f"localhost:{port}") == (307, f"http://localhost:{port}/quote")
    finally:
        server.terminate()
        server.wait(timeout=10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# --------------------------------------------------------------------------------------------------------------
# Input


@pytest.mark.parametrize(
    ("path", "name"),
    [("/", "n"), ("/", "start"), ("/coordination", "min_repeats"), ("/coordination/network.csv", "min_repeats")],
)
def test_a_number_of_any_length_is_a_400_that_names_it(web, path, name):
    for value in (HUGE, "1" + "0" * 40, "0" * 3000 + "1" + "0" * 30):
        for fmt in ({}, {"format": "json"}):
            answer = web.get(path, params={name: value, **fmt})

            said = answer.json()["error"] if fmt else error_line(answer.text)
            assert answer.status_code == 400, answer.text[:300]
            assert said.startswith((f"{name} must be a whole number", f"{name} is {len(value):,} characters"))
            assert len(said) < 200 and len(answer.content) < 20_000
            assert_marked(answer)


def test_a_number_past_what_python_reads_is_a_usage_error_quoting_only_its_start():
    from common.errors import UsageError
    from search_web.app import _number

    for value in (HUGE, "0" * 5000 + "700", "9" * 19):
        with pytest.raises(UsageError, match="n must be a whole number between 1 and 100") as refused:
            _number(value, "n", 20, 1, 100)
        assert len(str(refused.value)) < 200
    assert _number("0" * 5000 + "7", "start", 0, 0, None) == 7


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/coordination", {"window": HUGE}),
        ("/", {"after": HUGE}),
        (f"/tweet/{HUGE}", {}),
        (f"/account/{HUGE}", {}),
        ("/url", {"u": "https://example.org/" + "9" * 3900}),
        ("/quote", {"text": HUGE[:3000]}),
    ],
)
def test_long_digits_anywhere_else_are_an_answer_never_a_500(web, path, params):
    answer = web.get(path, params=params)

    assert answer.status_code in (200, 400, 404), answer.text[:500]
    assert_marked(answer)


@pytest.mark.parametrize(("path", "name"), [("/", "q"), ("/coordination", "q"), ("/quote", "text"), ("/url", "u")])
def test_a_query_past_the_longest_a_page_takes_is_refused_short_and_not_echoed(web, path, name):
    query = "vote " * (MAX_QUERY_CHARS // 5 + 1)
    assert len(query) > MAX_QUERY_CHARS

    page = web.get(path, params={name: query})
    twin = web.get(path, params={name: query, "format": "json"})

    assert page.status_code == twin.status_code == 400
    assert f"{name} is {len(query):,} characters long" in page.text
    assert len(page.content) < 10_000 and page.text.count("vote") < 5
    assert twin.json()["error"].startswith(f"{name} is {len(query):,} characters long")
    assert_marked(page)


def test_a_query_of_the_longest_length_is_answered(web):
    query = '"' + ("vote " * MAX_QUERY_CHARS)[: MAX_QUERY_CHARS - 2] + '"'  # one phrase: a few clauses

    answer = web.get("/", params={"q": query, "format": "json"})

    assert len(query) == MAX_QUERY_CHARS and answer.status_code == 200, answer.text[:300]


# --------------------------------------------------------------------------------------------------------------
# Headers


def test_errors_and_static_files_carry_the_headers_of_pages_and_say_how_to_cache(web):
    answers = {
        "page": web.get("/", params={"q": "vote"}),
        "json": web.get("/", params={"q": "vote", "format": "json"}),
        "400": web.get("/", params={"n": "x"}),
        "404": web.get("/no-such-page"),
        "404 static": web.get("/static/no-such-file.css"),
        "405": web.post("/", data={"q": "vote"}),
        "static": web.get("/static/style.css"),
        "download": web.get("/download.csv", params={"q": "vote"}),
    }

    assert {name: answer.status_code for name, answer in answers.items()} == {
        "page": 200, "json": 200, "400": 400, "404": 404, "404 static": 404, "405": 405, "static": 200,
        "download": 200,
    }  # fmt: skip
    for answer in answers.values():
        assert_marked(answer)
    for name in ("page", "json", "400", "404", "405", "404 static", "download"):
        assert answers[name].headers["cache-control"] == "no-store", name
    assert answers["static"].headers["cache-control"] == "public, max-age=3600"


# --------------------------------------------------------------------------------------------------------------
# Bounds


def test_a_page_past_its_deadline_says_so_in_the_page_and_its_json(settings):
    late = limited(settings, page_seconds=0)

    for path, params in (("/coordination", {"q": "", "by": "text"}), ("/", {"q": "vote"})):
        page = late.get(path, params=params)
        twin = late.get(path, params={**params, "format": "json"}).json()

        assert page.status_code == 503
        assert "stopped after 0 s, the time a web page may take: nothing is shown" in page.text
        assert '<li class="hit">' not in page.text and "coordination-report" not in page.text
        assert twin["status"] == 503 and twin["bound_reached"] is True and "stopped after 0 s" in twin["error"]
        assert "rows" not in twin and "groups" not in twin


def test_a_download_past_its_deadline_is_the_error_page_not_a_file(settings):
    late = limited(settings, download_seconds=0)

    for path in ("/download.csv", "/coordination/network.gexf"):
        answer = late.get(path, params={"q": "vote"})

        assert answer.status_code == 503 and "content-disposition" not in answer.headers
        assert "stopped after 0 s" in answer.text


def test_coordination_past_its_caps_on_pairs_or_tweets_says_which_and_shows_no_groups(settings):
    params = {"q": "", "by": "text", "window": "1h", "min_repeats": "1"}
    whole = limited(settings).get("/coordination", params={**params, "format": "json"}).json()
    assert len(whole["pairs"]) > 1 and whole["candidate_tweets"] > 1

    for limits, said in (({"pairs": 1}, "more than 1 pairs of accounts"), ({"tweets": 1}, "more than 1 tweets")):
        capped = limited(settings, **limits)
        page = capped.get("/coordination", params=params)
        twin = capped.get("/coordination", params={**params, "format": "json"}).json()

        assert page.status_code == 503 and said in page.text and "coordination-report" not in page.text
        assert twin["bound_reached"] is True and said in twin["error"] and "groups" not in twin


def test_a_network_past_its_cap_on_edges_is_refused_whole(settings):
    for kind in ("mention", "coordination"):
        params = {"q": "", "kind": kind, "window": "1h", "min_repeats": "1"}
        whole = limited(settings).get("/coordination/network.csv", params=params)
        edges = int(whole.headers["x-edges"])
        assert edges > 1, kind

        exact = limited(settings, edges=edges).get("/coordination/network.csv", params=params)
        short = limited(settings, edges=edges - 1).get("/coordination/network.csv", params=params)

        assert exact.status_code == 200 and exact.content == whole.content
        assert short.status_code == 503 and "content-disposition" not in short.headers
        assert f"more than {edges - 1:,} edges" in short.text


def test_a_reader_who_leaves_stops_the_work_and_nothing_more_is_asked_of_the_server(settings, es_url):
    """The coordination page asked over ASGI; the reader hangs up while the second search runs (held in a
    client that records each request). The bound is stopped (its tasks looked up to be cancelled) and no search
    is sent after that, where the whole page takes many more."""
    whole = _coordination_requests(settings, es_url, leave_at=None)
    stopped = _coordination_requests(settings, es_url, leave_at=2)

    assert len([path for path in whole if path.endswith("_search")]) > 4
    cancelled_at = stopped.index("/_tasks")
    after = [path for path in stopped[cancelled_at:] if path.endswith("_search")]
    assert after == [], stopped
    assert len(stopped) < len(whole)


def _coordination_requests(settings: Settings, es_url: str, leave_at: int | None) -> list[str]:
    """The paths of the requests the coordination page sent to Elasticsearch, in order; with `leave_at`, the
    reader disconnects while the `leave_at`-th search is sent."""
    paths: list[str] = []
    searches = 0
    reached, released = threading.Event(), threading.Event()

    class Recording(Elasticsearch):
        def perform_request(self, method, path, **kwargs):
            nonlocal searches
            paths.append(path)
            if path.endswith("_search"):
                searches += 1
                if searches == leave_at:
                    reached.set()
                    released.wait(timeout=30)
            if path == "/_tasks":
                released.set()
            return super().perform_request(method, path, **kwargs)

    app = create_app(settings, es=Recording(es_url.split(","), request_timeout=60, **server_auth(es_url)))
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
        "method": "GET", "scheme": "http", "path": "/coordination", "raw_path": b"/coordination", "root_path": "",
        "query_string": b"q=&by=text&window=1h&min_repeats=1", "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    sent: list[dict] = []

    async def visit() -> None:
        asked = False

        async def receive() -> dict:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            if leave_at is None:
                await anyio.sleep_forever()  # the reader waits for the page
            while not reached.is_set():
                await anyio.sleep(0.01)
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)

        await app(scope, receive, send)

    anyio.run(visit)
    assert sent and sent[0]["type"] == "http.response.start"
    if leave_at is None:
        assert sent[0]["status"] == 200
    return paths


# --------------------------------------------------------------------------------------------------------------
# Cancelling on the server


def test_stopping_a_bound_cancels_its_request_still_running_on_the_server(es):
    """A request the server is still working on when its bound is stopped is cancelled there (found by the
    request's `X-Opaque-Id`), and later ones are refused before they are sent. The request held here is a health
    wait, which the server holds for as long as asked (a search on the test's few tweets ends too soon); the
    server marks it cancelled at once and answers `task_cancelled_exception`."""
    from elasticsearch import ApiError

    from common.errors import LimitReached

    bound = Bound(es, 60)
    client = bounded_client(es, bound)
    failed: list[BaseException] = []

    def wait() -> None:
        try:
            client.cluster.health(wait_for_nodes=">=99", timeout="3s")
        except ApiError as exc:
            failed.append(exc)

    waiting = threading.Thread(target=wait)
    waiting.start()
    deadline = time.monotonic() + 10
    while not _tasks(es, bound.id) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _tasks(es, bound.id) == [False]
    bound.stop("gone")

    assert _tasks(es, bound.id) == [True]
    waiting.join(timeout=30)
    assert failed and "task_cancelled_exception" in str(failed[0])
    with pytest.raises(LimitReached):
        client.search(index="*", size=0)
    assert cancel_server_tasks(es, bound.id) == 0


def _tasks(es: Elasticsearch, opaque_id: str) -> list[bool]:
    """Whether each task sent with `opaque_id` and running on the server is cancelled."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        listed = es.tasks.list(detailed=False).body
    return [
        task["cancelled"]
        for node in listed["nodes"].values()
        for task in node["tasks"].values()
        if task.get("headers", {}).get("X-Opaque-Id") == opaque_id
    ]


def test_a_download_whose_bound_is_stopped_ends_short_with_the_error_never_as_a_whole_file(es, alias, web):
    """A download streams past its page: stopping its bound midway (the deadline, the reader gone) refuses the
    export's next search, and the stream ends with the error after what it sent, which the browser reports as a
    failed download."""
    from common.errors import LimitReached
    from search_web.downloads import stream_export

    total = web.get("/", params={"format": "json"}).json()["total"]
    bound = Bound(es, 60)
    stream = stream_export(bounded_client(es, bound), alias, "", "jsonl", page_size=50)
    lines = next(stream).count(b"\n")
    bound.stop("time")

    with pytest.raises(LimitReached, match="stopped after 60 s"):
        for chunk in stream:
            lines += chunk.count(b"\n")
    assert 0 < lines < total
