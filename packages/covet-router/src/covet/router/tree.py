"""The segment tree: find the routes for a path without scanning every route.

A regex router (Starlette, Django) tries each route's regex in turn, so the cost of a miss
grows with the number of routes. Here the patterns are stored in a tree, one level per path
segment. Matching ``/users/42/posts`` walks at most three levels, and at each level looks up
the static child ``users`` in a dict before trying the few parameter children there.

At each node the children are tried in this order:

1. the static child whose text equals the segment (one dict lookup);
2. the parameter children, sorted by :attr:`ParamSegment.priority`: specific converters
   (``int``, ``float``, ``uuid``, your own) first, in registration order, then ``str``,
   then converters that match slashes (``path``), which take the rest of the path.

If a deeper level fails, the walk backs up and tries the next child. So ``/users/me`` beats
``/users/{name}``, and ``/users/{id:int}`` beats ``/users/{name}`` for ``42`` but
``/users/bob`` still reaches ``{name}``. Each node is visited at most once per path, so the
worst case is bounded by the size of the tree, and the usual case by the depth of the path.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from covet.router.paths import ParamSegment, Segment, StaticSegment
from covet.router.routes import Route

__all__ = ["Node", "ParamEdge"]

# to_python may return None, so "no match" needs a value of its own.
_NO_MATCH: Any = object()

Values: TypeAlias = tuple[Any, ...]
"""The converted parameter values of a branch, in path order."""


class ParamEdge:
    """The way from a node to its child through one parameter converter."""

    __slots__ = ("_fullmatch", "_to_python", "matches_slash", "node", "segment")

    def __init__(self, segment: ParamSegment) -> None:
        self.segment = segment
        self.node = Node()
        # Bound once here, used on every match: the segment's regex and converter never
        # change after registration, and each ``self.segment.regex.fullmatch`` chain of
        # lookups cost as much as the regex match itself.
        self._fullmatch = segment.regex.fullmatch
        self._to_python = segment.converter.to_python
        self.matches_slash = segment.converter.matches_slash

    def convert(self, text: str) -> Any:
        """The Python value for ``text``, or ``_NO_MATCH`` when the converter refuses it."""
        if self._fullmatch(text) is None:
            return _NO_MATCH
        try:
            return self._to_python(text)
        except ValueError:
            return _NO_MATCH


class Node:
    """One level of the tree: static children, parameter children, routes ending here.

    All routes in ``routes`` have the same shape (they differ by methods), so a path that
    reaches this node matches every one of them.
    """

    __slots__ = ("params", "routes", "static")

    def __init__(self) -> None:
        self.static: dict[str, Node] = {}
        self.params: list[ParamEdge] = []
        self.routes: list[Route] = []

    def insert(self, segments: tuple[Segment, ...], route: Route) -> None:
        """Add ``route`` at the end of the branch spelled by ``segments``."""
        node = self
        for segment in segments:
            if isinstance(segment, StaticSegment):
                node = node.static.setdefault(segment.text, Node())
            else:
                node = node._param_child(segment)
        node.routes.append(route)

    def _param_child(self, segment: ParamSegment) -> Node:
        for edge in self.params:
            if edge.segment.converter is segment.converter:
                return edge.node
        edge = ParamEdge(segment)
        self.params.append(edge)
        self.params.sort(key=lambda e: e.segment.priority)  # stable: ties keep their order
        return edge.node

    def find(
        self, parts: list[str], method: str, allowed: set[str], index: int = 0, values: Values = ()
    ) -> tuple[Route, Values] | None:
        """The best route for ``method`` on ``parts[index:]``, with its parameter values.

        Branches are tried best first (the order above); the first route on a matching
        branch that accepts ``method`` wins. Routes passed over because they do not accept
        ``method`` add their methods to ``allowed``: when nothing is found, that set is the
        ``Allow`` header of the 405.

        Plain recursion with early returns: a generator per level that yields every
        candidate reads much the same, but each level's generator object, the ``yield from``
        chain and closing it when the caller stops early cost more than the rest of a match.
        """
        if index == len(parts):
            for route in self.routes:
                if method in route.methods:
                    return route, values
                allowed.update(route.methods)
            return None
        child = self.static.get(parts[index])
        if child is not None:
            found = child.find(parts, method, allowed, index + 1, values)
            if found is not None:
                return found
        for edge in self.params:
            if edge.matches_slash:
                # A slash-matching parameter takes the rest of the path: this is the end.
                value = edge.convert("/".join(parts[index:]))
                end = len(parts)
            else:
                value = edge.convert(parts[index])
                end = index + 1
            if value is not _NO_MATCH:
                found = edge.node.find(parts, method, allowed, end, (*values, value))
                if found is not None:
                    return found
        return None
