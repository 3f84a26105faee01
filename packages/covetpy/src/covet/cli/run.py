"""``covet run module:app``: serve an ASGI app with uvicorn.

The app is handed to uvicorn as the *import string*, not as the imported object: with
``--reload`` uvicorn re-imports the module in a fresh process after every change, and with
``--workers N`` each worker process imports it for itself. An object cannot cross into
those processes; a string can.
"""

from __future__ import annotations

import argparse
import sys

from covet.cli import Subparsers
from covet.cli.loading import AppLoadError, add_app_dir, split_import_string

__all__ = ["register", "run_command"]

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def register(subparsers: Subparsers) -> None:
    """Add the ``run`` subcommand (entry point ``covet.commands: run``)."""
    parser = subparsers.add_parser(
        "run",
        help="serve an app with uvicorn",
        description="Serve the ASGI app named by MODULE:ATTRIBUTE with uvicorn.",
    )
    parser.add_argument("app", metavar="MODULE:ATTRIBUTE", help="e.g. examples.hello.app:app")
    parser.add_argument("--host", default="127.0.0.1", help="address (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    parser.add_argument("--reload", action="store_true", help="restart when a source file changes")
    parser.add_argument("--workers", type=int, default=None, help="number of worker processes")
    parser.add_argument(
        "--app-dir",
        default=".",
        help="directory put first on sys.path to find the module (default: %(default)s)",
    )
    parser.add_argument(
        "--log-level", default="info", choices=LOG_LEVELS, help="(default: %(default)s)"
    )
    parser.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    """Start uvicorn in this process; returns when the server has shut down."""
    try:
        split_import_string(args.app)
    except AppLoadError as exc:
        print(f"covet run: {exc}", file=sys.stderr)
        return 1
    if args.reload and args.workers is not None and args.workers > 1:
        print("covet run: --reload and --workers cannot be combined", file=sys.stderr)
        return 1

    # Imported here so that other subcommands (and `covet --help`) do not pay for it.
    import uvicorn

    app_dir = add_app_dir(args.app_dir)
    uvicorn.run(
        args.app,
        host=args.host,
        port=args.port,
        reload=args.reload,
        reload_dirs=[app_dir] if args.reload else None,
        workers=args.workers,
        log_level=args.log_level,
    )
    return 0
