"""The errors covet-router raises.

Every error subclasses :class:`RouterError`, so ``except RouterError`` catches anything the
router says. Most of them are raised while routes are *registered*, at import time of an app:
a mistake in a route table should stop the program before it serves a single request, not
surface as a mysterious 404 in production.
"""

from __future__ import annotations

__all__ = [
    "RouterError",
    "InvalidPathError",
    "RouteConflictError",
    "DuplicateRouteNameError",
    "ConverterError",
    "URLBuildError",
]


class RouterError(Exception):
    """Base class of every error raised by covet-router."""


class InvalidPathError(RouterError, ValueError):
    """A path pattern or mount prefix cannot be compiled; the message names the pattern."""


class RouteConflictError(RouterError):
    """A new route or mount could never be reached because an earlier one takes its requests.

    Starlette keeps the first route and silently shadows the second; covet-router refuses
    the registration and names both routes, because a route that can never match is a bug.
    """


class DuplicateRouteNameError(RouterError):
    """A route or mount name is already taken, so ``url_for`` could not tell them apart."""


class ConverterError(RouterError, ValueError):
    """A converter cannot be registered or looked up (bad name, bad regex, name taken)."""


class URLBuildError(RouterError, LookupError):
    """``url_for`` cannot build a URL: unknown name, missing or unexpected or refused params."""
