"""An invalid Host header is treated as absent wherever a URL is built from the request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from covet.asgi import CovetPy, Request, StaticFiles
from covet.asgi.middleware.httpsredirect import HTTPSRedirectMiddleware
from covet.asgi.testing import TestClient
from covet.asgi.url import URL, is_valid_host

INVALID_HOSTS = [
    *("[", "a]b", "evil.com/x?", "evil.com?x", "user@evil.com", "a b", "evil.com#frag"),
    *("[::g]", "[::1", "[1:2:3]", "host:99999", "host:123456", "", " "),
]
VALID_HOSTS = [
    *("example.com", "Example.COM:8000", "10.0.0.1", "[::1]", "[::1]:8000", "localhost:"),
    *("my_host.internal.", "xn--bcher-kva.example"),
]


@pytest.mark.parametrize("host", VALID_HOSTS)
def test_valid_hosts(host: str) -> None:
    assert is_valid_host(host)


@pytest.mark.parametrize("host", INVALID_HOSTS)
def test_invalid_hosts(host: str) -> None:
    assert not is_valid_host(host)


def _scope(host: str) -> dict[str, Any]:
    return {
        "type": "http",
        "scheme": "http",
        "method": "GET",
        "path": "/a",
        "query_string": b"",
        "server": ("127.0.0.1", 8000),
        "headers": [(b"host", host.encode("latin-1"))],
    }


@pytest.mark.parametrize("host", INVALID_HOSTS)
def test_url_from_scope_falls_back_to_the_server_for_an_invalid_host(host: str) -> None:
    url = URL(scope=_scope(host))
    assert str(url) == "http://127.0.0.1:8000/a"
    assert url.hostname == "127.0.0.1"
    assert url.replace(path="/b").port == 8000


def make_app(static: Path) -> CovetPy:
    app = CovetPy()

    @app.get("/users")
    async def users() -> Any:
        return []

    @app.get("/where")
    async def where(request: Request) -> Any:
        return {"url": str(request.url_for("users")), "self": str(request.url)}

    app.mount("/static", StaticFiles(directory=static, html=True))
    return app


@pytest.mark.parametrize("host", ["[", "a]b", "evil.com/x?", "user@evil.com"])
def test_an_invalid_host_never_crashes_a_url_nor_reaches_location(
    tmp_path: Path, host: str
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.html").write_text("<p>docs</p>")
    client = TestClient(make_app(tmp_path), base_url="http://testserver")
    headers = {"host": host}

    slash = client.get("/users/", headers=headers, follow_redirects=False)
    assert slash.status_code == 307
    index = client.get("/static/docs", headers=headers, follow_redirects=False)
    assert index.status_code == 307
    for location in (slash.headers["location"], index.headers["location"]):
        assert "evil" not in location
        assert location.startswith("http://testserver/")

    where = client.get("/where", headers=headers)
    assert where.status_code == 200
    assert where.json() == {"url": "http://testserver/users", "self": "http://testserver/where"}

    https = TestClient(HTTPSRedirectMiddleware(make_app(tmp_path)), base_url="http://testserver")
    secure = https.get("/users", headers=headers, follow_redirects=False)
    assert secure.headers["location"] == "https://testserver/users"
