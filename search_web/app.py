"""The web application: pages rendered on the server from the library's results, and their JSON twins.

One Elasticsearch client serves the whole process (`create_app` makes it, or takes one). Every route is a GET
that reads: nothing here indexes, deletes or changes a setting, so read-only credentials are enough. Archived
text reaches a page only through Jinja2's escaping, with its control characters made visible (`visible`), and
every response carries a Content-Security-Policy that forbids inline scripts and anything from elsewhere
(`search_web.headers`).

Any page a reader opens can make the server work, so the application answers only the hosts it serves (a
DNS-rebinding page cannot read the archive through it), refuses a query longer than `MAX_QUERY_CHARS` and runs
each request under a deadline, stopped when its reader leaves, with caps on what an analysis holds
(`search_web.bounds`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from common.errors import (
    ConnectionFailed,
    IndexNotFound,
    LimitReached,
    NotFound,
    PartialResults,
    QuerySyntaxError,
    TweetsearchError,
    UsageError,
)
from search.aggregate import INTERVALS, Count, Timeline, facet_counts, timeline
from search.choices import (
    COORDINATION_BY,
    DEFAULT_MIN_REPEATS,
    DEFAULT_WINDOW,
    EXPORT_FORMATS,
    MAX_QUERY_CHARS,
    NETWORK_FORMATS,
    NETWORK_KINDS,
    SORT_ORDERS,
)
from search.citation import CITE_LIMIT, format_citation, verdict_line
from search.coordination import SharedItem, find_coordination
from search.lookup import AccountReport, UrlReport, account_report, tweet_record, url_report
from search.network import NetworkLimits
from search.query import Phrase, operator_text, parse_query
from search.quote import check_quote, difference_notation, normalise_quote
from search.safe_text import terminal_safe
from search.serialise import to_json
from search.tweets import Hit, account_name, count_tweets, search_tweets, text_pieces
from search_web.bounds import Bound, WebLimits, bounded_client
from search_web.downloads import attachment, network_file, stream_export
from search_web.headers import NO_STORE, SECURITY_HEADERS, SecurityHeaders
from search_web.paging import decode_after, encode_after

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from common.connection import Settings

HERE = Path(__file__).parent
PAGE_SIZE = 20
FACET_SIZE = 5
PARALLEL_QUESTIONS = 12
"""Searches the application asks at once, over all the pages it is answering (each search page asks three)."""
MAX_PAGE_SIZE = 100
GROUPS_SHOWN = 20
"""Coordinated groups the coordination page lists, largest first; its JSON twin and the network files have all."""
MEMBERS_SHOWN = 50
"""Accounts listed per group: a group of thousands is a table nobody reads, and the network file has them all."""
ITEMS_SHOWN = 5
"""Shared items listed per group (each one's first tweet is fetched to show its text as posted)."""
NETWORK_LABELS = {
    "coordination": "accounts that co-acted, by co-actions",
    "retweet": "who retweeted whom",
    "mention": "who mentioned whom",
    "reply": "who replied to whom",
}
"""Each network kind (`NETWORK_KINDS`) in the coordination page's words."""
FORMAT_NAMES = {"gexf": "GEXF", "graphml": "GraphML", "csv": "CSV"}
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
"""The names a browser on this machine reaches the server by (a `Host` header's port is not compared)."""


def status_for(exc: TweetsearchError) -> int:
    """The HTTP status of an error a user or the server's state causes: a query or an address the user can
    correct is 400, what is not there 404, a server that cannot answer (down, no index, part of the shards) or
    will not do that much work for one request (`LimitReached`) 503."""
    if isinstance(exc, IndexNotFound | ConnectionFailed | PartialResults | LimitReached):
        return 503
    if isinstance(exc, NotFound):
        return 404
    if exc.exit_code == 2:  # usage: a malformed query, an unknown option, a damaged address
        return 400
    return 500


def web_link(url: str) -> bool:
    """Whether an archived URL may become a link: http and https only (never `javascript:` or `data:`)."""
    return url.lower().startswith(("http://", "https://"))


def create_app(
    settings: Settings,
    es: Elasticsearch | None = None,
    *,
    limits: WebLimits | None = None,
    hosts: Sequence[str] | None = None,
) -> Starlette:
    """The application over `settings.alias`, with `es` or a client made from `settings` (one per process),
    within `limits` (`WebLimits()` unless given). It answers only requests whose `Host` is one of `hosts`
    (`served_hosts`: `serve` always gives them); None, for a caller in this process, takes any."""
    from common.connection import connect, user_error

    limits = limits or WebLimits()
    client = es if es is not None else connect(settings)
    network_limits = NetworkLimits(pairs=limits.pairs, tweets=limits.tweets, edges=limits.edges)
    parallel = ThreadPoolExecutor(max_workers=PARALLEL_QUESTIONS, thread_name_prefix="page")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["visible"] = terminal_safe
    templates.env.filters["shown"] = shown_value
    templates.env.filters["utc"] = utc_shown
    templates.env.globals.update(
        pieces=text_pieces,
        web_link=web_link,
        account_name=account_name,
        account_link=account_link,
        url_link=url_link,
        account_href=account_href,
        item_link=item_link,
    )

    def wants_json(request: Request) -> bool:
        return request.query_params.get("format") == "json"

    def json_response(value: Any, status: int = 200) -> Response:
        return Response(to_json(value), status_code=status, media_type="application/json")

    def failure(request: Request, exc: TweetsearchError, context: dict[str, Any]) -> Response:
        status = status_for(exc)
        if isinstance(exc, QuerySyntaxError) and "query" in context:  # where in the query typed it went wrong
            context["pointer"] = exc.pointer(context["query"])
        if wants_json(request):
            said: dict[str, Any] = {"error": str(exc), "status": status}
            if isinstance(exc, LimitReached):  # a script must not take the missing answer for "nothing found"
                said["bound_reached"] = True
            return json_response(said, status)
        return templates.TemplateResponse(
            request, context.pop("template", "error.html"), {**context, "error": exc}, status_code=status
        )

    Handler = Callable[[Request, dict[str, Any], "Elasticsearch"], Response]

    def page(handler: Handler, seconds: float = limits.page_seconds) -> Callable[[Request], Any]:
        """A route: the handler fills `context` as it goes, so an error shows the page with what was asked
        and the error in it. An error nobody foresaw is a 500 that says so, never a traceback.

        The handler runs in a thread with a client of its own (`bounded_client`): past `seconds`, or once the
        reader has gone, its searches are cancelled and no more are sent, and the page says the deadline was
        reached rather than show what was read so far. A download's stream keeps the bound until it ends."""

        def answer(request: Request, bound: Bound) -> Response:
            context: dict[str, Any] = {"alias": settings.alias, "took": {}}
            started = time.perf_counter()
            try:
                check_lengths(request)
                check_format(request)
                response = handler(request, context, bounded_client(client, bound))
            except TweetsearchError as exc:
                said = exc
                if bound.stopped_by_time:
                    said = bound.limit_reached()
                elif isinstance(exc, LimitReached):  # the web's caps on pairs, tweets and edges
                    said = LimitReached(f"{exc}; or ask the command line, whose limits are higher than a web page's")
                response = failure(request, said, context)
            except Exception as exc:  # the server's errors, translated; anything else is a bug
                translated = user_error(exc, settings)
                if bound.stopped_by_time:  # a search cancelled at the deadline fails as it can
                    translated = bound.limit_reached()
                elif translated is None:
                    translated = TweetsearchError(
                        f"internal error ({type(exc).__name__}); this is a bug in tweetsearch, please report it"
                    )
                response = failure(request, translated, context)
            else:
                if bound.stopped_by_time and not isinstance(response, StreamingResponse):
                    response = failure(request, bound.limit_reached(), context)  # its last answer may be cut
            took = {**context["took"], "app": round((time.perf_counter() - started) * 1000)}
            response.headers["server-timing"] = ", ".join(f"{name};dur={ms}" for name, ms in took.items())
            return response

        async def endpoint(request: Request) -> Response:
            bound = Bound(client, seconds)
            try:
                async with anyio.create_task_group() as watchers:
                    watchers.start_soon(stop_when_gone, request, bound)
                    response = await anyio.to_thread.run_sync(answer, request, bound)
                    watchers.cancel_scope.cancel()
            except BaseException:
                bound.finish()
                raise
            if isinstance(response, StreamingResponse):  # the stream keeps the bound until it ends
                response.body_iterator = bounded_stream(response.body_iterator, bound)
            else:
                bound.finish()
            return response

        return endpoint

    def check_format(request: Request) -> None:
        """Refuses a `format` other than the JSON twin's: answering HTML to `format=xml` would pass a page off
        as what was asked for."""
        fmt = request.query_params.get("format")
        if fmt not in (None, "", "json"):
            raise UsageError(f'unknown format "{terminal_safe(fmt[:40])}"; a page has one other form: format=json')

    def check_lengths(request: Request) -> None:
        """Refuses an address with a value longer than `MAX_QUERY_CHARS` (not echoed: it would be again)."""
        for name, value in request.query_params.multi_items():
            if len(value) > MAX_QUERY_CHARS:
                raise UsageError(
                    f"{name} is {len(value):,} characters long; a web page takes at most {MAX_QUERY_CHARS:,} "
                    "(the command line takes any length)"
                )

    def search_page(request: Request, context: dict[str, Any], es: Elasticsearch) -> Response:
        params = request.query_params
        query = params.get("q", "")
        sort = params.get("sort", "newest")
        context.update(template="search.html", query=query, sort=sort, sorts=SORT_ORDERS)
        if sort not in SORT_ORDERS:
            raise UsageError(f'unknown sort "{sort}"; choose one of: {", ".join(SORT_ORDERS)}')
        size = _number(params.get("n"), "n", PAGE_SIZE, 1, MAX_PAGE_SIZE)
        # Where the page starts comes from the `after` token this site wrote, never from `start` alone: a page
        # shows the rows its numbers say, or is refused.
        asked_start = _number(params.get("start"), "start", 0, 0, None)
        after, start = decode_after(params["after"]) if params.get("after") else (None, 0)
        if params.get("start") is not None and asked_start != start:
            raise UsageError(
                f"start={asked_start:,} is not where this page address's results begin "
                f"(row {start + 1:,}); follow the pages' links, or start again from the first page"
            )
        interval = params.get("interval", "month")
        by = params.get("by") or None
        # The page's three questions are asked at once: its time is the slowest one's, not their sum.
        searching = parallel.submit(search_tweets, es, settings.alias, query, limit=size, sort=sort, after=after)
        counting = parallel.submit(facet_counts, es, settings.alias, query, limit=FACET_SIZE)
        drawing = parallel.submit(timeline, es, settings.alias, query, interval=interval, by=by)
        result = searching.result()
        facets, series = counting.result(), drawing.result()
        if start and start >= result.total:
            raise UsageError(
                f"this page would start at row {start + 1:,}, past the {result.total:,} matching tweets; "
                "start again from the first page"
            )
        context["took"].update(search=result.took_ms, facets=facets.took_ms, timeline=series.took_ms)
        # Any of the three answers incomplete makes the page say so: counts short by a shard are not counts.
        partial = result.partial_reason or facets.partial_reason or series.partial_reason
        more = result.next_after is not None and start + len(result.hits) < result.total
        next_url = None
        if more:
            following = {"start": start + size, "after": encode_after(result.next_after, start + size)}
            next_url = _address(request, **following, format=None)
        if wants_json(request):
            return json_response(
                {
                    "query": query,
                    "sort": sort,
                    "total": result.total,
                    "total_is_exact": result.total_is_exact,
                    "start": start,
                    "rows": result.hits,
                    "next": next_url and next_url + "&format=json",
                    "took_ms": result.took_ms,
                    "partial_reason": partial,
                    "facets": {facet.field: facet for facet in facets.facets},
                    "timeline": series,
                }
            )
        first_url = _address(request, after=None, start=None, format=None) if start else None
        context.update(result=result, start=start, size=size, next_url=next_url, first_url=first_url, partial=partial)
        context["facets"] = [
            (
                facet,
                [
                    (count, _search_address(f"{query} {text}".strip(), sort) if text else None)
                    for count, text in zip(facet.counts, facet.refinements, strict=True)
                ],
            )
            for facet in facets.facets
            if facet.counts
        ]
        context["json_url"] = _address(request, format="json")
        context.update(series=series, interval=interval, by=by, intervals=INTERVALS)
        context["split_url"] = _address(request, by=None if by else "campaign", after=None, start=None)
        context["interval_urls"] = {
            name: _address(request, interval=name, after=None, start=None) for name in INTERVALS
        }
        context["downloads"] = {fmt: f"/download.{fmt}?{urlencode({'q': query})}" for fmt in EXPORT_FORMATS}
        context["coordination_url"] = "/coordination?" + urlencode({"q": query})
        return templates.TemplateResponse(request, "search.html", context)

    def tweet_page(request: Request, context: dict[str, Any], es: Elasticsearch) -> Response:
        record = tweet_record(es, settings.alias, request.path_params["tweetid"])
        if wants_json(request):
            return json_response(record)
        context.update(record=record, json_url=_address(request, format="json"))
        return templates.TemplateResponse(request, "tweet.html", context)

    def quote_page(request: Request, context: dict[str, Any], es: Elasticsearch) -> Response:
        text = request.query_params.get("text")
        context.update(template="quote.html", text=text or "")
        if text is None:
            return templates.TemplateResponse(request, "quote.html", context)
        verdict = check_quote(es, settings.alias, text, cite=CITE_LIMIT)
        context["took"]["quote"] = verdict.took_ms
        if wants_json(request):
            return json_response(verdict)
        context.update(
            verdict=verdict,
            line=verdict_line(verdict),
            differences=difference_notation(verdict.differences),
            citation=format_citation(verdict) if verdict.citation is not None else None,
            json_url=_address(request, format="json"),
        )
        return templates.TemplateResponse(request, "quote.html", context)

    def url_page(request: Request, context: dict[str, Any], es: Elasticsearch) -> Response:
        asked = request.query_params.get("u")
        context.update(template="url.html", asked=asked or "")
        if asked is None:
            return templates.TemplateResponse(request, "url.html", context)
        report = url_report(es, settings.alias, asked)
        query = operator_text("url", report.target.value) if report.tweets else None
        return report_page(request, context, es, "url", report, query)

    def account_page(request: Request, context: dict[str, Any], es: Elasticsearch) -> Response:
        report = account_report(es, settings.alias, request.path_params["name"])
        return report_page(request, context, es, "account", report, operator_text("userid", report.profile.userid))

    def report_page(
        request: Request,
        context: dict[str, Any],
        es: Elasticsearch,
        kind: str,
        report: UrlReport | AccountReport,
        query: str | None,
    ) -> Response:
        """A URL's or an account's page: the report, its tweets over time, a link to them in a search."""
        series = _series(es, query, report.first, report.last)
        context["took"].update({kind: report.took_ms, "timeline": series.took_ms if series else 0})
        partial = report.partial_reason or (series.partial_reason if series else None)
        if wants_json(request):
            return json_response({"report": report, "timeline": series, "partial_reason": partial})
        context.update(report=report, series=series, search_url=query and _search_address(query), partial=partial)
        context["json_url"] = _address(request, format="json")
        return templates.TemplateResponse(request, f"{kind}.html", context)

    def download(request: Request, context: dict[str, Any], es: Elasticsearch) -> Response:
        fmt = request.path_params["fmt"]
        query = request.query_params.get("q", "")
        if fmt not in EXPORT_FORMATS:
            raise NotFound(f"no download as .{fmt}: .csv (the archive's columns) or .jsonl")
        context.update(template="search.html", query=query, sort="newest", sorts=SORT_ORDERS)
        total = count_tweets(es, settings.alias, query)  # a malformed query is a page, not a broken file
        return StreamingResponse(
            stream_export(es, settings.alias, query, fmt),
            media_type="text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson",
            headers={
                "content-disposition": attachment("tweets", query, fmt),
                "x-tweets": str(total),
            },
        )

    def coordination_inputs(request: Request, context: dict[str, Any]) -> tuple[str, str, str, int]:
        """The coordination form's fields (query, by, window, min_repeats), put in `context` as typed first so
        that an error shows the form as it was filled. A blank field takes its default."""
        params = request.query_params
        query = params.get("q", "")
        by = params.get("by") or "text"
        window = params.get("window") or DEFAULT_WINDOW
        repeats = params.get("min_repeats") or str(DEFAULT_MIN_REPEATS)
        context.update(
            template="coordination.html", query=query, by=by, window=window, min_repeats=repeats, kinds=COORDINATION_BY
        )
        if by not in COORDINATION_BY:
            raise UsageError(f'unknown by "{by}"; choose one of: {", ".join(COORDINATION_BY)}')
        return query, by, window, _number(repeats, "min_repeats", DEFAULT_MIN_REPEATS, 1, None)

    def coordination_page(request: Request, context: dict[str, Any], es: Elasticsearch) -> Response:
        """Groups of accounts that acted together among the tweets of a query; without any parameter, the form."""
        query, by, window, min_repeats = coordination_inputs(request, context)
        if not request.query_params:
            return templates.TemplateResponse(request, "coordination.html", context)
        report = find_coordination(
            es, settings.alias, query, by=by, window=window, min_repeats=min_repeats, items_per_group=ITEMS_SHOWN,
            max_pairs=limits.pairs, max_tweets=limits.tweets,
        )  # fmt: skip
        context["took"]["coordination"] = report.took_ms
        if wants_json(request):
            return json_response(report)
        asked = {"q": query, "by": by, "window": window, "min_repeats": min_repeats}
        context["networks"] = [
            (
                NETWORK_LABELS[kind],
                [
                    (FORMAT_NAMES[fmt], f"/coordination/network.{fmt}?"
                     + urlencode({**(asked if kind == "coordination" else {"q": query}), "kind": kind}))
                    for fmt in NETWORK_FORMATS
                ],
            )
            for kind in NETWORK_KINDS
        ]  # fmt: skip
        context.update(
            report=report,
            groups_shown=GROUPS_SHOWN,
            members_shown=MEMBERS_SHOWN,
            search_url=_search_address(query),
            json_url=_address(request, format="json"),
        )
        return templates.TemplateResponse(request, "coordination.html", context)

    def network_download(request: Request, context: dict[str, Any], es: Elasticsearch) -> Response:
        """A network of accounts for the coordination page's parameters, as one file (`NetworkFile`)."""
        fmt = request.path_params["fmt"]
        query, by, window, min_repeats = coordination_inputs(request, context)
        if fmt not in NETWORK_FORMATS:
            raise NotFound(f"no network as .{fmt}: .gexf, .graphml or .csv")
        kind = request.query_params.get("kind") or "coordination"
        if kind not in NETWORK_KINDS:
            raise UsageError(f'unknown kind "{kind}"; choose one of: {", ".join(NETWORK_KINDS)}')
        network = network_file(
            es, settings.alias, query, fmt, kind=kind, by=by, window=window, min_repeats=min_repeats,
            limits=network_limits,
        )  # fmt: skip
        return Response(
            network.content,
            media_type=network.media_type,
            headers={
                "content-disposition": attachment(network.filename.rsplit(".", 1)[0], query, fmt),
                "x-accounts": str(network.accounts),
                "x-edges": str(network.edges),
            },
        )

    def _series(es: Elasticsearch, query: str | None, first: Hit | None, last: Hit | None) -> Timeline | None:
        """The tweets of a URL or an account over time, by an interval that suits their span."""
        if query is None or first is None or last is None or first.time is None or last.time is None:
            return None
        return timeline(es, settings.alias, query, interval=interval_for((last.time - first.time).days))

    routes = [
        Route("/", page(search_page), methods=["GET"]),
        Route("/url", page(url_page), methods=["GET"]),
        Route("/account/{name:path}", page(account_page), methods=["GET"]),
        Route("/tweet/{tweetid}", page(tweet_page), methods=["GET"]),
        Route("/download.{fmt:str}", page(download, limits.download_seconds), methods=["GET"]),
        Route("/quote", page(quote_page), methods=["GET"]),
        Route("/coordination", page(coordination_page), methods=["GET"]),
        Route("/coordination/network.{fmt:str}", page(network_download, limits.download_seconds), methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [Middleware(SecurityHeaders)]  # outermost: the refusal of a host carries the headers too
    if hosts is not None:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts), www_redirect=False))

    async def no_such_page(request: Request, exc: Exception) -> Response:
        """An address no route answers (404) or a method other than GET (405): the site's own error page (or
        the JSON twin's error), not a bare "Not Found" in plain text."""
        status = getattr(exc, "status_code", 404)
        said = "no such page on this site" if status == 404 else "this site only reads: every page is a GET"
        headers = dict(getattr(exc, "headers", None) or {})
        if wants_json(request):
            return Response(to_json({"error": said, "status": status}), status, headers, "application/json")
        context = {"alias": settings.alias, "took": {}, "error": said}
        return templates.TemplateResponse(request, "error.html", context, status_code=status, headers=headers)

    handlers = {404: no_such_page, 405: no_such_page, Exception: server_error}
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)


