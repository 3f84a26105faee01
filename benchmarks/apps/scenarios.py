"""The HTTP scenarios: one request each, and the one answer every framework must give.

The body of every answer is fixed here, byte for byte: a framework whose app answers anything
else is refused before it is timed, so no framework is measured doing less work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ALLOWED_HOSTS",
    "ALLOWED_ORIGINS",
    "REALISTIC_ROUTES",
    "ROUTE_COUNT",
    "SCENARIOS",
    "Scenario",
    "add_routes",
]

#: How many routes the ``routes_100`` apps register; the request goes to the last one.
ROUTE_COUNT = 100

#: The ``realistic_app`` middleware's settings, the same in every framework: TrustedHost
#: accepts these hosts, CORS this origin (the one the scenario's request comes from).
ALLOWED_HOSTS = ("127.0.0.1", "localhost")
ALLOWED_ORIGINS = ("http://localhost:3000",)

#: The realistic app's routes: every path of the suite once, in the demo style where it has one.
REALISTIC_ROUTES = (
    "demo_plaintext", "json", "demo_path_param", "query_params", "post_body", "routes_100",
)  # fmt: skip


def add_routes(app: Any, scenario: str, routes: Mapping[str, Callable[[Any], None]]) -> None:
    """Register ``scenario``'s routes on ``app`` (the realistic app: every route of the suite).

    For the apps that register routes by calling a function per scenario on the app
    (CovetPy and FastAPI); ``routes`` maps each scenario to that function.
    """
    names = REALISTIC_ROUTES if scenario == "realistic_app" else (scenario,)
    for name in names:
        if name not in routes:
            raise ValueError(f"unknown scenario {scenario!r}")
        routes[name](app)


@dataclass(frozen=True)
class Scenario:
    """One request and the response it must get."""

    name: str
    title: str
    method: str
    path: str
    query: str
    body: bytes
    status: int
    response_body: bytes
    media_type: str
    #: Request headers beyond the ones every request carries (host, user-agent, accept).
    headers: tuple[tuple[str, str], ...] = ()
    #: False when the bare ASGI app has no equivalent (it shows "-" in the tables).
    bare: bool = True

    @property
    def target(self) -> str:
        """The request target as a client sends it: path and query string."""
        return f"{self.path}?{self.query}" if self.query else self.path


POST_BODY = b'{"name":"widget","price":9.5,"tags":["blue","small"]}'

SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario(
            "plaintext", "plaintext", "GET", "/plaintext", "", b"",
            200, b"Hello, World!", "text/plain",
        ),
        Scenario(
            "json", "small JSON", "GET", "/json", "", b"",
            200, b'{"message":"Hello, World!"}', "application/json",
        ),
        Scenario(
            "path_param", "path parameter (int)", "GET", "/users/123", "", b"",
            200, b'{"id":123,"name":"User 123"}', "application/json",
        ),
        Scenario(
            "query_params", "query parameters", "GET", "/search", "q=covet&page=2&size=10", b"",
            200, b'{"q":"covet","page":2,"size":10}', "application/json",
        ),
        Scenario(
            "post_body", "POST JSON body (pydantic)", "POST", "/items", "", POST_BODY,
            200, POST_BODY, "application/json",
        ),
        Scenario(
            "routes_100", f"last of {ROUTE_COUNT} routes", "GET",
            f"/resource{ROUTE_COUNT - 1}/42", "", b"",
            200, b'{"route":99,"id":42}', "application/json",
        ),
        Scenario(
            "middleware_3", "3 middlewares", "GET", "/plaintext", "", b"",
            200, b"Hello, World!", "text/plain",
        ),
        # The launch demo's style: the handler takes ``request`` first, whether it reads it
        # or not (``async def get_user(request, user_id: int)``). Each peer writes the same
        # handler the way its documentation does when it takes the request.
        Scenario(
            "demo_plaintext", "demo style: plaintext", "GET", "/plaintext", "", b"",
            200, b"Hello, World!", "text/plain",
        ),
        Scenario(
            "demo_path_param", "demo style: path parameter", "GET", "/users/123", "", b"",
            200, b'{"id":123,"name":"User 123"}', "application/json",
        ),
        # Every route above in one app (the demo style where it has one) behind TrustedHost,
        # CORS and GZip; a browser's cross-origin request that accepts gzip (the answer is
        # under GZip's 500-byte minimum, so it goes out uncompressed, as small JSON does).
        Scenario(
            "realistic_app", "realistic app (all routes, 3 middlewares)", "GET",
            "/users/123", "", b"",
            200, b'{"id":123,"name":"User 123"}', "application/json",
            headers=(("origin", ALLOWED_ORIGINS[0]), ("accept-encoding", "gzip, deflate")),
            bare=False,
        ),
    )
}  # fmt: skip
