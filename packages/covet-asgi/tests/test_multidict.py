"""covet/asgi/multidict.py: ImmutableMultiDict, the base of QueryParams and FormData."""

from __future__ import annotations

from covet.asgi.forms import FormData
from covet.asgi.multidict import ImmutableMultiDict
from covet.asgi.queryparams import QueryParams


def test_the_last_value_wins_and_getlist_has_them_all() -> None:
    numbers = ImmutableMultiDict([("a", 1), ("b", 2), ("a", 3)])
    assert numbers["a"] == 3
    assert numbers.get("missing") is None
    assert numbers.getlist("a") == [1, 3]
    assert numbers.getlist("missing") == []
    assert numbers.multi_items() == [("a", 1), ("b", 2), ("a", 3)]


def test_each_name_counts_once_in_the_mapping_views() -> None:
    numbers = ImmutableMultiDict([("a", 1), ("b", 2), ("a", 3)])
    assert list(numbers) == ["a", "b"]
    assert len(numbers) == 2
    assert dict(numbers.items()) == {"a": 3, "b": 2}
    assert "a" in numbers
    assert "missing" not in numbers
    assert 1 not in numbers  # a value is not a name


def test_built_from_a_mapping_with_one_value_per_name() -> None:
    assert ImmutableMultiDict({"a": 1}).multi_items() == [("a", 1)]
    assert ImmutableMultiDict().multi_items() == []


def test_multi_items_is_a_copy() -> None:
    numbers = ImmutableMultiDict([("a", 1)])
    numbers.multi_items().append(("b", 2))
    assert "b" not in numbers


def test_equality_ignores_the_order_of_names_but_not_of_one_names_values() -> None:
    assert ImmutableMultiDict([("a", 1), ("b", 2)]) == ImmutableMultiDict([("b", 2), ("a", 1)])
    assert ImmutableMultiDict([("a", 1), ("a", 2)]) != ImmutableMultiDict([("a", 2), ("a", 1)])
    assert ImmutableMultiDict([("a", 1)]) != {"a": 1}


def test_only_the_same_kind_compares_equal() -> None:
    # The same pairs from a query string and from a form are still different things.
    assert QueryParams("a=1") != FormData([("a", "1")])
    assert FormData([("a", "1")]) != QueryParams("a=1")
    assert QueryParams("a=1") != ImmutableMultiDict([("a", "1")])


def test_repr_shows_the_pairs() -> None:
    assert repr(ImmutableMultiDict([("a", 1)])) == "ImmutableMultiDict([('a', 1)])"
