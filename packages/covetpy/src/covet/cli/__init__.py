"""The ``covet`` command: a small argparse program whose subcommands are plugins.

No subcommand is hard-wired here. Every distribution, covetpy included, adds its own by
declaring an entry point in the group ``covet.commands``::

    [project.entry-points."covet.commands"]
    routes = "covet.cli.routes:register"

The entry point names a ``register(subparsers)`` function. It adds one subparser and sets
its default ``func``: a function taking the parsed arguments and returning the exit code.
Installing a distribution is thus enough to give ``covet`` a new command, and removing it
removes the command, without this file knowing about either.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import EntryPoint, entry_points
from typing import TypeAlias

from covet.__about__ import __version__

__all__ = ["COMMAND_GROUP", "Command", "Subparsers", "build_parser", "main"]

COMMAND_GROUP = "covet.commands"

Command = Callable[[argparse.Namespace], int]
"""What a subcommand sets as ``func``: parsed arguments in, exit code out."""

# A string, because argparse's action class is generic only for type checkers.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What ``register(subparsers)`` receives: call ``subparsers.add_parser(name, ...)``."""


def build_parser() -> argparse.ArgumentParser:
    """Create the ``covet`` parser with one subparser per loadable plugin."""
    parser = argparse.ArgumentParser(
        prog="covet",
        description="CovetPy's command line: serve an app, inspect its routes, and "
        "whatever commands the installed CovetPy packages add.",
    )
    parser.add_argument("--version", action="version", version=f"covet {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for entry_point in _command_entry_points():
        _register(entry_point, subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``covet`` with ``argv`` (``sys.argv[1:]`` by default) and return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command: Command | None = getattr(args, "func", None)
    if command is None:
        parser.print_help(sys.stderr)
        return 2
    return command(args)


def _command_entry_points() -> list[EntryPoint]:
    # Sorted so that help output and registration order do not depend on the order in
    # which distributions happen to be found on sys.path.
    return sorted(entry_points(group=COMMAND_GROUP), key=lambda ep: ep.name)


def _register(entry_point: EntryPoint, subparsers: Subparsers) -> None:
    """Load one plugin; a broken one costs one line on stderr, never the other commands."""
    try:
        register = entry_point.load()
        register(subparsers)
    except Exception as exc:
        print(
            f"covet: skipped command {entry_point.name!r} ({entry_point.value}): "
            f"{type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
