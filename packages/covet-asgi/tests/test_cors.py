"""CORSMiddleware: simple responses, preflights, origins by list and regex, caches."""

from __future__ import annotations

from typing import Any

import pytest

from covet.asgi import CORSMiddleware, CovetPy, PlainTextResponse, Request
from covet.asgi.testing import TestClient
from covet.asgi.types import Message, Receive, Scope, Send

SITE = "https://app.example"


def make_client(**options: Any) -> tuple[TestClient, list[str]]:
    """A client for an app behind CORSMiddleware, and the list of methods the app saw."""
    app = CovetPy()
    app.add_middleware(CORSMiddleware, **options)
    seen: list[str] = []

    @app.route("/", methods=["GET", "POST", "PUT", "OPTIONS"])
    async def index(request: Request) -> PlainTextResponse:
        seen.append(request.method)
        return PlainTextResponse("app", headers={"x-total": "3"})

    @app.get("/varies")
    async def varies() -> PlainTextResponse:
        return PlainTextResponse("varies", headers={"vary": "Accept-Language"})

    return TestClient(app), seen


def preflight(
    client: TestClient, origin: str = SITE, method: str = "GET", headers: str | None = None
) -> Any:
    request_headers = {"origin": origin, "access-control-request-method": method}
    if headers is not None:
        request_headers["access-control-request-headers"] = headers
    return client.options("/", headers=request_headers)


# --- simple (actual) requests ---------------------------------------------------------------


def test_an_allowed_origin_is_echoed_with_vary_origin() -> None:
    client, _ = make_client(allow_origins=[SITE])
    response = client.get("/", headers={"origin": SITE})
    assert response.text == "app"
    assert response.headers["access-control-allow-origin"] == SITE
    assert response.headers["vary"] == "Origin"
    assert "access-control-allow-credentials" not in response.headers


def test_a_refused_origin_gets_the_body_but_no_permission_and_still_vary() -> None:
    # The browser, not the server, withholds the body; Vary stops a cache from reusing the
    # refusal for an allowed origin.
    client, seen = make_client(allow_origins=[SITE])
    response = client.get("/", headers={"origin": "https://other.example"})
    assert response.status_code == 200
    assert seen == ["GET"]
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["vary"] == "Origin"


def test_any_origin_is_answered_with_a_star_and_no_vary() -> None:
    client, _ = make_client(allow_origins=["*"])
    response = client.get("/", headers={"origin": "https://anyone.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "vary" not in response.headers


def test_credentials_echo_the_origin_never_a_star_and_vary() -> None:
    client, _ = make_client(allow_origins=[SITE], allow_credentials=True)
    response = client.get("/", headers={"origin": SITE, "cookie": "session=1"})
    assert response.headers["access-control-allow-origin"] == SITE
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["vary"] == "Origin"


def test_credentials_with_a_regex_echo_the_matching_origin() -> None:
    client, _ = make_client(allow_origin_regex=r"https://.*\.example\.com", allow_credentials=True)
    response = client.get("/", headers={"origin": "https://shop.example.com"})
    assert response.headers["access-control-allow-origin"] == "https://shop.example.com"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["vary"] == "Origin"


def test_vary_is_merged_with_the_applications_own() -> None:
    client, _ = make_client(allow_origins=[SITE])
    response = client.get("/varies", headers={"origin": SITE})
    assert response.headers.get_list("vary") == ["Accept-Language, Origin"]


def test_exposed_headers_are_listed() -> None:
    client, _ = make_client(allow_origins=[SITE], expose_headers=["X-Total", "X-Page"])
    response = client.get("/", headers={"origin": SITE})
    assert response.headers["access-control-expose-headers"] == "X-Total, X-Page"
    refused = client.get("/", headers={"origin": "https://other.example"})
    assert "access-control-expose-headers" not in refused.headers


def test_a_request_without_origin_reaches_the_app_without_permissions() -> None:
    client, seen = make_client(allow_origins=[SITE], allow_credentials=True)
    response = client.get("/")
    assert response.text == "app"
    assert seen == ["GET"]
    assert not [name for name in response.headers if name.startswith("access-control-")]
    # Only what caches need: this answer was chosen by the (absent) Origin.
    assert response.headers["vary"] == "Origin"


def test_a_request_without_origin_under_star_says_star() -> None:
    # A cache may hand this response to a cross-origin page later; with "*" it must work there.
    client, _ = make_client(allow_origins=["*"])
    response = client.get("/")
    assert response.headers["access-control-allow-origin"] == "*"
    assert "vary" not in response.headers


def test_configured_origins_compare_in_the_lower_case_browsers_send() -> None:
    client, _ = make_client(allow_origins=["https://App.Example"])
    response = client.get("/", headers={"origin": SITE})
    assert response.headers["access-control-allow-origin"] == SITE


# --- origins by regex -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://api.example.com", True),
        ("https://a.b.example.com", True),
        ("https://evil.example.com.attacker.net", False),  # a prefix match is not enough
        ("https://example.com", False),
        ("http://api.example.com", False),
        ("https://api.example.comm", False),
        ("https://listed.example", True),  # the list still counts alongside the regex
    ],
)
def test_the_origin_regex_must_match_the_whole_origin(origin: str, allowed: bool) -> None:
    client, _ = make_client(
        allow_origins=["https://listed.example"], allow_origin_regex=r"https://.*\.example\.com"
    )
    response = client.get("/", headers={"origin": origin})
    assert (response.headers.get("access-control-allow-origin") == origin) is allowed
    assert response.headers["vary"] == "Origin"


