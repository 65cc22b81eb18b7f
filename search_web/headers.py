"""The headers every response carries, whoever made it: a page, an error (400, 404, 405, 500), a static file, or
the refusal of a `Host` the server does not serve.

Set in one ASGI middleware around the whole application rather than by each route, so that no response escapes
them: Starlette's own 404 and 405, `StaticFiles` and `TrustedHostMiddleware` answer before any route runs.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-resource-policy": "same-origin",
}
"""No inline script or style, nothing loaded from elsewhere (the tool runs offline), not framed, no archive
address leaked to the sites its links lead to, and nothing of it readable by another site's page."""
NO_STORE = "no-store"
"""Pages, their JSON twins and downloads: what a journalist searched for stays out of every cache."""
STATIC_CACHE = "public, max-age=3600"
"""The style sheet, the script and the icon: the same for everyone, kept an hour (they change with a release)."""
STATIC_PREFIX = "/static/"


class SecurityHeaders:
    """Adds `SECURITY_HEADERS` and a `Cache-Control` to every HTTP response of the wrapped application."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(SECURITY_HEADERS)
                if "cache-control" not in headers:
                    ok = static and message["status"] in (200, 304)
                    headers["cache-control"] = STATIC_CACHE if ok else NO_STORE
            await send(message)

        await self.app(scope, receive, send_with_headers)
