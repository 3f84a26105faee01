"""TrustedHostMiddleware: host patterns, how the Host header is read, www, websockets."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from covet.asgi import CovetPy, Request, TrustedHostMiddleware
from covet.asgi.middleware.trustedhost import host_from_header
from covet.asgi.testing import TestClient
from covet.asgi.types import Message, Receive, Scope, Send


def make_client(allowed_hosts: Sequence[str], **options: bool) -> TestClient:
    app = CovetPy()
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts, **options)

    @app.route("/{path:path}", methods=["GET", "POST"])
    async def echo(request: Request, path: str) -> dict[str, str]:
        return {"path": path, "host": request.headers["host"]}

    return TestClient(app)


def status_for(host: str, allowed_hosts: Sequence[str]) -> int:
    return make_client(allowed_hosts).get("/x", headers={"host": host}).status_code


# --- reading the Host header ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "host"),
    [
        ("example.com", "example.com"),
        ("example.com:8000", "example.com"),
        ("EXAMPLE.Com", "example.com"),
        ("example.com.", "example.com"),
        ("example.com.:443", "example.com"),
        ("example.com:", "example.com"),  # an empty port is allowed by RFC 3986
        ("127.0.0.1:8000", "127.0.0.1"),
        ("[::1]:8000", "::1"),
        ("[0:0::1]", "::1"),
        ("[2001:DB8::1]:443", "2001:db8::1"),
        (None, None),
        ("", None),
        ("example.com:abc", None),
        ("evil.com/x.example.com", None),
        ("user@example.com", None),
        ("a..example.com", None),
        (".example.com", None),
        ("[::1", None),
        ("[not-an-ip]:80", None),
        ("::1", None),  # IPv6 needs brackets in a Host header
        ("example.com:80:80", None),
    ],
)
def test_host_from_header(value: str | None, host: str | None) -> None:
    assert host_from_header(value) == host


# --- matching -----------------------------------------------------------------------------------


def test_an_allowed_host_reaches_the_app() -> None:
    response = make_client(["example.com"]).get("/x", headers={"host": "example.com"})
    assert response.status_code == 200
    assert response.json() == {"path": "x", "host": "example.com"}


def test_a_host_not_allowed_gets_400() -> None:
    response = make_client(["example.com"]).get("/x", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert response.text == "Invalid host header"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "host", ["example.com:8000", "EXAMPLE.COM", "Example.com:443", "example.com."]
)
def test_port_case_and_final_dot_do_not_matter(host: str) -> None:
    assert status_for(host, ["example.com"]) == 200


def test_patterns_compare_case_insensitively_too() -> None:
    assert status_for("example.com", ["Example.COM"]) == 200
    assert status_for("api.example.com", ["*.Example.com"]) == 200


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("api.example.com", 200),
        ("a.b.example.com:8000", 200),
        ("example.com", 400),  # the wildcard needs a subdomain
        ("evilexample.com", 400),  # a suffix of letters is not a subdomain
        ("example.com.evil.net", 400),
    ],
)
def test_a_wildcard_matches_subdomains_only(host: str, status: int) -> None:
    assert status_for(host, ["*.example.com"]) == status


def test_the_bare_domain_is_allowed_when_listed_beside_the_wildcard() -> None:
    assert status_for("example.com", ["*.example.com", "example.com"]) == 200


@pytest.mark.parametrize("pattern", ["::1", "[::1]", "0:0:0:0:0:0:0:1"])
def test_ipv6_hosts_match_in_any_written_form(pattern: str) -> None:
    client = make_client([pattern], www_redirect=False)
    assert client.get("/x", headers={"host": "[::1]:8000"}).status_code == 200
    assert client.get("/x", headers={"host": "[::2]:8000"}).status_code == 400


def test_ipv4_hosts() -> None:
    assert status_for("127.0.0.1:8000", ["127.0.0.1"]) == 200
    assert status_for("127.0.0.2", ["127.0.0.1"]) == 400


@pytest.mark.parametrize("host", ["example.com:abc", "evil.com/x.example.com", "[::1"])
def test_a_malformed_host_gets_400(host: str) -> None:
    # The slash would otherwise end the host part of a URL built from this header.
    assert status_for(host, ["*.example.com", "example.com", "::1"]) == 400


async def test_a_missing_host_gets_400() -> None:
    reached: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope)

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
    await TrustedHostMiddleware(app, allowed_hosts=["example.com"])(scope, receive, send)
    assert reached == []
    assert sent[0]["status"] == 400
    assert sent[1]["body"] == b"Invalid host header"


def test_the_default_star_lets_everything_through() -> None:
    client = make_client(["*"])
    assert client.get("/x", headers={"host": "anything.example:1"}).status_code == 200
    assert client.get("/x", headers={"host": "not a host"}).status_code == 200


async def test_star_lets_a_request_without_host_through() -> None:
    reached: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope)

    async def receive() -> Message:
        raise AssertionError("not called")

    async def send(message: Message) -> None:
        raise AssertionError("not called")

    scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
    await TrustedHostMiddleware(app)(scope, receive, send)
    assert reached == [scope]


# --- www redirect -------------------------------------------------------------------------------


def test_the_bare_name_redirects_to_the_www_name() -> None:
    client = make_client(["www.example.com"])
    response = client.post("/a/b?q=1", headers={"host": "example.com:8000"})
    assert response.status_code == 307
    assert response.headers["location"] == "http://www.example.com:8000/a/b?q=1"


def test_www_redirect_can_be_turned_off() -> None:
    client = make_client(["www.example.com"], www_redirect=False)
    assert client.get("/", headers={"host": "example.com"}).status_code == 400


def test_only_an_exact_www_name_redirects() -> None:
    # "*.example.com" allows www.example.com, but the bare name is a different site.
    assert status_for("example.com", ["*.example.com"]) == 400
    assert status_for("other.com", ["www.example.com"]) == 400


# --- configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [
        "example.com:8000",
        "https://example.com",
        "*example.com",
        "ex*ample.com",
        "*.*.example.com",
        "",
        "example.com/",
        "[::1]:80",
    ],
)
def test_a_pattern_that_cannot_match_is_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="invalid host pattern"):
        TrustedHostMiddleware(make_client(["*"]).app, allowed_hosts=[pattern])


def test_a_single_string_instead_of_a_list_is_refused() -> None:
    with pytest.raises(TypeError, match="list of patterns"):
        TrustedHostMiddleware(make_client(["*"]).app, allowed_hosts="example.com")


# --- websockets and other scopes --------------------------------------------------------------


async def run_websocket(host: str) -> tuple[list[str], list[Message]]:
    reached: list[str] = []
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope["type"])
        await receive()
        await send({"type": "websocket.accept"})

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/ws", "headers": [(b"host", host.encode())]}
    middleware = TrustedHostMiddleware(app, allowed_hosts=["www.example.com"])
    await middleware(scope, receive, send)
    return reached, sent


async def test_a_websocket_for_an_allowed_host_is_let_through() -> None:
    reached, sent = await run_websocket("www.example.com")
    assert reached == ["websocket"]
    assert sent == [{"type": "websocket.accept"}]


@pytest.mark.parametrize("host", ["evil.example", "example.com"])
async def test_a_websocket_for_another_host_is_closed_with_1008(host: str) -> None:
    # No www redirect either: browsers do not follow redirects on a handshake.
    reached, sent = await run_websocket(host)
    assert reached == []
    assert sent == [{"type": "websocket.close", "code": 1008}]


async def test_non_http_scopes_reach_the_app() -> None:
    reached: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope["type"])

    async def receive() -> Message:
        raise AssertionError("not called")

    async def send(message: Message) -> None:
        raise AssertionError("not called")

    middleware = TrustedHostMiddleware(app, allowed_hosts=["example.com"])
    await middleware({"type": "lifespan"}, receive, send)
    assert reached == ["lifespan"]