# --- preflight --------------------------------------------------------------------------------


def test_an_allowed_preflight_is_answered_without_reaching_the_app() -> None:
    client, seen = make_client(
        allow_origins=[SITE], allow_methods=["GET", "post"], allow_headers=["X-Token"]
    )
    response = preflight(client, method="POST", headers="X-Token, Content-Type")
    assert response.status_code == 200
    assert response.text == "OK"
    assert seen == []
    assert response.headers["access-control-allow-origin"] == SITE
    assert response.headers["access-control-allow-methods"] == "GET, POST"
    allowed = response.headers["access-control-allow-headers"].split(", ")
    assert allowed == ["accept", "accept-language", "content-language", "content-type", "x-token"]
    assert response.headers["access-control-max-age"] == "600"
    assert response.headers["vary"] == "Origin"
    assert "access-control-allow-credentials" not in response.headers


def test_preflight_header_names_compare_case_insensitively() -> None:
    client, _ = make_client(allow_origins=[SITE], allow_headers=["x-token"])
    assert preflight(client, headers="X-TOKEN").status_code == 200

    response = preflight(client, headers="X-Token, X-Other, x-more")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Disallowed CORS preflight: headers 'x-other', 'x-more'"
    assert "access-control-allow-origin" not in response.headers


def test_a_refused_preflight_names_the_origin_and_the_method() -> None:
    client, seen = make_client(allow_origins=[SITE])
    response = preflight(client, origin="https://evil.example", method="DELETE")
    assert response.status_code == 400
    assert response.text == (
        "Disallowed CORS preflight: origin 'https://evil.example'; method 'DELETE'"
    )
    assert response.headers["vary"] == "Origin"
    assert "access-control-allow-origin" not in response.headers
    assert seen == []


def test_a_preflight_for_an_allowed_origin_and_a_refused_method_is_refused() -> None:
    client, _ = make_client(allow_origins=[SITE], allow_methods=["GET"])
    response = preflight(client, method="PUT")
    assert response.status_code == 400
    assert response.text == "Disallowed CORS preflight: method 'PUT'"
    assert "access-control-allow-origin" not in response.headers


def test_wildcard_methods_and_headers_echo_the_request() -> None:
    client, _ = make_client(
        allow_origins=[SITE],
        allow_methods=["*"],
        allow_headers=["*"],
        allow_credentials=True,
        max_age=60,
    )
    response = preflight(client, method="PATCH", headers="X-Anything, Authorization")
    assert response.status_code == 200
    assert response.headers["access-control-allow-methods"] == "PATCH"
    assert response.headers["access-control-allow-headers"] == "x-anything, authorization"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["access-control-max-age"] == "60"


