"""Schema editors: the SQL that makes each change, per vendor, without touching a database.

An operation asks the editor for statements (``create_table``, ``add_column``...) and the
runner executes them; ``covet migrations sql`` prints them instead. Because writing SQL needs
only a dialect, never a connection, the preview is exactly what would run.

Column definitions come from covet-orm (:func:`covet.orm.schema.column_sql` of the column's
field), so a migrated table has the same column types as one ``create_tables`` made.

Constraints and indexes get predictable names, so that a later migration can drop them
without asking the database: ``<table>_<column>_key`` (unique), ``<table>_<column>_idx``
(index), ``<table>_<column>_fk`` (foreign key); a name too long for the 63-character limit is
shortened with a hash (as covet-orm's ``index_name`` does).

SQLite's ALTER TABLE can do little, so its editor rebuilds tables instead (``sqlite_rebuild.py``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from covet.migrations.errors import MigrationError
from covet.migrations.state import Column, Table
from covet.orm.dialects import Dialect, MySQLDialect, PostgreSQLDialect, SQLiteDialect
from covet.orm.relations import ON_DELETE_SQL
from covet.orm.schema import column_sql

__all__ = ["SchemaEditor", "Statement", "constraint_name", "dialect_for_vendor", "editor_for"]


@dataclass(frozen=True)
class Statement:
    """One SQL statement and its bound parameters."""

    sql: str
    params: tuple[Any, ...] = ()

    def render(self) -> str:
        """The statement as text, parameters written in as literals (for ``sql`` output)."""
        sql = self.sql
        for value in self.params:
            for marker in ("%s", "?"):
                if marker in sql:
                    sql = sql.replace(marker, sql_literal(value), 1)
                    break
        return f"{sql};"


def sql_literal(value: Any) -> str:
    """A value as a SQL literal, for display only (execution always binds parameters)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | int | float):
        return str(int(value) if isinstance(value, bool) else value)
    if isinstance(value, bytes):
        return f"X'{value.hex()}'"
    return "'" + str(value).replace("'", "''") + "'"


def constraint_name(table: str, column: str, suffix: str) -> str:
    """``users_email_key``; shortened with a hash when over PostgreSQL's 63 characters."""
    name = f"{table}_{column}_{suffix}"
    if len(name) > 63:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[:50]}_{digest}_{suffix}"
    return name


def dialect_for_vendor(vendor: str) -> Dialect:
    """The dialect of ``sqlite``, ``postgresql`` or ``mysql``: no connection needed."""
    dialects: dict[str, type[Dialect]] = {
        "sqlite": SQLiteDialect,
        "postgresql": PostgreSQLDialect,
        "mysql": MySQLDialect,
    }
    return dialects[vendor]()


