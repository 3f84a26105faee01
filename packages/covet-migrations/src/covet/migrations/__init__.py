"""covet-migrations: schema changes that reach a live database safely, and backups."""

from __future__ import annotations

from covet.migrations.__about__ import __version__

# Backup and restore: `covet db backup | restore | inspect` (covet.migrations.backup).
from covet.migrations.backup import (
    BackupError,
    Manifest,
    TableSummary,
    VerificationError,
    backup_database,
    read_manifest,
    restore_database,
    verify_database,
)

__all__ = [
    "__version__",
    # Backup and restore
    "BackupError",
    "Manifest",
    "TableSummary",
    "VerificationError",
    "backup_database",
    "read_manifest",
    "restore_database",
    "verify_database",
]
