"""Taking a backup, restoring one, and checking the restore: the three entry points.

::

    path, manifest = await backup_database("postgresql://app@db/shop")
    manifest = await restore_database(path, "postgresql://app@db/shop_copy")

Each backend module (:mod:`.sqlite`, :mod:`.postgres`, :mod:`.mysql`) offers the
same two functions: ``dump(url, file) -> Contents``, which writes the dump and
describes the data *of that same moment*, and ``load(url, file)``. This module
puts the description in the manifest, packs the archive, and after a restore
compares the database with the manifest, table by table.
"""

from __future__ import annotations

import datetime
import re
import tempfile
from pathlib import Path
from types import ModuleType

from covet.migrations.backup import mysql, postgres, sqlite
from covet.migrations.backup.archive import (
    DUMP_NAMES,
    Manifest,
    extract_dump,
    file_digest,
    read_manifest,
    utc_now,
    write_archive,
)
from covet.migrations.backup.checksums import Contents, compare_summaries, describe
from covet.migrations.backup.errors import BackupError, VerificationError
from covet.orm.database import Database
from covet.orm.urls import DatabaseURL, parse_database_url

__all__ = ["backup_database", "default_backup_name", "restore_database", "verify_database"]

_BACKENDS: dict[str, ModuleType] = {"sqlite": sqlite, "postgresql": postgres, "mysql": mysql}


def _parse(url: str | DatabaseURL) -> DatabaseURL:
    return parse_database_url(url) if isinstance(url, str) else url


def _database_name(url: DatabaseURL) -> str:
    return Path(str(url.path)).name if url.backend == "sqlite" else str(url.database)


def default_backup_name(url: str | DatabaseURL, when: datetime.datetime | None = None) -> str:
    """The default backup file name: ``covet-<backend>-<database>-<UTC time>.tar``.

    For example ``covet-mysql-shop-20261126T101500Z.tar``: sorting the names sorts by time.
    """
    url = _parse(url)
    when = when or datetime.datetime.now(datetime.UTC)
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(_database_name(url)).stem) or "database"
    return f"covet-{url.backend}-{name}-{when:%Y%m%dT%H%M%SZ}.tar"


async def backup_database(
    url: str | DatabaseURL, output: str | Path | None = None
) -> tuple[Path, Manifest]:
    """Back up the database of ``url`` into one file; return its path and manifest.

    ``output`` defaults to :func:`default_backup_name` in the working directory.
    The manifest's table checksums describe exactly the data in the dump, even
    while other connections write (each backend module explains how).
    """
    url = _parse(url)
    path = Path(output) if output is not None else Path(default_backup_name(url))
    if not path.parent.is_dir():
        raise BackupError(f"cannot write {path}: the directory {path.parent} does not exist")
    created_at = utc_now()
    with tempfile.TemporaryDirectory(prefix="covet-backup-") as scratch:
        dump = Path(scratch) / DUMP_NAMES[url.backend]
        contents: Contents = await _BACKENDS[url.backend].dump(url, dump)
        manifest = Manifest(
            backend=url.backend,
            server_version=contents.server_version,
            database=_database_name(url),
            schema_version=contents.schema_version,
            created_at=created_at,
            dump=file_digest(dump),
            tables=contents.tables,
        )
        write_archive(path, manifest, dump)
    return path, manifest


async def restore_database(archive: str | Path, url: str | DatabaseURL) -> Manifest:
    """Restore a backup file into the database of ``url``, then verify it.

    Refuses a backup of another backend, and a dump that does not match its
    manifest, before touching the database. After loading, every table's row
    count and checksum is compared with the manifest: a difference raises
    :class:`VerificationError` naming each table and what differs.
    """
    url = _parse(url)
    archive = Path(archive)
    manifest = read_manifest(archive)
    if manifest.backend != url.backend:
        raise BackupError(
            f"{archive} is a backup of a {manifest.backend} database; it cannot be restored "
            f"into {url.backend} ({url}): restore it into a {manifest.backend} database"
        )
    with tempfile.TemporaryDirectory(prefix="covet-restore-") as scratch:
        manifest, dump = extract_dump(archive, Path(scratch))
        await _BACKENDS[url.backend].load(url, dump)
    await verify_database(url, manifest)
    return manifest


async def verify_database(url: str | DatabaseURL, manifest: Manifest) -> None:
    """Raise :class:`VerificationError` unless the database holds what ``manifest`` describes."""
    url = _parse(url)
    async with Database(url) as database, database.backend.connection() as connection:
        contents = await describe(connection)
    problems = compare_summaries(manifest.tables, contents.tables)
    if problems:
        raise VerificationError(
            f"the database at {url} does not match the backup of {manifest.created_at}: "
            + "; ".join(problems),
            problems,
        )