def test_wildcard_headers_without_requested_headers_send_none() -> None:
    client, _ = make_client(allow_origins=["*"], allow_headers=["*"])
    response = preflight(client)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-headers" not in response.headers
    assert "vary" not in response.headers


def test_options_without_request_method_is_not_a_preflight() -> None:
    client, seen = make_client(allow_origins=[SITE])
    response = client.options("/", headers={"origin": SITE})
    assert response.text == "app"
    assert seen == ["OPTIONS"]
    assert response.headers["access-control-allow-origin"] == SITE


def test_options_without_origin_is_not_a_preflight() -> None:
    client, seen = make_client(allow_origins=[SITE])
    response = client.options("/", headers={"access-control-request-method": "GET"})
    assert response.text == "app"
    assert seen == ["OPTIONS"]


# --- configuration errors -----------------------------------------------------------------------


def test_star_with_credentials_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="browsers reject") as caught:
        CORSMiddleware(PlainTextResponse("x"), allow_origins=["*"], allow_credentials=True)
    assert "allow_credentials=True" in str(caught.value)


@pytest.mark.parametrize("regex", [".*", ".+", "https?://.*", r"https://[^/]+", "(?s).*", "null"])
def test_a_regex_accepting_any_site_with_credentials_is_refused(regex: str) -> None:
    # With credentials the matching origin is echoed: a catch-all regex would be "*" without
    # the refusal browsers apply to "*", letting https://attacker.example read user data.
    with pytest.raises(ValueError, match="any site could read credentialed responses"):
        CORSMiddleware(PlainTextResponse("x"), allow_origin_regex=regex, allow_credentials=True)
    # Without credentials it is only a wide policy, and allowed.
    middleware = CORSMiddleware(PlainTextResponse("x"), allow_origin_regex=regex)
    assert middleware.allow_origin_regex is not None


def test_null_with_credentials_is_refused() -> None:
    with pytest.raises(ValueError, match="sandboxed iframes"):
        CORSMiddleware(PlainTextResponse("x"), allow_origins=["null", SITE], allow_credentials=True)


def test_an_anchored_regex_with_credentials_is_accepted() -> None:
    middleware = CORSMiddleware(
        PlainTextResponse("x"),
        allow_origin_regex=r"https://(app|admin)\.example\.com",
        allow_credentials=True,
    )
    assert middleware.allowed_origin("https://attacker.example") is None
    assert middleware.allowed_origin("https://app.example.com") == "https://app.example.com"


@pytest.mark.parametrize(
    "origin", ["https://app.example/", "app.example", "https://app.example/path", ""]
)
def test_an_origin_that_could_never_match_is_refused(origin: str) -> None:
    with pytest.raises(ValueError, match="scheme://host"):
        CORSMiddleware(PlainTextResponse("x"), allow_origins=[origin])


def test_a_single_string_instead_of_a_list_is_refused() -> None:
    with pytest.raises(TypeError, match="list of origins"):
        CORSMiddleware(PlainTextResponse("x"), allow_origins=SITE)


def test_null_and_ports_are_valid_origins() -> None:
    middleware = CORSMiddleware(
        PlainTextResponse("x"), allow_origins=["null", "http://localhost:3000"]
    )
    assert middleware.allowed_origin("null") == "null"
    assert middleware.allowed_origin("http://localhost:3000") == "http://localhost:3000"
    assert middleware.allowed_origin("http://localhost:3001") is None


# --- other scopes -------------------------------------------------------------------------------


async def test_non_http_scopes_pass_through_untouched() -> None:
    seen: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)
        await send({"type": "websocket.close", "code": 1000})

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    scope = {"type": "websocket", "headers": [(b"origin", b"https://evil.example")]}
    await CORSMiddleware(app, allow_origins=[SITE])(scope, receive, send)
    assert seen == [scope]
    assert sent == [{"type": "websocket.close", "code": 1000}]


def test_error_responses_from_inside_the_stack_carry_cors_headers() -> None:
    client, _ = make_client(allow_origins=[SITE])
    response = client.get("/missing", headers={"origin": SITE})
    assert response.status_code == 404
    assert response.headers["access-control-allow-origin"] == SITE
