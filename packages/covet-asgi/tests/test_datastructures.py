"""covet.asgi.datastructures: headers, query parameters, URLs, addresses, state."""

from __future__ import annotations

import copy
import pickle
from typing import Any
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covet.asgi.datastructures import (
    URL,
    Address,
    Headers,
    MutableHeaders,
    QueryParams,
    State,
    parse_query_string,
)

# --- Headers -------------------------------------------------------------------------------


def test_lookup_ignores_case() -> None:
    headers = Headers({"Content-Type": "text/html"})
    assert headers["content-type"] == "text/html"
    assert headers["CONTENT-TYPE"] == "text/html"
    assert "Content-type" in headers
    assert headers.raw == [(b"content-type", b"text/html")]


def test_raw_names_are_lower_cased_because_servers_may_keep_the_senders_case() -> None:
    headers = Headers(raw=[(b"X-Request-ID", b"abc"), (b"Accept", b"*/*")])
    assert headers["x-request-id"] == "abc"
    assert headers.raw == [(b"x-request-id", b"abc"), (b"accept", b"*/*")]


def test_a_repeated_field_keeps_every_value_and_getitem_gives_the_first() -> None:
    headers = Headers(
        raw=[(b"accept", b"text/html"), (b"host", b"example.com"), (b"accept", b"*/*")]
    )
    assert headers["accept"] == "text/html"
    assert headers.getlist("Accept") == ["text/html", "*/*"]
    assert headers.getlist("missing") == []
    assert len(headers) == 3
    assert list(headers) == ["accept", "host", "accept"]
    assert headers.keys() == ["accept", "host", "accept"]
    assert headers.values() == ["text/html", "example.com", "*/*"]
    assert headers.items() == [
        ("accept", "text/html"),
        ("host", "example.com"),
        ("accept", "*/*"),
    ]


def test_missing_field_raises_key_error_and_get_has_a_default() -> None:
    headers = Headers()
    with pytest.raises(KeyError, match="authorization"):
        headers["authorization"]
    assert headers.get("authorization") is None
    assert headers.get("authorization", "none") == "none"
    not_a_name: object = 42
    assert not_a_name not in headers


def test_values_are_latin1_so_every_byte_survives() -> None:
    headers = Headers(raw=[(b"x-bytes", b"caf\xe9 \xff")])
    assert headers["x-bytes"] == "café ÿ"
    assert Headers({"x-bytes": "café ÿ"}).raw == [(b"x-bytes", b"caf\xe9 \xff")]


def test_built_from_a_scope_with_list_pairs() -> None:
    scope: dict[str, Any] = {"headers": [[b"host", b"example.com"]]}  # lists are allowed too
    assert Headers(scope=scope)["host"] == "example.com"


def test_only_one_source_may_be_given() -> None:
    with pytest.raises(TypeError, match="only one"):
        Headers({"a": "b"}, raw=[])


def test_equality_ignores_the_order_of_names_but_not_of_one_names_values() -> None:
    a = Headers(raw=[(b"a", b"1"), (b"b", b"2"), (b"a", b"3")])
    assert a == Headers(raw=[(b"b", b"2"), (b"A", b"1"), (b"a", b"3")])
    assert a != Headers(raw=[(b"a", b"3"), (b"b", b"2"), (b"a", b"1")])
    assert a != {"a": "1", "b": "2"}


def test_repr_can_be_read_back() -> None:
    assert repr(Headers({"a": "1"})) == "Headers({'a': '1'})"
    assert repr(Headers(raw=[(b"a", b"1"), (b"a", b"2")])) == (
        "Headers(raw=[(b'a', b'1'), (b'a', b'2')])"
    )


@pytest.mark.parametrize("value", ["ok\r\nSet-Cookie: evil=1", "ok\nx", "nul\0"])
def test_header_injection_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        Headers({"x-note": value})
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        MutableHeaders().append("x-note", value)


def test_text_outside_latin1_is_refused_with_advice() -> None:
    with pytest.raises(ValueError, match="percent-encode"):
        MutableHeaders()["x-name"] = "日本"


