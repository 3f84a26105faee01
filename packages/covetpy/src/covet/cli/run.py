"""``covet run module:app``: serve an ASGI app with uvicorn, or with Hypercorn for HTTP/2.

The app is handed to the server as the *import string*, not as the imported object: with
``--reload`` the server re-imports the module in a fresh process after every change, and with
``--workers N`` each worker process imports it for itself. An object cannot cross into
those processes; a string can.

Two servers, one command. uvicorn is the default (fast, and what the tests and benchmarks
use), but it speaks HTTP/1.1 only. ``--http2`` switches to Hypercorn, which speaks HTTP/2
too: over TLS (``--certfile``/``--keyfile``) the client and server agree on ``h2`` during
the handshake (ALPN); without TLS a client that already knows the server speaks HTTP/2
("prior knowledge", h2c) can open with the HTTP/2 preface. Hypercorn is an optional
dependency (``covetpy[http2]``), imported only when ``--http2`` asks for it.

Server limits. uvicorn's own defaults leave some of them open, so ``covet run`` sets them:

- ``--limit-concurrency`` (default 1000): connections and tasks served at once; past it, new
  requests are answered 503 at once instead of piling up until memory runs out.
- ``--timeout-keep-alive`` (default 5 s): an idle kept-alive connection is closed.
- ``--h11-max-incomplete-event-size`` (default 16 KiB): the most a request line and headers
  may take before they are complete; past it the connection is refused. uvicorn enforces it
  with its ``h11`` parser only: with ``--http httptools`` (what ``auto`` picks when httptools
  is installed) the header size is not bounded by the server, and a proxy in front must do it.
- ``--http``: ``auto``, ``h11`` or ``httptools``.

With ``--http2`` (Hypercorn) the keep-alive timeout and the h11 bound apply too;
``--limit-concurrency`` and ``--http`` are uvicorn's only.

No server option bounds how slowly a client may send its headers or body (the "slowloris"
attack): that, request rates and TLS are the job of a proxy in front (see the covet-asgi
README, "Deployment").
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from covet.cli import Subparsers
from covet.cli.loading import AppLoadError, add_app_arguments, add_app_dir, split_import_string

if TYPE_CHECKING:
    from hypercorn.config import Config as HypercornConfig

__all__ = [
    "http2_extra_missing",
    "hypercorn_config",
    "register",
    "run_command",
    "serve_with_hypercorn",
    "serve_with_uvicorn",
]

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
HTTP_IMPLEMENTATIONS = ("auto", "h11", "httptools")

#: ``covet run``'s server limits, where uvicorn's default is none or too generous.
DEFAULT_LIMIT_CONCURRENCY = 1000
DEFAULT_TIMEOUT_KEEP_ALIVE = 5
DEFAULT_MAX_INCOMPLETE_EVENT_SIZE = 16 * 1024


def http2_extra_missing() -> str:
    """The one line ``covet run --http2`` prints (exit code 2) when Hypercorn is missing.

    The command installs the ``http2`` extra's requirements into this interpreter, which works
    from a checkout as well as from an index (see ``covet.asgi.extras``).
    """
    from covet.asgi.extras import install_command

    command = install_command("http2", distribution="covetpy")
    return f"covet run: --http2 serves with Hypercorn, which is not installed: {command}"


def register(subparsers: Subparsers) -> None:
    """Add the ``run`` subcommand (entry point ``covet.commands: run``)."""
    parser = subparsers.add_parser(
        "run",
        help="serve an app with uvicorn (or Hypercorn, for HTTP/2)",
        description="Serve the ASGI app named by MODULE:ATTRIBUTE with uvicorn, "
        "or with Hypercorn when --http2 is given.",
    )
    add_app_arguments(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    parser.add_argument("--reload", action="store_true", help="restart when a source file changes")
    parser.add_argument("--workers", type=int, default=None, help="number of worker processes")
    parser.add_argument(
        "--log-level", default="info", choices=LOG_LEVELS, help="(default: %(default)s)"
    )
    parser.add_argument(
        "--http2",
        action="store_true",
        help="serve HTTP/2 (and HTTP/1.1) with Hypercorn; needs covetpy[http2]",
    )
    parser.add_argument("--certfile", default=None, help="TLS certificate (PEM): serve HTTPS")
    parser.add_argument("--keyfile", default=None, help="private key of --certfile (PEM)")
    limits = parser.add_argument_group("server limits (uvicorn)")
    limits.add_argument(
        "--http",
        default="auto",
        choices=HTTP_IMPLEMENTATIONS,
        help="HTTP/1.1 parser; auto picks httptools when installed (default: %(default)s)",
    )
    limits.add_argument(
        "--limit-concurrency",
        type=_positive_int,
        default=DEFAULT_LIMIT_CONCURRENCY,
        help="connections and tasks at once; more are answered 503 (default: %(default)s)",
    )
    limits.add_argument(
        "--timeout-keep-alive",
        type=_positive_int,
        default=DEFAULT_TIMEOUT_KEEP_ALIVE,
        help="seconds an idle kept-alive connection stays open (default: %(default)s)",
    )
    limits.add_argument(
        "--h11-max-incomplete-event-size",
        type=_positive_int,
        default=DEFAULT_MAX_INCOMPLETE_EVENT_SIZE,
        help="bytes a request line and headers may take, with the h11 parser only "
        "(default: %(default)s)",
    )
    parser.set_defaults(func=run_command)


def _positive_int(text: str) -> int:
    """argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def run_command(args: argparse.Namespace) -> int:
    """Start the server in this process; returns when the server has shut down."""
    try:
        split_import_string(args.app)
    except AppLoadError as exc:
        print(f"covet run: {exc}", file=sys.stderr)
        return 1
    if args.reload and args.workers is not None and args.workers > 1:
        print("covet run: --reload and --workers cannot be combined", file=sys.stderr)
        return 1
    # Either file alone would be silently ignored by the server, which then serves plain
    # HTTP to a user who asked for HTTPS.
    if (args.certfile is None) != (args.keyfile is None):
        print("covet run: --certfile and --keyfile must be given together", file=sys.stderr)
        return 1

    app_dir = add_app_dir(args.app_dir)
    if args.http2:
        return serve_with_hypercorn(args)
    return serve_with_uvicorn(args, app_dir)


