"""covet.router: URL routing for CovetPy. Compile paths, match them, build URLs back.

Pure Python with no dependencies and no knowledge of ASGI: the router maps a method and a
decoded path to a value saying what should handle it, and maps a route name back to a path.
Calling endpoints, responses and status codes belong to covet-asgi.

    from covet.router import Router, RouteMatch

    router = Router()
    router.add_route("/users/{user_id:int}", get_user, methods=["GET"], name="get_user")
    router.match("GET", "/users/42")      # RouteMatch(route=..., params={"user_id": 42})
    router.url_for("get_user", user_id=42)  # "/users/42"

Reading order: converters.py, paths.py, routes.py, tree.py, results.py, router.py, errors.py.
"""

from covet.router.__about__ import __version__
from covet.router.converters import Converter, get_converter, register_converter
from covet.router.errors import (
    ConverterError,
    DuplicateRouteNameError,
    InvalidPathError,
    RouteConflictError,
    RouterError,
    URLBuildError,
)
from covet.router.results import (
    MatchResult,
    MethodNotAllowed,
    MountMatch,
    NotFound,
    RedirectSlash,
    RouteMatch,
)
from covet.router.router import Router
from covet.router.routes import Mount, Route

__all__ = [
    "__version__",
    # the table
    "Router",
    "Route",
    "Mount",
    # what match() returns
    "RouteMatch",
    "MountMatch",
    "MethodNotAllowed",
    "RedirectSlash",
    "NotFound",
    "MatchResult",
    # converters
    "Converter",
    "register_converter",
    "get_converter",
    # errors
    "RouterError",
    "InvalidPathError",
    "RouteConflictError",
    "DuplicateRouteNameError",
    "ConverterError",
    "URLBuildError",
]
