"""The history table: which migrations a database has applied, with what file, and when.

``covet_migrations`` has one row per applied migration::

    id          auto primary key (the order they were applied in)
    name        varchar(255), unique   e.g. "0002_add_column_author_email"
    checksum    64 hex digits          sha256 of the migration file's bytes when it ran
    applied_at  timestamp (UTC)

The table is declared as a covet-orm model, so its DDL comes from covet-orm like any other
table's. Other tools may read it: covet-migrations' backups take the latest ``name`` as the
schema version (``SELECT name FROM covet_migrations ORDER BY id DESC``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from covet.orm.database import Database
from covet.orm.dialects import Dialect, dialect_for
from covet.orm.fields import CharField, DateTimeField
from covet.orm.models import Model
from covet.orm.schema import create_table_sql

__all__ = ["HISTORY_TABLE", "AppliedMigration", "MigrationRecord", "Recorder"]

HISTORY_TABLE = "covet_migrations"


class MigrationRecord(Model):
    """One row of the history table (used for its DDL; the recorder queries it directly)."""

    __tablename__ = HISTORY_TABLE
    name = CharField(max_length=255, unique=True)
    checksum = CharField(max_length=64)
    applied_at = DateTimeField()


@dataclass(frozen=True)
class AppliedMigration:
    """What the history says about one applied migration."""

    name: str
    checksum: str
    applied_at: datetime.datetime


class Recorder:
    """Reads and writes the history table of one database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def dialect(self) -> Dialect:
        return await dialect_for(self.database)

    async def ensure_table(self) -> None:
        """Create the history table if it does not exist yet."""
        for statement in create_table_sql(MigrationRecord, await self.dialect()):
            await self.database.execute(statement)

    async def applied(self) -> dict[str, AppliedMigration]:
        """Every applied migration by name, in the order they were applied."""
        dialect = await self.dialect()
        rows = await self.database.fetch_all(
            f"SELECT name, checksum, applied_at FROM {dialect.quote(HISTORY_TABLE)} ORDER BY id"
        )
        return {
            name: AppliedMigration(name, checksum, dialect.convert_datetime(applied_at))
            for name, checksum, applied_at in rows
        }

    async def is_applied(self, name: str) -> bool:
        dialect = await self.dialect()
        row = await self.database.fetch_one(
            f"SELECT 1 FROM {dialect.quote(HISTORY_TABLE)} WHERE name = {dialect.placeholder}",
            [name],
        )
        return row is not None

    async def record(self, name: str, checksum: str) -> None:
        """Write down that ``name`` was applied now."""
        dialect = await self.dialect()
        now = dialect.adapt_datetime(datetime.datetime.now(datetime.UTC))
        p = dialect.placeholder
        await self.database.execute(
            f"INSERT INTO {dialect.quote(HISTORY_TABLE)} (name, checksum, applied_at) "
            f"VALUES ({p}, {p}, {p})",
            [name, checksum, now],
        )

    async def forget(self, names: list[str]) -> None:
        """Remove ``names`` from the history (after rolling them back)."""
        dialect = await self.dialect()
        for name in names:
            await self.database.execute(
                f"DELETE FROM {dialect.quote(HISTORY_TABLE)} WHERE name = {dialect.placeholder}",
                [name],
            )
