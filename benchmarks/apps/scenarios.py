"""The HTTP scenarios: one request each, and the one answer every framework must give.

The body of every answer is fixed here, byte for byte: a framework whose app answers anything
else is refused before it is timed, so no framework is measured doing less work.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SCENARIOS", "Scenario", "ROUTE_COUNT"]

#: How many routes the ``routes_100`` apps register; the request goes to the last one.
ROUTE_COUNT = 100


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
    )
}  # fmt: skip