def utc_shown(moment: str) -> str:
    """An ISO 8601 time in UTC (`2016-10-07T14:32:05Z`, as the JSON twins carry it) as every page shows times:
    `2016-10-07 14:32:05 UTC`. Anything else is shown as it is."""
    if len(moment) >= 20 and moment[10] == "T" and moment.endswith("Z"):
        return f"{moment[:10]} {moment[11:-1]} UTC"
    return moment


def shown_value(value: Any) -> str:
    """An archived field as a reader reads it, never as Python writes it: `true`/`false` as JSON has them, lists
    one item after another, a point as `lat, lon`, counts with thousands separators (ids are strings, so they
    keep their digits as they are), nothing for a missing value; control characters shown (`terminal_safe`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(shown_value(item) for item in value)
    if isinstance(value, dict) and set(value) == {"lat", "lon"}:
        return f"{value['lat']}, {value['lon']}"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {shown_value(item)}" for key, item in value.items())
    return terminal_safe(str(value))


def served_hosts(hosts: Sequence[str] = ()) -> list[str]:
    """The `Host` names the application answers: the loopback names, and the ones `serve --host` named (an IPv6
    address in brackets, as a `Host` header carries it). A page elsewhere that points its own name at this
    machine (DNS rebinding) is refused (400), and no redirect ever names a host the server does not serve."""
    named = [f"[{host}]" if ":" in host and not host.startswith("[") else host for host in hosts]
    return list(dict.fromkeys([*LOOPBACK_HOSTS, *(host.lower() for host in named)]))


async def server_error(request: Request, exc: Exception) -> Response:
    """What an exception outside every page says (the pages catch their own): one line, no traceback, and the
    headers of every response (this one is made outside `SecurityHeaders`)."""
    return PlainTextResponse(
        "internal error: this is a bug in tweetsearch, please report it",
        status_code=500,
        headers={**SECURITY_HEADERS, "cache-control": NO_STORE},
    )


async def stop_when_gone(request: Request, bound: Bound) -> None:
    """Stops `bound` when the reader closes the connection before the answer is ready (a page is a GET: its
    request has no body, and the next message is the disconnect)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
    await anyio.to_thread.run_sync(bound.stop, "gone")


