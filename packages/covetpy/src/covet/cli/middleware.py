"""``covet middleware module:app``: print the middleware stack a request passes through.

Outermost first, ending at the router::

    1. ServerErrorMiddleware(debug=False)
    2. CORSMiddleware(allow_origins=['https://a.example'])
    3. ExceptionMiddleware
    4. router

The order matters (a GZip outside CORS compresses CORS's answers too), and
it is decided by the order of ``add_middleware`` calls; this command shows
it without starting a server.
"""

from __future__ import annotations

import argparse
import sys

from covet.cli import Subparsers
from covet.cli.loading import AppLoadError, add_app_arguments, load_app

__all__ = ["middleware_command", "register"]


def register(subparsers: Subparsers) -> None:
    """Add the ``middleware`` subcommand (entry point ``covet.commands: middleware``)."""
    parser = subparsers.add_parser(
        "middleware",
        help="print an app's middleware stack, outermost first",
        description="Load the app named by MODULE:ATTRIBUTE and print its middleware stack.",
    )
    add_app_arguments(parser)
    parser.set_defaults(func=middleware_command)


def middleware_command(args: argparse.Namespace) -> int:
    """Print the numbered stack; a load error is one line on stderr and exit code 1."""
    try:
        app = load_app(args.app, app_dir=args.app_dir)
    except AppLoadError as exc:
        print(f"covet middleware: {exc}", file=sys.stderr)
        return 1
    describe = getattr(app, "middleware_stack_description", None)
    if not callable(describe):
        print(f"covet middleware: {args.app!r} is not a CovetPy app", file=sys.stderr)
        return 1
    for number, layer in enumerate(describe(), start=1):
        print(f"{number}. {layer}")
    return 0
