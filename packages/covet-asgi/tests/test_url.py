"""covet/asgi/url.py: URL, from a string or a scope, and Address."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covet.asgi.url import URL, Address

# --- URL -----------------------------------------------------------------------------------


def test_url_parts() -> None:
    url = URL("https://user:pw@Example.COM:8443/a/b?x=1&y=2#top")
    assert url.scheme == "https"
    assert url.netloc == "user:pw@Example.COM:8443"
    assert url.hostname == "example.com"
    assert url.port == 8443
    assert url.path == "/a/b"
    assert url.query == "x=1&y=2"
    assert url.fragment == "top"
    assert url.is_secure
    assert not URL("http://example.com/").is_secure
    assert URL("wss://example.com/").is_secure


def test_url_equals_its_string_and_hashes_like_it() -> None:
    url = URL("http://example.com/a")
    assert url == "http://example.com/a"
    assert url == URL("http://example.com/a")
    assert url != "http://example.com/b"
    assert url != 42
    assert {url: 1}[URL("http://example.com/a")] == 1
    assert str(url) == "http://example.com/a"
    assert repr(url) == "URL('http://example.com/a')"


def test_replace_changes_only_the_parts_given() -> None:
    url = URL("http://user@example.com:8000/a?x=1#f")
    assert url.replace(scheme="https") == "https://user@example.com:8000/a?x=1#f"
    assert url.replace(path="/b", query="", fragment="") == "http://user@example.com:8000/b"
    assert url.replace(port=9000) == "http://user@example.com:9000/a?x=1#f"
    assert url.replace(hostname="other.org") == "http://user@other.org:8000/a?x=1#f"
    assert url.replace(netloc="example.com") == "http://example.com/a?x=1#f"
    assert URL("http://example.com/").replace(hostname="::1", port=80) == "http://[::1]:80/"
    assert URL("http://example.com/a").replace(hostname="b.org") == "http://b.org/a"


def test_include_query_params_replaces_and_adds() -> None:
    url = URL("/items?page=1&tag=a&tag=b")
    assert url.include_query_params(page=2) == "/items?tag=a&tag=b&page=2"
    assert url.include_query_params(tag="c", q="x y") == "/items?page=1&tag=c&q=x+y"


def _scope(**overrides: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": "http",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "root_path": "",
        "path": "/users/7",
        "query_string": b"",
        "headers": [],
    }
    scope.update(overrides)
    return scope


def test_url_from_scope_prefers_the_host_header() -> None:
    scope = _scope(headers=[(b"host", b"example.com:8080")], query_string=b"a=1&b=2")
    assert URL(scope=scope) == "http://example.com:8080/users/7?a=1&b=2"


def test_url_from_scope_falls_back_to_the_server_address() -> None:
    assert URL(scope=_scope()) == "http://127.0.0.1:8000/users/7"
    assert URL(scope=_scope(scheme="https", server=("example.com", 443))) == (
        "https://example.com/users/7"
    )
    assert URL(scope=_scope(server=("::1", 8000))) == "http://[::1]:8000/users/7"
    assert URL(scope=_scope(server=("unix.sock", None))) == "http://unix.sock/users/7"


def test_url_from_scope_without_any_host_is_relative() -> None:
    assert URL(scope=_scope(server=None)) == "/users/7"


def test_url_from_scope_percent_encodes_the_decoded_path() -> None:
    url = URL(scope=_scope(path="/café/a b/100%"))
    assert url.path == "/caf%C3%A9/a%20b/100%25"


def test_url_from_scope_includes_the_root_path_once() -> None:
    # The ASGI spec puts the mount prefix in both keys; older servers left it out of "path".
    assert URL(scope=_scope(root_path="/api", path="/api/users")).path == "/api/users"
    assert URL(scope=_scope(root_path="/api", path="/users")).path == "/api/users"


def test_url_takes_a_string_or_a_scope_not_both() -> None:
    with pytest.raises(TypeError, match="not both"):
        URL("http://example.com/", scope=_scope())


@given(st.text(max_size=40))
def test_url_from_any_scope_path_is_a_valid_url(path: str) -> None:
    url = URL(scope=_scope(path="/" + path))
    assert " " not in str(url)
    assert url.path.startswith("/")


# --- Address --------------------------------------------------------------------------------------


def test_address_is_a_named_pair() -> None:
    address = Address("127.0.0.1", 50000)
    assert address.host == "127.0.0.1"
    assert address.port == 50000
    host, port = address
    assert (host, port) == ("127.0.0.1", 50000)