async def bounded_stream(chunks: AsyncIterator[Any], bound: Bound) -> AsyncIterator[Any]:
    """A download's chunks under its request's bound: a reader who leaves stops the export (and its searches on
    the server), and the deadline ends it short, which the browser reports as a failed download."""
    finished = False
    try:
        async for chunk in chunks:
            yield chunk
        finished = True
    finally:
        if finished:
            bound.finish()
        else:  # in a thread: cancelling the searches asks the server, and the event loop must not wait for it
            threading.Thread(target=bound.stop, args=("gone",), name="stop", daemon=True).start()


def interval_for(days: int) -> str:
    """A timeline interval that draws `days` of tweets in tens to a few hundred bars."""
    if days <= 120:
        return "day"
    if days <= 4 * 365:
        return "week"
    return "month"


def account_href(userid: str) -> str:
    """The account page's address; hashed ids hold `/`, `+` and `=`, so everything is escaped."""
    return "/account/" + quote(userid, safe="")


def account_link(count: Count) -> str:
    return account_href(count.value)


def url_link(count: Count) -> str:
    return url_link_to(count.value)


def item_link(item: SharedItem) -> tuple[str, str] | None:
    """Where a shared item leads, and the link's words: a search for the text as a phrase or for the hashtags,
    oldest first (who posted it first: the text as first posted, without `RT @x:` and t.co links); a link's URL
    page. None for a retweeted tweet (the query language has no operator for the retweeted tweet's id), a link
    whose address the report does not hold (a page of several addresses, named `YouTube video ID`), or a key no
    query text reads back as."""
    if item.kind == "text":
        phrase = phrase_text(normalise_quote(item.example)) if item.example else None
        return (_search_address(phrase, "oldest"), "every tweet with this text") if phrase else None
    if item.kind == "hashtags":
        tags = [operator_text("hashtag", tag) for tag in item.key.split()]
        if not tags or None in tags:
            return None
        return _search_address(" ".join(tag for tag in tags if tag), "oldest"), "every tweet with these hashtags"
    if item.kind == "url" and item.url:
        return url_link_to(item.url), "who shared this page"
    return None


