"""``covet routes module:app``: print the app's route table.

One row per entry of ``app.routes``, in matching order::

    METHODS   PATH              NAME      ENDPOINT
    --------  ----------------  --------  ---------------------------
    GET,HEAD  /                 hello     examples.hello.app.hello
    GET,HEAD  /users/{user_id}  get_user  examples.hello.app.get_user

It answers "which function serves this URL?" without starting a server.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence

from covet.cli import Subparsers
from covet.cli.loading import AppLoadError, add_app_arguments, load_app
from covet.router import Mount, Route

__all__ = ["HEADER", "endpoint_name", "format_table", "register", "route_row", "routes_command"]

HEADER = ("METHODS", "PATH", "NAME", "ENDPOINT")


def register(subparsers: Subparsers) -> None:
    """Add the ``routes`` subcommand (entry point ``covet.commands: routes``)."""
    parser = subparsers.add_parser(
        "routes",
        help="print an app's route table",
        description="Load the app named by MODULE:ATTRIBUTE and print its routes.",
    )
    add_app_arguments(parser)
    parser.set_defaults(func=routes_command)


def routes_command(args: argparse.Namespace) -> int:
    """Print the table to stdout; a load error is one line on stderr and exit code 1."""
    try:
        app = load_app(args.app, app_dir=args.app_dir)
    except AppLoadError as exc:
        print(f"covet routes: {exc}", file=sys.stderr)
        return 1
    routes = getattr(app, "routes", None)
    if not isinstance(routes, Iterable):
        print(
            f"covet routes: {args.app!r} is not a CovetPy app "
            f"({type(app).__name__!r} object has no routes list)",
            file=sys.stderr,
        )
        return 1
    print(format_table(HEADER, [route_row(route) for route in routes]))
    return 0


def route_row(route: object) -> tuple[str, str, str, str]:
    """Describe one route as (METHODS, PATH, NAME, ENDPOINT)."""
    if isinstance(route, Route):
        # Route.methods already holds HEAD wherever it holds GET (a router invariant).
        return (
            ",".join(sorted(route.methods)),
            route.path,
            route.name or "-",
            endpoint_name(route.endpoint),
        )
    if isinstance(route, Mount):
        # A mounted ASGI app handles every method and every path below its prefix.
        return ("*", route.path or "/", route.name or "-", f"{type(route.app).__name__} (mount)")
    return ("?", str(getattr(route, "path", "?")), "-", type(route).__name__)


def endpoint_name(endpoint: object) -> str:
    """``module.qualname`` of a function or class; of its class for a callable instance."""
    target = endpoint if hasattr(endpoint, "__qualname__") else type(endpoint)
    return f"{target.__module__}.{getattr(target, '__qualname__', '?')}"


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-align every column to its widest cell, two spaces apart, under a dashed rule."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    rule = ["-" * width for width in widths]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, rule, *rows]
    ]
    return "\n".join(lines)
