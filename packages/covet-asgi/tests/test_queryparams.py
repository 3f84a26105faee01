"""covet/asgi/queryparams.py: QueryParams and parse_query_string."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covet.asgi.queryparams import QueryParams, parse_query_string

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