def phrase_text(text: str) -> str | None:
    """`text` as one quoted phrase of the query language; None when no phrase reads back as it (a quote inside,
    nothing but punctuation)."""
    wanted = " ".join(text.split())
    candidate = f'"{wanted}"'
    try:
        return candidate if parse_query(candidate) == Phrase(wanted) else None
    except QuerySyntaxError:
        return None


def url_link_to(value: str) -> str:
    return "/url?" + urlencode({"u": value})


def _search_address(query: str, sort: str | None = None) -> str:
    """The search page of `query`. A facet's link adds its operator to the query as text: AND (a space) binds
    least in the query language, so `a OR b` narrowed stays `(a OR b) campaign:x`."""
    return "/?" + urlencode({"q": query, **({"sort": sort} if sort else {})})


def _address(request: Request, **changes: object) -> str:
    """This page's address, relative (it holds no host, so it works behind any proxy), with some parameters
    changed (None removes one)."""
    params = {**request.query_params, **{name: str(value) for name, value in changes.items() if value is not None}}
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
    return f"{request.url.path}?{urlencode(params)}" if params else request.url.path


NUMBER_DIGITS = 18
"""The most digits a number of the address may have: every count here fits in 18 digits, and Python refuses to
read a number of more than 4,300 (`int()` raises ValueError)."""


def _number(value: str | None, name: str, default: int, low: int, high: int | None) -> int:
    """A whole-number parameter of the address, or `UsageError` saying which and why (quoting at most the start
    of a long one)."""
    if value is None or value == "":
        return default
    digits = value.lstrip("0") or "0"
    if (
        not (value.isascii() and value.isdigit())
        or len(digits) > NUMBER_DIGITS
        or int(digits) < low
        or (high is not None and int(digits) > high)
    ):
        bounds = f"between {low} and {high}" if high is not None else f"{low} or more"
        shown = repr(value) if len(value) <= 40 else f"{value[:20]!r}... ({len(value):,} characters)"
        raise UsageError(f"{name} must be a whole number {bounds}, not {shown}")
    return int(digits)
