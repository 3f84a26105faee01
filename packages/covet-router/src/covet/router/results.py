"""What :meth:`Router.match` returns: one small value per possible outcome.

Returning a value for every outcome (rather than raising for 404 and 405) lets the caller
handle each case with one ``match`` statement, and lets the type checker tell when a case is
forgotten::

    match router.match(method, path):
        case RouteMatch(route, params): ...
        case MountMatch(mount, child_path, root_path): ...
        case MethodNotAllowed(allowed): ...      # 405 with an Allow header
        case RedirectSlash(path): ...            # 307/308 to the other spelling
        case NotFound(): ...                     # 404
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from covet.router.routes import Mount, Route

__all__ = [
    "RouteMatch",
    "MountMatch",
    "MethodNotAllowed",
    "RedirectSlash",
    "NotFound",
    "MatchResult",
]


# Not frozen, unlike the other results: one RouteMatch is made per request, and a frozen
# dataclass's __init__ sets each field through object.__setattr__, which makes it cost
# about twice as much. Its params dict was mutable anyway.
@dataclass(slots=True)
class RouteMatch:
    """A route takes the request; ``params`` are already converted (``int`` for ``{x:int}``)."""

    route: Route
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MountMatch:
    """A mounted app (not a Router) takes the request.

    ``root_path`` is the whole prefix matched (through nested routers too) and
    ``child_path`` the rest, always starting with ``/``: ``/api`` gives ``child_path="/"``.
    So ``root_path + child_path == path``, except that ``/api`` yields ``"/api" + "/"``.
    """

    mount: Mount
    child_path: str
    root_path: str


@dataclass(frozen=True, slots=True)
class MethodNotAllowed:
    """Routes match the path, but none accepts the method: answer 405 with ``allowed``.

    ``allowed`` is sorted and is the union over every route matching the path.
    """

    allowed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RedirectSlash:
    """Nothing matches, but ``path`` (the same path with its trailing slash toggled) does."""

    path: str


@dataclass(frozen=True, slots=True)
class NotFound:
    """Nothing matches."""


MatchResult: TypeAlias = RouteMatch | MountMatch | MethodNotAllowed | RedirectSlash | NotFound
