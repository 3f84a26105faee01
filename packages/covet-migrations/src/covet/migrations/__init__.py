"""covet-migrations: schema changes that reach a live database safely.

The whole public API is listed in ``__all__`` below. Migration files import what they use
from here: ``from covet.migrations import AddColumn, Column``.
"""

from __future__ import annotations

from covet.migrations.__about__ import __version__
from covet.migrations.autodetector import Renames, detect_changes, parse_renames

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
from covet.migrations.commands import check, find_models, make_migration, migration_sql
from covet.migrations.errors import (
    AmbiguousRenameError,
    ChecksumMismatchError,
    MigrationError,
    MigrationFailedError,
)
from covet.migrations.introspection import expected_schema, introspect, schema_differences
from covet.migrations.loader import Migration, load_migrations, state_after
from covet.migrations.operations import (
    AddColumn,
    AddIndex,
    AlterColumn,
    CreateTable,
    DropColumn,
    DropIndex,
    DropTable,
    Operation,
    RenameColumn,
    RenameTable,
)
from covet.migrations.recorder import HISTORY_TABLE
from covet.migrations.runner import ZERO, MigrationRunner, PlanStep
from covet.migrations.schema_editor import Statement, editor_for
from covet.migrations.special import RunPython, RunSQL
from covet.migrations.squash import squash_migrations
from covet.migrations.state import Column, ProjectState, Table, state_from_models

__all__ = [
    "HISTORY_TABLE",
    "ZERO",
    "AddColumn",
    "AddIndex",
    "AlterColumn",
    "AmbiguousRenameError",
    "ChecksumMismatchError",
    "Column",
    "CreateTable",
    "DropColumn",
    "DropIndex",
    "DropTable",
    "Migration",
    "MigrationError",
    "MigrationFailedError",
    "MigrationRunner",
    "Operation",
    "PlanStep",
    "ProjectState",
    "RenameColumn",
    "RenameTable",
    "Renames",
    "RunPython",
    "RunSQL",
    "Statement",
    "Table",
    "__version__",
    "check",
    "detect_changes",
    "editor_for",
    "expected_schema",
    "find_models",
    "introspect",
    "load_migrations",
    "make_migration",
    "migration_sql",
    "parse_renames",
    "schema_differences",
    "squash_migrations",
    "state_after",
    "state_from_models",
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
