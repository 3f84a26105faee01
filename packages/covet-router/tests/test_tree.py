from __future__ import annotations

from typing import Any

from covet.router import Converter, Route
from covet.router.converters import registered_converters
from covet.router.paths import compile_path
from covet.router.tree import Node


def make_route(
    pattern: str,
    name: str,
    table: dict[str, Converter] | None = None,
    methods: frozenset[str] = frozenset({"GET"}),
) -> Route:
    compiled = compile_path(pattern, table or registered_converters())
    return Route(pattern, name, methods, name, compiled)


def build(*patterns: str, table: dict[str, Converter] | None = None) -> Node:
    tree = Node()
    for pattern in patterns:
        tree.insert(
            compile_path(pattern, table or registered_converters()).segments,
            make_route(pattern, pattern, table),
        )
    return tree


def walk(
    *patterns: str, path: str, table: dict[str, Converter] | None = None
) -> list[tuple[str, tuple[Any, ...]]]:
    """Every pattern matching ``path``, best first, as (pattern, values).

    ``find`` returns the best match only; dropping it from the table and asking again gives
    the next best, and so on until nothing matches.
    """
    remaining = list(patterns)
    ranking = []
    while True:
        found = build(*remaining, table=table).find(path[1:].split("/"), "GET", set())
        if found is None:
            return ranking
        route, values = found
        ranking.append((route.path, values))
        remaining.remove(route.path)


def test_static_child_comes_before_parameters_whatever_the_order() -> None:
    patterns = ("/users/{name}", "/users/{id:int}", "/users/me")
    assert walk(*patterns, path="/users/me") == [("/users/me", ()), ("/users/{name}", ("me",))]


def test_specific_converter_comes_before_str_then_path() -> None:
    patterns = ("/f/{rest:path}", "/f/{name}", "/f/{x:float}", "/f/{n:int}")
    assert walk(*patterns, path="/f/42") == [
        ("/f/{n:int}", (42,)),
        ("/f/{x:float}", (42.0,)),
        ("/f/{name}", ("42",)),
        ("/f/{rest:path}", ("42",)),
    ]
    assert walk(*patterns, path="/f/a/b") == [("/f/{rest:path}", ("a/b",))]


def test_backtracks_when_a_deeper_level_fails() -> None:
    patterns = ("/a/{n:int}/edit", "/a/{name}/view")
    assert walk(*patterns, path="/a/42/view") == [("/a/{name}/view", ("42",))]
    assert walk(*patterns, path="/a/42/edit") == [("/a/{n:int}/edit", (42,))]
    assert walk(*patterns, path="/a/42/other") == []


def test_routes_with_the_same_converter_share_one_edge() -> None:
    tree = build("/u/{id:int}", "/u/{pk:int}/posts")
    users = tree.static["u"]
    assert len(users.params) == 1
    assert walk("/u/{id:int}", "/u/{pk:int}/posts", path="/u/3/posts") == [
        ("/u/{pk:int}/posts", (3,))
    ]


def test_path_parameter_needs_a_segment_but_accepts_an_empty_one() -> None:
    assert walk("/static/{file:path}", path="/static/") == [("/static/{file:path}", ("",))]
    assert walk("/static/{file:path}", path="/static") == []


def test_a_prefix_of_a_route_is_not_a_match() -> None:
    assert walk("/a/{x}/b", path="/a/1") == []
    assert walk("/a/{x}/b", path="/a/1/b/c") == []


class Even(Converter):
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        if int(value) % 2:
            raise ValueError("odd")
        return int(value)


def test_a_converter_raising_value_error_means_no_match() -> None:
    table = {**registered_converters(), "even": Even()}
    patterns = ("/n/{e:even}", "/n/{s}")
    assert walk(*patterns, path="/n/4", table=table)[0] == ("/n/{e:even}", (4,))
    assert walk(*patterns, path="/n/3", table=table) == [("/n/{s}", ("3",))]


class Nothing(Converter):
    """A converter whose value is None: the tree must not mistake it for "no match"."""

    regex = "-"

    def to_python(self, value: str) -> None:
        return None


def test_a_converted_value_of_none_still_matches() -> None:
    table = {**registered_converters(), "nothing": Nothing()}
    assert walk("/x/{v:nothing}", path="/x/-", table=table) == [("/x/{v:nothing}", (None,))]


def test_a_route_refusing_the_method_is_passed_over_and_its_methods_noted() -> None:
    tree = Node()
    for pattern, methods in [("/p/me", {"POST"}), ("/p/{name}", {"GET", "HEAD"})]:
        route = make_route(pattern, pattern, methods=frozenset(methods))
        tree.insert(compile_path(pattern, registered_converters()).segments, route)
    allowed: set[str] = set()
    found = tree.find(["p", "me"], "GET", allowed)
    assert found is not None
    assert (found[0].path, found[1]) == ("/p/{name}", ("me",))
    assert allowed == {"POST"}
    allowed = set()
    assert tree.find(["p", "me"], "DELETE", allowed) is None
    assert allowed == {"POST", "GET", "HEAD"}