@given(st.lists(st.tuples(st.binary(max_size=20), st.binary(max_size=20)), max_size=8))
def test_any_raw_bytes_can_be_read(raw: list[tuple[bytes, bytes]]) -> None:
    headers = Headers(raw=raw)
    assert len(headers.items()) == len(raw)
    for name, value in raw:
        assert value.decode("latin-1") in headers.getlist(name.decode("latin-1"))


# --- MutableHeaders ------------------------------------------------------------------------


def test_setitem_replaces_every_value_in_place_of_the_first() -> None:
    headers = MutableHeaders(raw=[(b"a", b"1"), (b"vary", b"x"), (b"a", b"2")])
    headers["A"] = "3"
    assert headers.raw == [(b"a", b"3"), (b"vary", b"x")]
    headers["new"] = "value"
    assert headers.raw == [(b"a", b"3"), (b"vary", b"x"), (b"new", b"value")]


def test_append_keeps_existing_values() -> None:
    headers = MutableHeaders()
    headers.append("Set-Cookie", "a=1")
    headers.append("set-cookie", "b=2")
    assert headers.raw == [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")]


def test_delitem_removes_every_value_and_refuses_a_missing_name() -> None:
    headers = MutableHeaders(raw=[(b"a", b"1"), (b"b", b"2"), (b"a", b"3")])
    del headers["A"]
    assert headers.raw == [(b"b", b"2")]
    with pytest.raises(KeyError):
        del headers["a"]


def test_setdefault_only_sets_when_absent() -> None:
    headers = MutableHeaders({"content-type": "text/plain"})
    assert headers.setdefault("Content-Type", "text/html") == "text/plain"
    assert headers.setdefault("content-length", "5") == "5"
    assert headers.raw == [(b"content-type", b"text/plain"), (b"content-length", b"5")]


def test_update_replaces_each_name() -> None:
    headers = MutableHeaders(raw=[(b"a", b"1"), (b"a", b"2"), (b"b", b"3")])
    headers.update({"a": "x", "c": "y"})
    assert headers.raw == [(b"a", b"x"), (b"b", b"3"), (b"c", b"y")]


def test_raw_is_a_copy_so_headers_cannot_be_changed_through_it() -> None:
    headers = Headers({"a": "1"})
    headers.raw.append((b"b", b"2"))
    assert "b" not in headers


# --- QueryParams ---------------------------------------------------------------------------


def test_query_string_with_repeated_and_blank_values() -> None:
    params = QueryParams("tag=a&tag=b&empty=&flag&q=caf%C3%A9+au+lait")
    assert params["tag"] == "b"  # the last value wins
    assert params.getlist("tag") == ["a", "b"]
    assert params["empty"] == ""
    assert params["flag"] == ""
    assert params["q"] == "café au lait"
    assert params.getlist("nope") == []
    assert "tag" in params
    assert "nope" not in params
    assert len(params) == 4
    assert list(params) == ["tag", "empty", "flag", "q"]
    assert dict(params.items()) == {"tag": "b", "empty": "", "flag": "", "q": "café au lait"}
    assert params.multi_items() == [
        ("tag", "a"),
        ("tag", "b"),
        ("empty", ""),
        ("flag", ""),
        ("q", "café au lait"),
    ]


def test_query_string_as_bytes_from_the_scope() -> None:
    assert QueryParams(b"a=1&b=%E2%9C%93")["b"] == "✓"


def test_built_from_pairs_a_mapping_or_another_instance() -> None:
    from_pairs = QueryParams([("a", "1"), ("a", "2")])
    assert from_pairs.getlist("a") == ["1", "2"]
    assert QueryParams({"page": "3"})["page"] == "3"
    assert QueryParams(from_pairs) == from_pairs
    assert QueryParams() == QueryParams("")
    assert len(QueryParams(None)) == 0


def test_missing_key_raises_key_error() -> None:
    with pytest.raises(KeyError):
        QueryParams("a=1")["b"]


def test_str_re_encodes_and_repr_shows_it() -> None:
    params = QueryParams([("q", "a b&c"), ("q", "é")])
    assert str(params) == "q=a+b%26c&q=%C3%A9"
    assert repr(params) == "QueryParams('q=a+b%26c&q=%C3%A9')"


def test_equality_respects_the_order_of_one_names_values() -> None:
    assert QueryParams("a=1&b=2") == QueryParams("b=2&a=1")
    assert QueryParams("a=1&a=2") != QueryParams("a=2&a=1")
    assert QueryParams("a=1") != "a=1"


@given(st.one_of(st.text(max_size=40), st.binary(max_size=40)))
def test_any_query_string_parses_and_survives_a_round_trip(raw: str | bytes) -> None:
    params = QueryParams(raw)
    assert QueryParams(str(params)) == params


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


# --- Address and State ---------------------------------------------------------------------


def test_address_is_a_named_pair() -> None:
    address = Address("127.0.0.1", 50000)
    assert address.host == "127.0.0.1"
    assert address.port == 50000
    host, port = address
    assert (host, port) == ("127.0.0.1", 50000)


def test_state_holds_attributes() -> None:
    state = State({"debug": True})
    state.pool = "a pool"
    assert state.pool == "a pool"
    assert state.debug is True
    assert "pool" in state
    assert "other" not in state
    assert repr(state) == "State({'debug': True, 'pool': 'a pool'})"
    del state.pool
    assert "pool" not in state


def test_state_names_a_missing_attribute_and_what_is_set() -> None:
    state = State()
    state.db = object()
    with pytest.raises(AttributeError, match=r"'user' \(set: db\)"):
        _ = state.user
    with pytest.raises(AttributeError, match="'user'"):
        del state.user


def test_state_survives_copy_and_pickle() -> None:
    state = State({"count": 3})
    assert copy.copy(state).count == 3
    assert pickle.loads(pickle.dumps(state)).count == 3


def test_state_over_a_dict_is_a_view_and_other_mappings_are_copied() -> None:
    from types import MappingProxyType

    backing: dict[str, object] = {"a": 1}
    view = State(backing)
    view.b = 2
    backing["c"] = 3
    assert backing == {"a": 1, "b": 2, "c": 3}
    assert view.c == 3

    frozen = MappingProxyType({"a": 1})
    copy = State(frozen)
    copy.b = 2
    assert dict(frozen) == {"a": 1}


@given(st.text(alphabet="ab=&+%20éZ;\x00", max_size=40))
def test_the_query_parser_gives_the_pairs_parse_qsl_gives(query: str) -> None:
    # parse_query_string is the fast path of QueryParams; parse_qsl is the reference.
    assert parse_query_string(query) == parse_qsl(query, keep_blank_values=True)


@pytest.mark.parametrize(
    ("query", "pairs"),
    [
        ("a=1&b=&c", [("a", "1"), ("b", ""), ("c", "")]),
        ("a+b=c%20d&&=x", [("a b", "c d"), ("", "x")]),
        ("q=%E2%9C%93&bad=%ff", [("q", "\u2713"), ("bad", "\ufffd")]),
        ("k=1=2", [("k", "1=2")]),
    ],
)
def test_the_query_parser_decodes_plus_and_escapes(
    query: str, pairs: list[tuple[str, str]]
) -> None:
    assert parse_query_string(query) == pairs


def test_headers_from_lowercase_raw_use_the_list_as_given() -> None:
    pairs = [(b"content-type", b"text/plain"), (b"x-a", b"1")]
    headers = MutableHeaders.from_lowercase_raw(pairs)
    assert isinstance(headers, MutableHeaders)
    assert headers["Content-Type"] == "text/plain"
    headers["x-b"] = "2"
    assert pairs[-1] == (b"x-b", b"2")  # no copy: the headers own that list now
    assert headers == MutableHeaders({"content-type": "text/plain", "x-a": "1", "x-b": "2"})
