"""Backup and restore: one file holding a dump and a manifest that proves it.

Reading order: :mod:`.api` (the entry points), :mod:`.archive` (the file
format), :mod:`.checksums` (what "the same data" means), then one backend each:
:mod:`.sqlite` (the online backup API), :mod:`.postgres` (an exported snapshot
shared with pg_dump), :mod:`.mysql` (two snapshots opened under one lock).
"""

from __future__ import annotations

from covet.migrations.backup.api import (
    backup_database,
    default_backup_name,
    restore_database,
    verify_database,
)
from covet.migrations.backup.archive import FORMAT_VERSION, DumpInfo, Manifest, read_manifest
from covet.migrations.backup.checksums import TableSummary, canonical_value, table_summaries
from covet.migrations.backup.errors import BackupError, VerificationError

__all__ = [
    "FORMAT_VERSION",
    "BackupError",
    "DumpInfo",
    "Manifest",
    "TableSummary",
    "VerificationError",
    "backup_database",
    "canonical_value",
    "default_backup_name",
    "read_manifest",
    "restore_database",
    "table_summaries",
    "verify_database",
]
