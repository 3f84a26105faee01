"""Schema editors: the SQL that makes each change, per vendor, without touching a database.

An operation asks the editor for statements (``create_table``, ``add_column``...) and the
runner executes them; ``covet migrations sql`` prints them instead. Because writing SQL needs
only a dialect, never a connection, the preview is exactly what would run (with, around it,
the transaction and, on SQLite, the foreign key PRAGMAs of ``runner.py``). RunPython code is
the exception: it has no SQL to show.

Column definitions come from covet-orm (:func:`covet.orm.schema.column_sql` of the column's
field), so a migrated table has the same column types as one ``create_tables`` made.

Constraints and indexes get predictable names, so that a later migration can drop them
without asking the database: ``<table>_<column>_key`` (unique), ``<table>_<column>_idx``
(index), ``<table>_<column>_fk`` (foreign key), ``<table>_<a>_<b>_uniq`` (a unique-together
group of columns a and b); a name too long for the 63-character limit is shortened with a
hash (as covet-orm's ``index_name`` does).

SQLite's ALTER TABLE can do little, so its editor rebuilds tables instead (``sqlite_rebuild.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from covet.migrations.errors import MigrationError
from covet.migrations.state import Column, Table
from covet.orm.dialects import Dialect, dialect_for_vendor
from covet.orm.relations import ON_DELETE_SQL
from covet.orm.schema import column_sql, constraint_name

__all__ = [
    "SchemaEditor",
    "Statement",
    "constraint_name",
    "dialect_for_vendor",
    "editor_for",
    "unique_together_name",
]


@dataclass(frozen=True)
class Statement:
    """One SQL statement and its bound parameters."""

    sql: str
    params: tuple[Any, ...] = ()

    def render(self) -> str:
        """The statement as text, parameters written in as literals (for ``sql`` output).

        The SQL is split at its placeholders first, so a literal that contains ``?`` or
        ``%s`` is never taken for the next placeholder.
        """
        marker = "?" if "?" in self.sql and "%s" not in self.sql else "%s"
        pieces = self.sql.split(marker) if self.params else [self.sql]
        if len(pieces) != len(self.params) + 1:
            raise MigrationError(f"{len(self.params)} parameter(s) for: {self.sql}")
        parts = [pieces[0]]
        for value, piece in zip(self.params, pieces[1:], strict=True):
            parts += [sql_literal(value), piece]
        return f"{''.join(parts)};"


def sql_literal(value: Any) -> str:
    """A value as a SQL literal, for display only (execution always binds parameters)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | int | float):
        return str(int(value) if isinstance(value, bool) else value)
    if isinstance(value, bytes):
        return f"X'{value.hex()}'"
    return "'" + str(value).replace("'", "''") + "'"


def unique_together_name(table: str, group: tuple[str, ...]) -> str:
    """``enrolment_course_id_student_id_uniq``: the constraint of a unique-together group."""
    return constraint_name(table, "_".join(group), "uniq")


