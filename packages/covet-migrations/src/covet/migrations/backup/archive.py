"""The backup file: a tar archive holding ``manifest.json`` and the dump.

::

    covet-postgresql-shop-20261126T101500Z.tar
    ├── manifest.json     what the backup holds (below), written first
    └── dump.pgdump       the dump: dump.sqlite3 | dump.pgdump | dump.sql

``manifest.json`` (format 1)::

    {
      "format": 1,
      "backend": "postgresql",            sqlite | postgresql | mysql
      "server_version": "15.20",
      "database": "shop",                 the name (SQLite: the file's name)
      "schema_version": "0007_add_stock", last applied migration, or null
      "created_at": "2026-11-26T10:15:00.123456+00:00",
      "dump": {"name": "dump.pgdump", "bytes": 81234, "sha256": "..."},
      "tables": {"product": {"rows": 1200, "checksum": "<sha256 hex>"}, ...}
    }

The manifest is written first so :func:`read_manifest` (and ``covet db
inspect``) finds it without reading past the dump. Reading never extracts the
archive to disk by member names: only the two known members are read, so a
crafted archive cannot write outside the place it is restored from.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import shutil
import tarfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from covet.migrations.backup.checksums import TableSummary
from covet.migrations.backup.errors import BackupError

__all__ = ["FORMAT_VERSION", "MANIFEST_NAME", "DumpInfo", "Manifest", "read_manifest"]

#: Bumped when the manifest or the archive layout changes incompatibly.
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DUMP_NAMES = {"sqlite": "dump.sqlite3", "postgresql": "dump.pgdump", "mysql": "dump.sql"}

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class DumpInfo:
    """The dump inside the archive: its member name, size and sha256."""

    name: str
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: where it came from, when, and each table's summary."""

    backend: str
    server_version: str
    database: str
    schema_version: str | None
    created_at: str
    dump: DumpInfo
    tables: dict[str, TableSummary] = field(default_factory=dict)
    format: int = FORMAT_VERSION

    def to_json(self) -> str:
        """The manifest as indented JSON, tables sorted by name."""
        data = asdict(self)
        data["tables"] = {name: data["tables"][name] for name in sorted(data["tables"])}
        ordered = {"format": data.pop("format"), **data}  # the format first, for readers
        return json.dumps(ordered, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, *, source: str) -> Manifest:
        """Parse a manifest; a missing or mistyped field is a BackupError naming ``source``."""
        try:
            data: dict[str, Any] = json.loads(text)
            if data.get("format") != FORMAT_VERSION:
                raise BackupError(
                    f"{source}: manifest format {data.get('format')!r} is not supported "
                    f"(this covet-migrations reads format {FORMAT_VERSION})"
                )
            tables = {
                str(name): TableSummary(int(item["rows"]), str(item["checksum"]))
                for name, item in data["tables"].items()
            }
            dump = data["dump"]
            schema_version = data["schema_version"]
            return cls(
                backend=str(data["backend"]),
                server_version=str(data["server_version"]),
                database=str(data["database"]),
                schema_version=None if schema_version is None else str(schema_version),
                created_at=str(data["created_at"]),
                dump=DumpInfo(str(dump["name"]), int(dump["bytes"]), str(dump["sha256"])),
                tables=tables,
            )
        except BackupError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as error:
            raise BackupError(f"{source}: the manifest is not valid: {error!r}") from None


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string (what ``created_at`` holds)."""
    return datetime.datetime.now(datetime.UTC).isoformat()


def file_digest(path: Path) -> DumpInfo:
    """The size and sha256 of a dump file, named as it is stored in the archive."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return DumpInfo(path.name, size, digest.hexdigest())


def write_archive(output: Path, manifest: Manifest, dump: Path) -> None:
    """Write the backup file: the manifest, then the dump under ``manifest.dump.name``.

    The archive is written next to ``output`` and renamed into place at the end,
    so an interrupted backup never leaves a truncated file under the final name.
    """
    partial = output.with_name(output.name + ".partial")
    try:
        with tarfile.open(partial, "w") as archive:
            encoded = manifest.to_json().encode()
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size = len(encoded)
            info.mtime = int(datetime.datetime.now(datetime.UTC).timestamp())
            archive.addfile(info, io.BytesIO(encoded))
            archive.add(dump, arcname=manifest.dump.name, recursive=False)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)


def read_manifest(path: str | Path) -> Manifest:
    """The manifest of a backup file (raises BackupError if it is not one)."""
    path = Path(path)
    with _open(path) as archive:
        return _manifest(archive, path)


def extract_dump(path: Path, directory: Path) -> tuple[Manifest, Path]:
    """Copy the dump out of the archive into ``directory`` and check its sha256.

    A dump that changed after the backup was taken is refused here, before
    anything touches the database.
    """
    with _open(path) as archive:
        manifest = _manifest(archive, path)
        if manifest.dump.name != DUMP_NAMES.get(manifest.backend):
            raise BackupError(
                f"{path}: unexpected dump name {manifest.dump.name!r} "
                f"for a {manifest.backend} backup"
            )
        member = _member(archive, manifest.dump.name, path)
        target = directory / manifest.dump.name
        with target.open("wb") as out:
            shutil.copyfileobj(member, out, _CHUNK)
    found = file_digest(target)
    if (found.bytes, found.sha256) != (manifest.dump.bytes, manifest.dump.sha256):
        raise BackupError(
            f"{path}: the dump {manifest.dump.name} does not match its manifest "
            f"({found.bytes} bytes, sha256 {found.sha256[:12]}...; the manifest says "
            f"{manifest.dump.bytes} bytes, sha256 {manifest.dump.sha256[:12]}...): "
            "the file was altered or damaged, refusing to restore it"
        )
    return manifest, target


def _open(path: Path) -> tarfile.TarFile:
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    try:
        return tarfile.open(path, "r:")
    except tarfile.TarError as error:
        raise BackupError(f"{path} is not a CovetPy backup (not a tar archive: {error})") from None


def _member(archive: tarfile.TarFile, name: str, path: Path) -> IO[bytes]:
    try:
        member = archive.extractfile(name)
    except KeyError:
        member = None
    if member is None:
        raise BackupError(f"{path} is not a CovetPy backup: it has no {name}")
    return member


def _manifest(archive: tarfile.TarFile, path: Path) -> Manifest:
    text = _member(archive, MANIFEST_NAME, path).read().decode("utf-8", errors="replace")
    return Manifest.from_json(text, source=str(path))
