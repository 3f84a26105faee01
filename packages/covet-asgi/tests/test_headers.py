"""covet/asgi/headers.py: Headers and MutableHeaders."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covet.asgi.headers import Headers, MutableHeaders, request_header

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


_NAMES = st.sampled_from([b"host", b"Host", b"ORIGIN", b"accept-encoding", b"x-a", b"\xe9"])


@given(
    st.lists(st.tuples(_NAMES, st.binary(max_size=10)), max_size=6),
    st.sampled_from(["host", "Origin", "accept-encoding", "x-a", "é", "日本"]),
)
def test_request_header_reads_what_headers_get_reads(
    raw: list[tuple[bytes, bytes]], key: str
) -> None:
    # The middleware shortcut must agree with the Headers it replaces, case and latin-1
    # included: the first value, or None.
    scope = {"type": "http", "headers": raw}
    assert request_header(scope, key) == Headers(scope=scope).get(key)


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


def test_headers_from_lowercase_raw_use_the_list_as_given() -> None:
    pairs = [(b"content-type", b"text/plain"), (b"x-a", b"1")]
    headers = MutableHeaders.from_lowercase_raw(pairs)
    assert isinstance(headers, MutableHeaders)
    assert headers["Content-Type"] == "text/plain"
    headers["x-b"] = "2"
    assert pairs[-1] == (b"x-b", b"2")  # no copy: the headers own that list now
    assert headers == MutableHeaders({"content-type": "text/plain", "x-a": "1", "x-b": "2"})