class SchemaEditor:
    """The statements for each schema change; the base class speaks PostgreSQL."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    # --- helpers --------------------------------------------------------------------------

    def q(self, name: str) -> str:
        """``name`` quoted for the vendor (a plain identifier, or the dialect refuses it)."""
        return self.dialect.quote(name)

    def column_definition(self, column: Column) -> str:
        """``"email" VARCHAR(200) NULL``: type, nullability and key, from covet-orm."""
        return column_sql(column.replace(unique=False).to_field(), self.dialect)

    def type_sql(self, column: Column) -> str:
        """The column's type alone (``VARCHAR(200)``), as covet-orm writes it."""
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
            result.append(self.unique(constraint_name(table, column.name, "key"), (column.name,)))
        if column.references:
            result.append(self.foreign_key(table, column))
        return result

    def unique(self, name: str, columns: tuple[str, ...]) -> str:
        """``CONSTRAINT "name" UNIQUE ("a", "b")``: a column's key or a unique-together group."""
        listed = ", ".join(self.q(column) for column in columns)
        return f"CONSTRAINT {self.q(name)} UNIQUE ({listed})"

    def foreign_key(self, table: str, column: Column) -> str:
        """The FOREIGN KEY constraint clause of ``column`` of ``table``, with its ON DELETE."""
        assert column.references is not None
        target, target_column = column.references
        on_delete = ON_DELETE_SQL[column.on_delete or "CASCADE"]
        return (
            f"CONSTRAINT {self.q(constraint_name(table, column.name, 'fk'))} "
            f"FOREIGN KEY ({self.q(column.name)}) REFERENCES {self.q(target)} "
            f"({self.q(target_column)}) ON DELETE {on_delete}"
        )

    def create_index(self, table: str, column: str) -> Statement:
        """CREATE INDEX ``<table>_<column>_idx``: the index of ``index=True``."""
        name = self.q(constraint_name(table, column, "idx"))
        return Statement(f"CREATE INDEX {name} ON {self.q(table)} ({self.q(column)})")

    def drop_index(self, table: str, column: str) -> Statement:
        """Drop the index :meth:`create_index` made."""
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
        parts += [
            self.unique(unique_together_name(table.name, group), group)
            for group in table.unique_together
        ]
        sql = f"CREATE TABLE {self.q(name or table.name)} ({', '.join(parts)})"
        statements = [Statement(sql + self.dialect.create_table_suffix())]
        if name is None:
            statements += [self.create_index(table.name, c.name) for c in table.columns if c.index]
        return statements

    def drop_table(self, table: Table) -> list[Statement]:
        """DROP TABLE: its rows, indexes and constraints go with it."""
        return [Statement(f"DROP TABLE {self.q(table.name)}")]

    def rename_table_statement(self, old: str, new: str) -> Statement:
        """The statement that renames table ``old`` to ``new`` (its contents untouched)."""
        return Statement(f"ALTER TABLE {self.q(old)} RENAME TO {self.q(new)}")

    def rename_table(self, table: Table, new_name: str) -> list[Statement]:
        """Rename the table, and its indexes and constraints after it."""
        statements = [self.rename_table_statement(table.name, new_name)]
        for column in table.columns:
            statements += self.rename_column_objects(new_name, column, table.name, column.name)
        return statements + self.rename_unique_together(table, new_name, {})

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
        """Drop the column with its values, index and constraints."""
        return [Statement(f"ALTER TABLE {self.q(table.name)} DROP COLUMN {self.q(column.name)}")]

    def rename_column(self, table: Table, old: str, new: str) -> list[Statement]:
        """Rename the column, keeping its values; its index and constraints follow the name."""
        t = self.q(table.name)
        sql = f"ALTER TABLE {t} RENAME COLUMN {self.q(old)} TO {self.q(new)}"
        return [
            Statement(sql),
            *self.rename_column_objects(table.name, table.column(old), table.name, new),
            *self.rename_unique_together(table, table.name, {old: new}),
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
        # A foreign key is its target and its ON DELETE rule: a change of either remakes it.
        key_changed = (old.references, old.on_delete) != (new.references, new.on_delete)
        if old.references and key_changed:
            statements += self.drop_foreign_key(t, old)
        if old.index and not new.index:
            statements.append(self.drop_index(t, name))
        if old.unique and not new.unique:
            statements.append(self.drop_unique(t, constraint_name(t, name, "key")))
        if old.type_parameters() != new.type_parameters() or old.kind != new.kind:
            # Nullability changes below, after any NULLs are filled.
            statements += self.change_type(t, new.replace(null=old.null))
        if old.null != new.null:
            if not new.null and new.default is not None:
                statements.append(self.fill_nulls(t, new))
            statements += self.set_null(t, new, null=new.null)
        if new.unique and not old.unique:
            key = self.unique(constraint_name(t, name, "key"), (name,))
            statements.append(Statement(f"ALTER TABLE {self.q(t)} ADD {key}"))
        if new.index and not old.index:
            statements.append(self.create_index(t, name))
        if new.references and key_changed:
            statements.append(Statement(f"ALTER TABLE {self.q(t)} ADD {self.foreign_key(t, new)}"))
        return statements

    def fill_nulls(self, table: str, column: Column) -> Statement:
        """UPDATE the column's NULLs to its default (before it becomes NOT NULL)."""
        c = self.q(column.name)
        sql = f"UPDATE {self.q(table)} SET {c} = {self.dialect.placeholder} WHERE {c} IS NULL"
        return Statement(sql, (self.fill_value(column),))

    def set_null(self, table: str, column: Column, *, null: bool) -> list[Statement]:
        """Make the column accept NULL (``null=True``) or refuse it."""
        action = "DROP NOT NULL" if null else "SET NOT NULL"
        return [
            Statement(f"ALTER TABLE {self.q(table)} ALTER COLUMN {self.q(column.name)} {action}")
        ]

    def change_type(self, table: str, column: Column) -> list[Statement]:
        """Give the column ``column``'s type, converting its values (``USING``)."""
        new_type = self.type_sql(column)
        cast = new_type.split(" COLLATE ")[0]
        c = self.q(column.name)
        return [
            Statement(
                f"ALTER TABLE {self.q(table)} ALTER COLUMN {c} TYPE {new_type} USING {c}::{cast}"
            )
        ]

    def drop_unique(self, table: str, name: str) -> Statement:
        """Drop the unique constraint called ``name``."""
        return Statement(f"ALTER TABLE {self.q(table)} DROP CONSTRAINT {self.q(name)}")

    def rename_unique(self, table: str, old: str, new: str) -> Statement:
        """Rename the unique constraint ``old`` of ``table`` to ``new``."""
        return Statement(
            f"ALTER TABLE {self.q(table)} RENAME CONSTRAINT {self.q(old)} TO {self.q(new)}"
        )

    def drop_foreign_key(
        self, table: str, column: Column, *, old_table: str | None = None
    ) -> list[Statement]:
        """Drop the column's FOREIGN KEY (named after ``old_table`` when the table was renamed)."""
        fk = self.q(constraint_name(old_table or table, column.name, "fk"))
        return [Statement(f"ALTER TABLE {self.q(table)} DROP CONSTRAINT {fk}")]

    # --- unique-together groups -----------------------------------------------------------

    def add_unique_together(self, table: Table, group: tuple[str, ...]) -> list[Statement]:
        """Make ``group``'s columns unique together in ``table`` (as it is before)."""
        constraint = self.unique(unique_together_name(table.name, group), group)
        return [Statement(f"ALTER TABLE {self.q(table.name)} ADD {constraint}")]

    def drop_unique_together(self, table: Table, group: tuple[str, ...]) -> list[Statement]:
        """Drop ``group``'s constraint from ``table`` (as it is before, group included)."""
        return [self.drop_unique(table.name, unique_together_name(table.name, group))]

    def rename_unique_together(
        self, table: Table, new_table: str, renamed: dict[str, str]
    ) -> list[Statement]:
        """Give ``table``'s group constraints the names that match a new table or column name.

        ``renamed`` maps an old column name to its new one; ``table`` is the table before.
        """
        statements = []
        for group in table.unique_together:
            old = unique_together_name(table.name, group)
            new = unique_together_name(new_table, tuple(renamed.get(c, c) for c in group))
            if old != new:
                statements.append(self.rename_unique(new_table, old, new))
        return statements


class MySQLSchemaEditor(SchemaEditor):
    """MySQL/MariaDB: MODIFY COLUMN for type and nullability; indexes belong to their table."""

    def drop_index(self, table: str, column: str) -> Statement:
        name = self.q(constraint_name(table, column, "idx"))
        return Statement(f"DROP INDEX {name} ON {self.q(table)}")

    def alter_column(self, table: Table, old: Column, new: Column) -> list[Statement]:
        """As everywhere, except when a foreign key column loses its index (see below)."""
        if old.references and old.index and not new.index:
            # InnoDB uses the column's own index for the foreign key and refuses to drop it
            # while the key exists (error 1553). So the key goes first and is added back
            # after: InnoDB then makes an index of its own for it.
            loose = old.replace(references=None, on_delete=None)
            return [
                *self.drop_foreign_key(table.name, old),
                *super().alter_column(table, loose, new),
            ]
        return super().alter_column(table, old, new)

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

    def rename_table_statement(self, old: str, new: str) -> Statement:
        return Statement(f"RENAME TABLE {self.q(old)} TO {self.q(new)}")

    def set_null(self, table: str, column: Column, *, null: bool) -> list[Statement]:
        return self.change_type(table, column.replace(null=null))

    def change_type(self, table: str, column: Column) -> list[Statement]:
        definition = self.column_definition(column)
        return [Statement(f"ALTER TABLE {self.q(table)} MODIFY COLUMN {definition}")]

    def drop_unique(self, table: str, name: str) -> Statement:
        return Statement(f"ALTER TABLE {self.q(table)} DROP INDEX {self.q(name)}")

    def rename_unique(self, table: str, old: str, new: str) -> Statement:
        return Statement(f"ALTER TABLE {self.q(table)} RENAME INDEX {self.q(old)} TO {self.q(new)}")

    def drop_unique_together(self, table: Table, group: tuple[str, ...]) -> list[Statement]:
        # InnoDB lets a foreign key use any index that starts with its column, and refuses to
        # drop the last one that does. A group that starts with a foreign key column may be
        # that index: an index of the key's own takes over, named as InnoDB would name it
        # (dropping the foreign key later drops it too), in the same statement.
        first = table.column(group[0])
        own_index = ""
        if first.references and not (first.unique or first.index):
            fk = self.q(constraint_name(table.name, first.name, "fk"))
            own_index = f"ADD INDEX IF NOT EXISTS {fk} ({self.q(first.name)}), "
        name = self.q(unique_together_name(table.name, group))
        return [Statement(f"ALTER TABLE {self.q(table.name)} {own_index}DROP INDEX {name}")]

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
