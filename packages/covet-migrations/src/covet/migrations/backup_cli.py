"""``covet db``: back up, restore and inspect a database from the command line.

::

    covet db backup  [--database URL] [--output FILE]
    covet db restore FILE [--database URL]
    covet db inspect FILE

``--database`` defaults to ``COVET_DATABASE_URL``, else the embedded SQLite
file ``./covet.sqlite3`` (the ORM's own default). Exit code 0 on success, 1 when
the work failed (one line on stderr says why), 2 for a usage error.

The ``covet`` command finds :func:`register` through the ``covet.commands``
entry point; :func:`main` runs the same commands without it (``covet db``
needs only covet-orm and covet-migrations installed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from covet.migrations.backup import (
    BackupError,
    backup_database,
    read_manifest,
    restore_database,
)
from covet.orm.database import DATABASE_URL_VARIABLE, EMBEDDED_DEFAULT_URL
from covet.orm.errors import OrmError

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

__all__ = ["build_parser", "main", "register"]


def register(subparsers: Subparsers) -> None:
    """Add the ``db`` command and its sub-commands to the ``covet`` parser."""
    parser = subparsers.add_parser(
        "db",
        help="back up, restore and inspect the database",
        description="Back up the database into one file, restore it, inspect a backup.",
    )
    _add_commands(parser)


def build_parser(prog: str = "covet db") -> argparse.ArgumentParser:
    """A stand-alone parser for the ``db`` sub-commands (what :func:`main` uses)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Back up the database into one file, restore it, inspect a backup.",
    )
    _add_commands(parser)
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = "covet db") -> int:
    """Run ``covet db`` with ``argv`` (e.g. ``["backup", "--output", "x.tar"]``)."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    return int(args.func(args))


def _add_commands(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(func=lambda args: _usage(parser))
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    database_help = f"database URL (default: ${DATABASE_URL_VARIABLE}, else {EMBEDDED_DEFAULT_URL})"

    backup = commands.add_parser(
        "backup",
        help="write a backup file of the database",
        description="Write the database (a consistent snapshot, even while the "
        "application writes) and a manifest of its tables into one file.",
    )
    backup.add_argument("--database", metavar="URL", help=database_help)
    backup.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="the backup file (default: covet-<backend>-<database>-<UTC time>.tar)",
    )
    backup.set_defaults(func=_backup)

    restore = commands.add_parser(
        "restore",
        help="restore a backup file into the database and verify it",
        description="Load a backup into the database, then compare every table's row "
        "count and checksum with the backup's manifest.",
    )
    restore.add_argument("file", metavar="FILE", help="a file written by 'covet db backup'")
    restore.add_argument("--database", metavar="URL", help=database_help)
    restore.set_defaults(func=_restore)

    inspect = commands.add_parser(
        "inspect",
        help="print a backup file's manifest",
        description="Print what a backup file holds (its manifest, as JSON).",
    )
    inspect.add_argument("file", metavar="FILE", help="a file written by 'covet db backup'")
    inspect.set_defaults(func=_inspect)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _database_url(args: argparse.Namespace) -> str:
    url: str | None = args.database
    return url or os.environ.get(DATABASE_URL_VARIABLE) or EMBEDDED_DEFAULT_URL


def _fail(command: str, error: Exception) -> int:
    message = " ".join(str(error).split())
    print(f"covet db {command}: error: {message}", file=sys.stderr)
    return 1


# What a run can meet: a bad file or tool (BackupError), a bad URL or server (OrmError), the OS.
_EXPECTED = (BackupError, OrmError, OSError)


def _backup(args: argparse.Namespace) -> int:
    try:
        path, manifest = asyncio.run(backup_database(_database_url(args), args.output))
    except _EXPECTED as error:
        return _fail("backup", error)
    rows = sum(table.rows for table in manifest.tables.values())
    print(
        f"backed up {manifest.backend} database {manifest.database!r} "
        f"({len(manifest.tables)} tables, {rows} rows, schema version "
        f"{manifest.schema_version or 'none'}) to {path}"
    )
    return 0


def _restore(args: argparse.Namespace) -> int:
    try:
        manifest = asyncio.run(restore_database(args.file, _database_url(args)))
    except _EXPECTED as error:
        return _fail("restore", error)
    print(
        f"restored {args.file} ({manifest.backend}, taken {manifest.created_at}): "
        f"{len(manifest.tables)} tables verified, row counts and checksums match"
    )
    return 0


def _inspect(args: argparse.Namespace) -> int:
    try:
        manifest = read_manifest(args.file)
    except _EXPECTED as error:
        return _fail("inspect", error)
    print(manifest.to_json(), end="")
    return 0