class SchemaEditor:
    """The statements for each schema change; the base class speaks PostgreSQL."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    # --- helpers --------------------------------------------------------------------------

    def q(self, name: str) -> str:
        return self.dialect.quote(name)

    def column_definition(self, column: Column) -> str:
        """``"email" VARCHAR(200) NULL``: type, nullability and key, from covet-orm."""
        return column_sql(column.replace(unique=False).to_field(), self.dialect)

    def type_sql(self, column: Column) -> str:
        return self.dialect.column_type(column.to_field())

    def fill_value(self, column: Column) -> Any:
        """The default as the driver takes it (booleans are 0/1 where the vendor wants)."""
        if isinstance(column.default, bool):
            return self.dialect.adapt_bool(column.default)
        return column.default

    def constraints(self, table: str, column: Column) -> list[str]:
        """The table constraints a column brings: UNIQUE and FOREIGN KEY."""
        result = []
        if column.unique:
            name = self.q(constraint_name(table, column.name, "key"))
            result.append(f"CONSTRAINT {name} UNIQUE ({self.q(column.name)})")
        if column.references:
            result.append(self.foreign_key(table, column))
        return result

    def foreign_key(self, table: str, column: Column) -> str:
        assert column.references is not None
        target, target_column = column.references
        on_delete = ON_DELETE_SQL[column.on_delete or "CASCADE"]
        return (
            f"CONSTRAINT {self.q(constraint_name(table, column.name, 'fk'))} "
            f"FOREIGN KEY ({self.q(column.name)}) REFERENCES {self.q(target)} "
            f"({self.q(target_column)}) ON DELETE {on_delete}"
        )

    def create_index(self, table: str, column: str) -> Statement:
        name = self.q(constraint_name(table, column, "idx"))
        return Statement(f"CREATE INDEX {name} ON {self.q(table)} ({self.q(column)})")

    def drop_index(self, table: str, column: str) -> Statement:
        return Statement(f"DROP INDEX {self.q(constraint_name(table, column, 'idx'))}")

    # --- tables ---------------------------------------------------------------------------

    def create_table(self, table: Table, *, name: str | None = None) -> list[Statement]:
        """CREATE TABLE with its columns and constraints, then one CREATE INDEX per index.

        ``name`` creates the table under another name (a SQLite rebuild's new table) with
        constraints still named after ``table.name``.
        """
        parts = [self.column_definition(column) for column in table.columns]
        for column in table.columns:
            parts += self.constraints(table.name, column)
        sql = f"CREATE TABLE {self.q(name or table.name)} ({', '.join(parts)})"
        statements = [Statement(sql + self.dialect.create_table_suffix())]
        if name is None:
            statements += [self.create_index(table.name, c.name) for c in table.columns if c.index]
        return statements

    def drop_table(self, table: Table) -> list[Statement]:
        return [Statement(f"DROP TABLE {self.q(table.name)}")]

    def rename_table(self, table: Table, new_name: str) -> list[Statement]:
        """Rename the table, and its indexes and constraints after it."""
        statements = [Statement(f"ALTER TABLE {self.q(table.name)} RENAME TO {self.q(new_name)}")]
        for column in table.columns:
            statements += self.rename_column_objects(new_name, column, table.name, column.name)
        return statements

    # --- columns --------------------------------------------------------------------------

    def add_column(self, table: Table, column: Column) -> list[Statement]:
        """Add the column; a NOT NULL one with a default is added empty, filled, then tightened."""
        t = self.q(table.name)
        fill = column.default is not None and not column.null
        loose = column.replace(null=True) if fill else column
        statements = [Statement(f"ALTER TABLE {t} ADD COLUMN {self.column_definition(loose)}")]
        if fill:
            statements.append(self.fill_nulls(table.name, column))
            statements += self.set_null(table.name, column, null=False)
        statements += [
            Statement(f"ALTER TABLE {t} ADD {c}") for c in self.constraints(table.name, column)
        ]
        if column.index:
            statements.append(self.create_index(table.name, column.name))
        return statements

    def drop_column(self, table: Table, column: Column) -> list[Statement]:
        return [Statement(f"ALTER TABLE {self.q(table.name)} DROP COLUMN {self.q(column.name)}")]

    def rename_column(self, table: Table, old: str, new: str) -> list[Statement]:
        t = self.q(table.name)
        sql = f"ALTER TABLE {t} RENAME COLUMN {self.q(old)} TO {self.q(new)}"
        return [
            Statement(sql),
            *self.rename_column_objects(table.name, table.column(old), table.name, new),
        ]

    def rename_column_objects(
        self, table: str, column: Column, old_table: str, new_column: str
    ) -> list[Statement]:
        """Give a column's index and constraints the names that match its new name."""
        statements = []
        if column.index:
            old = self.q(constraint_name(old_table, column.name, "idx"))
            new = self.q(constraint_name(table, new_column, "idx"))
            statements.append(Statement(f"ALTER INDEX {old} RENAME TO {new}"))
        for suffix, present in (("key", column.unique), ("fk", column.references is not None)):
            if present:
                old = self.q(constraint_name(old_table, column.name, suffix))
                new = self.q(constraint_name(table, new_column, suffix))
                statements.append(
                    Statement(f"ALTER TABLE {self.q(table)} RENAME CONSTRAINT {old} TO {new}")
                )
        return statements

    def alter_column(self, table: Table, old: Column, new: Column) -> list[Statement]:
        """Whatever changed between ``old`` and ``new`` (same name), in a safe order."""
        t, name = table.name, old.name
        statements: list[Statement] = []
        if old.references and old.references != new.references:
            statements += self.drop_foreign_key(t, old)
        if old.index and not new.index:
            statements.append(self.drop_index(t, name))
        if old.unique and not new.unique:
            statements += self.drop_unique(t, name)
        if old.type_parameters() != new.type_parameters() or old.kind != new.kind:
            # Nullability changes below, after any NULLs are filled.
            statements += self.change_type(t, new.replace(null=old.null))
        if old.null != new.null:
            if not new.null and new.default is not None:
                statements.append(self.fill_nulls(t, new))
            statements += self.set_null(t, new, null=new.null)
        if new.unique and not old.unique:
            key = self.q(constraint_name(t, name, "key"))
            statements.append(
                Statement(f"ALTER TABLE {self.q(t)} ADD CONSTRAINT {key} UNIQUE ({self.q(name)})")
            )
        if new.index and not old.index:
            statements.append(self.create_index(t, name))
        if new.references and old.references != new.references:
            statements.append(Statement(f"ALTER TABLE {self.q(t)} ADD {self.foreign_key(t, new)}"))
        return statements

    def fill_nulls(self, table: str, column: Column) -> Statement:
        c = self.q(column.name)
        sql = f"UPDATE {self.q(table)} SET {c} = {self.dialect.placeholder} WHERE {c} IS NULL"
        return Statement(sql, (self.fill_value(column),))

    def set_null(self, table: str, column: Column, *, null: bool) -> list[Statement]:
        action = "DROP NOT NULL" if null else "SET NOT NULL"
        return [
            Statement(f"ALTER TABLE {self.q(table)} ALTER COLUMN {self.q(column.name)} {action}")
        ]

    def change_type(self, table: str, column: Column) -> list[Statement]:
        new_type = self.type_sql(column)
        cast = new_type.split(" COLLATE ")[0]
        c = self.q(column.name)
        return [
            Statement(
                f"ALTER TABLE {self.q(table)} ALTER COLUMN {c} TYPE {new_type} USING {c}::{cast}"
            )
        ]

    def drop_unique(self, table: str, column: str) -> list[Statement]:
        key = self.q(constraint_name(table, column, "key"))
        return [Statement(f"ALTER TABLE {self.q(table)} DROP CONSTRAINT {key}")]

    def drop_foreign_key(
        self, table: str, column: Column, *, old_table: str | None = None
    ) -> list[Statement]:
        fk = self.q(constraint_name(old_table or table, column.name, "fk"))
        return [Statement(f"ALTER TABLE {self.q(table)} DROP CONSTRAINT {fk}")]


class MySQLSchemaEditor(SchemaEditor):
    """MySQL/MariaDB: MODIFY COLUMN for type and nullability; indexes belong to their table."""

    def drop_index(self, table: str, column: str) -> Statement:
        name = self.q(constraint_name(table, column, "idx"))
        return Statement(f"DROP INDEX {name} ON {self.q(table)}")

    def drop_column(self, table: Table, column: Column) -> list[Statement]:
        # A foreign key holds on to its column: MySQL refuses to drop the column first.
        fk = self.drop_foreign_key(table.name, column) if column.references else []
        return [*fk, *super().drop_column(table, column)]

    def rename_column_objects(
        self, table: str, column: Column, old_table: str, new_column: str
    ) -> list[Statement]:
        statements = []
        for suffix, present in (("idx", column.index), ("key", column.unique)):
            if present:
                old = self.q(constraint_name(old_table, column.name, suffix))
                new = self.q(constraint_name(table, new_column, suffix))
                statements.append(
                    Statement(f"ALTER TABLE {self.q(table)} RENAME INDEX {old} TO {new}")
                )
        if column.references:
            # A foreign key cannot be renamed in MySQL: it is dropped and made again.
            renamed = column.replace(name=new_column)
            statements += self.drop_foreign_key(table, column, old_table=old_table)
            statements.append(
                Statement(f"ALTER TABLE {self.q(table)} ADD {self.foreign_key(table, renamed)}")
            )
        return statements

    def rename_table(self, table: Table, new_name: str) -> list[Statement]:
        statements = [Statement(f"RENAME TABLE {self.q(table.name)} TO {self.q(new_name)}")]
        for column in table.columns:
            statements += self.rename_column_objects(new_name, column, table.name, column.name)
        return statements

    def set_null(self, table: str, column: Column, *, null: bool) -> list[Statement]:
        return self.change_type(table, column.replace(null=null))

    def change_type(self, table: str, column: Column) -> list[Statement]:
        definition = self.column_definition(column)
        return [Statement(f"ALTER TABLE {self.q(table)} MODIFY COLUMN {definition}")]

    def drop_unique(self, table: str, column: str) -> list[Statement]:
        key = self.q(constraint_name(table, column, "key"))
        return [Statement(f"ALTER TABLE {self.q(table)} DROP INDEX {key}")]

    def drop_foreign_key(
        self, table: str, column: Column, *, old_table: str | None = None
    ) -> list[Statement]:
        # InnoDB made an index for the key (named after it) unless one was there: it goes
        # too. DROP INDEX IF EXISTS is MariaDB's (MySQL 8 lacks it).
        t = self.q(table)
        fk = self.q(constraint_name(old_table or table, column.name, "fk"))
        return [
            Statement(f"ALTER TABLE {t} DROP FOREIGN KEY {fk}"),
            Statement(f"ALTER TABLE {t} DROP INDEX IF EXISTS {fk}"),
        ]


def editor_for(dialect: Dialect) -> SchemaEditor:
    """The schema editor for ``dialect``'s vendor."""
    if dialect.vendor == "sqlite":
        from covet.migrations.sqlite_rebuild import SQLiteSchemaEditor

        return SQLiteSchemaEditor(dialect)
    if dialect.vendor == "mysql":
        return MySQLSchemaEditor(dialect)
    if dialect.vendor != "postgresql":
        raise MigrationError(f"no schema editor for {dialect.vendor!r}")
    return SchemaEditor(dialect)
