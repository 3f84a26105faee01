from __future__ import annotations

from typing import Any

from covet.router import Converter, Route
from covet.router.converters import registered_converters
from covet.router.paths import compile_path
from covet.router.tree import Node


def make_route(pattern: str, name: str, table: dict[str, Converter] | None = None) -> Route:
    compiled = compile_path(pattern, table or registered_converters())
    return Route(pattern, name, frozenset({"GET"}), name, compiled)


def build(*patterns: str) -> Node:
    tree = Node()
    for pattern in patterns:
        tree.insert(
            compile_path(pattern, registered_converters()).segments, make_route(pattern, pattern)
        )
    return tree


def walk(tree: Node, path: str) -> list[tuple[str, tuple[Any, ...]]]:
    """Every candidate for ``path``, best first, as (pattern, values)."""
    return [(routes[0].path, values) for routes, values in tree.candidates(path[1:].split("/"))]


def test_static_child_comes_before_parameters_whatever_the_order() -> None:
    tree = build("/users/{name}", "/users/{id:int}", "/users/me")
    assert walk(tree, "/users/me") == [("/users/me", ()), ("/users/{name}", ("me",))]


def test_specific_converter_comes_before_str_then_path() -> None:
    tree = build("/f/{rest:path}", "/f/{name}", "/f/{x:float}", "/f/{n:int}")
    assert walk(tree, "/f/42") == [
        ("/f/{n:int}", (42,)),
        ("/f/{x:float}", (42.0,)),
        ("/f/{name}", ("42",)),
        ("/f/{rest:path}", ("42",)),
    ]
    assert walk(tree, "/f/a/b") == [("/f/{rest:path}", ("a/b",))]


def test_backtracks_when_a_deeper_level_fails() -> None:
    tree = build("/a/{n:int}/edit", "/a/{name}/view")
    assert walk(tree, "/a/42/view") == [("/a/{name}/view", ("42",))]
    assert walk(tree, "/a/42/edit") == [("/a/{n:int}/edit", (42,))]
    assert walk(tree, "/a/42/other") == []


def test_routes_with_the_same_converter_share_one_edge() -> None:
    tree = build("/u/{id:int}", "/u/{pk:int}/posts")
    users = tree.static["u"]
    assert len(users.params) == 1
    assert walk(tree, "/u/3/posts") == [("/u/{pk:int}/posts", (3,))]


def test_path_parameter_needs_a_segment_but_accepts_an_empty_one() -> None:
    tree = build("/static/{file:path}")
    assert walk(tree, "/static/") == [("/static/{file:path}", ("",))]
    assert walk(tree, "/static") == []


def test_a_prefix_of_a_route_is_not_a_match() -> None:
    tree = build("/a/{x}/b")
    assert walk(tree, "/a/1") == []
    assert walk(tree, "/a/1/b/c") == []


class Even(Converter):
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        if int(value) % 2:
            raise ValueError("odd")
        return int(value)


def test_a_converter_raising_value_error_means_no_match() -> None:
    table = {**registered_converters(), "even": Even()}
    tree = Node()
    for pattern in ["/n/{e:even}", "/n/{s}"]:
        tree.insert(compile_path(pattern, table).segments, make_route(pattern, pattern, table))
    assert walk(tree, "/n/4")[0] == ("/n/{e:even}", (4,))
    assert walk(tree, "/n/3") == [("/n/{s}", ("3",))]


class Nothing(Converter):
    """A converter whose value is None: the tree must not mistake it for "no match"."""

    regex = "-"

    def to_python(self, value: str) -> None:
        return None


def test_a_converted_value_of_none_still_matches() -> None:
    table = {**registered_converters(), "nothing": Nothing()}
    tree = Node()
    tree.insert(
        compile_path("/x/{v:nothing}", table).segments, make_route("/x/{v:nothing}", "x", table)
    )
    assert walk(tree, "/x/-") == [("/x/{v:nothing}", (None,))]