def serve_with_uvicorn(args: argparse.Namespace, app_dir: str) -> int:
    """Serve HTTP/1.1 (HTTPS with a certificate) with uvicorn."""
    # Imported here so that other subcommands (and `covet --help`) do not pay for it.
    import uvicorn

    uvicorn.run(
        args.app,
        host=args.host,
        port=args.port,
        reload=args.reload,
        reload_dirs=[app_dir] if args.reload else None,
        workers=args.workers,
        log_level=args.log_level,
        ssl_certfile=args.certfile,
        ssl_keyfile=args.keyfile,
        http=args.http,
        limit_concurrency=args.limit_concurrency,
        timeout_keep_alive=args.timeout_keep_alive,
        h11_max_incomplete_event_size=args.h11_max_incomplete_event_size,
    )
    return 0


def serve_with_hypercorn(args: argparse.Namespace) -> int:
    """Serve HTTP/2 and HTTP/1.1 with Hypercorn; exit code 2 if it is not installed."""
    try:
        # hypercorn.run.run is Hypercorn's own command's entry point: it starts the worker
        # processes (each importing the app string), restarts them on --reload, and
        # handles the signals. hypercorn.asyncio.serve would serve one app object in one
        # process, without either.
        from hypercorn.run import run
    except ImportError:
        print(http2_extra_missing(), file=sys.stderr)
        return 2
    return run(hypercorn_config(args))


def hypercorn_config(args: argparse.Namespace) -> HypercornConfig:
    """Translate ``covet run``'s arguments into a Hypercorn ``Config``.

    The worker processes are started with the ``spawn`` method, which hands them this
    process's ``sys.path``; that is how ``--app-dir`` reaches them.
    """
    from hypercorn.config import Config

    config = Config()
    config.application_path = args.app
    # An IPv6 address must be bracketed, or its colons would be read as the port separator.
    host = f"[{args.host}]" if ":" in args.host else args.host
    config.bind = [f"{host}:{args.port}"]
    if args.workers is not None:
        config.workers = args.workers
    # Hypercorn's reloader runs in the process that supervises the workers (Config.workers
    # is 1 by default, so there is one), watching the files of every imported module.
    config.use_reloader = args.reload
    # "trace" is uvicorn's level below debug; the standard logging Hypercorn uses has none.
    config.loglevel = "DEBUG" if args.log_level == "trace" else args.log_level.upper()
    # With both set, Hypercorn serves TLS and offers ALPN "h2" then "http/1.1".
    config.certfile = args.certfile
    config.keyfile = args.keyfile
    # The limits Hypercorn has too; it has no limit on concurrency, and its h11 bound holds
    # for HTTP/1.1 only.
    config.keep_alive_timeout = args.timeout_keep_alive
    config.h11_max_incomplete_size = args.h11_max_incomplete_event_size
    return config
