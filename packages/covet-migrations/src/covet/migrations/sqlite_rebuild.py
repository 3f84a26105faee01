"""SQLite: changing a table by rebuilding it.

SQLite's ALTER TABLE can rename a table or a column and add a plain column, and little else:
it cannot change a column's type or nullability, add or drop a constraint of an existing
table (a unique-together group included), or (safely, before 3.35) drop a column. So for
those changes the editor follows the procedure SQLite's own documentation gives ("Making
Other Kinds Of Table Schema Changes")::

    CREATE TABLE "new__book" (...the table as it should be...);
    INSERT INTO "new__book" (...) SELECT ... FROM "book";     -- every row, converted
    DROP TABLE "book";
    ALTER TABLE "new__book" RENAME TO "book";
    CREATE INDEX ...;                                        -- the indexes, again

Rows, indexes, foreign keys and unique-together groups survive: the new table is written from
the target state, so it has every constraint, and the SELECT carries every row across
(filling a new NOT NULL column with its default, ``COALESCE``-ing NULLs of a column that
becomes NOT NULL).

So does the AUTOINCREMENT counter. SQLite keeps it in ``sqlite_sequence``, one row per table,
and dropping the old table deletes its row: the new table would start again from the largest
key still present, and hand out once more the keys of rows deleted at the end. The rebuild
copies the old table's row to the new table before the drop (the rename carries it along).

The documented procedure also needs foreign key enforcement switched off while it runs
(otherwise ``DROP TABLE`` would delete, or refuse, the rows that point at the table), and a
``PRAGMA foreign_key_check`` before committing. The runner does both around every SQLite
migration (``runner.py``), because ``PRAGMA foreign_keys`` cannot change inside a transaction.
"""

from __future__ import annotations

from covet.migrations.schema_editor import SchemaEditor, Statement
from covet.migrations.state import Column, Table

__all__ = ["SQLiteSchemaEditor"]

#: Where a column of the rebuilt table takes its values from: SQL text and its parameters.
Source = tuple[str, tuple[object, ...]]


class SQLiteSchemaEditor(SchemaEditor):
    """SQLite: ALTER where SQLite can, a rebuild of the table where it cannot."""

    def add_column(self, table: Table, column: Column) -> list[Statement]:
        if column.null and not column.unique and not column.references:
            t = self.q(table.name)
            sql = f"ALTER TABLE {t} ADD COLUMN {self.column_definition(column)}"
            index = [self.create_index(table.name, column.name)] if column.index else []
            return [Statement(sql), *index]
        after = table.with_columns([*table.columns, column])
        value = self.fill_value(column) if column.default is not None else None
        return self.rebuild(table, after, {column.name: (self.dialect.placeholder, (value,))})

    def drop_column(self, table: Table, column: Column) -> list[Statement]:
        after = table.with_columns([c for c in table.columns if c.name != column.name])
        return self.rebuild(table, after, {})

    def rename_column(self, table: Table, old: str, new: str) -> list[Statement]:
        return self.rebuild(table, table.with_column_renamed(old, new), {new: (self.q(old), ())})

    def alter_column(self, table: Table, old: Column, new: Column) -> list[Statement]:
        if old.replace(index=new.index) == new:
            # Only the index: SQLite creates and drops indexes like everyone else.
            return [
                self.create_index(table.name, new.name)
                if new.index
                else self.drop_index(table.name, new.name)
            ]
        after = table.with_columns([new if c.name == old.name else c for c in table.columns])
        sources: dict[str, Source] = {}
        if old.null and not new.null and new.default is not None:
            c = self.q(old.name)
            sources[new.name] = (
                f"COALESCE({c}, {self.dialect.placeholder})",
                (self.fill_value(new),),
            )
        return self.rebuild(table, after, sources)

    def add_unique_together(self, table: Table, group: tuple[str, ...]) -> list[Statement]:
        after = table.with_columns(table.columns)
        after.unique_together.append(group)
        return self.rebuild(table, after, {})

    def drop_unique_together(self, table: Table, group: tuple[str, ...]) -> list[Statement]:
        after = table.with_columns(table.columns)
        after.unique_together.remove(group)
        return self.rebuild(table, after, {})

    def rename_table(self, table: Table, new_name: str) -> list[Statement]:
        # SQLite (3.26+) updates the foreign keys of other tables that point at it. Indexes
        # cannot be renamed: they are made again under the new table's name. Constraint
        # names inside the table's definition may stay: SQLite drops a constraint by
        # rebuilding the table, never by its name.
        statements = [self.rename_table_statement(table.name, new_name)]
        for column in table.columns:
            if column.index:
                statements.append(self.drop_index(table.name, column.name))
                statements.append(self.create_index(new_name, column.name))
        return statements

    def rebuild(self, before: Table, after: Table, sources: dict[str, Source]) -> list[Statement]:
        """The statements that turn table ``before`` into ``after``, keeping its rows.

        A column of ``after`` takes its values from ``sources`` when named there, else from
        the column of the same name in ``before``.
        """
        temporary = f"new__{after.name}"[:63]
        statements = self.create_table(after, name=temporary)
        names: list[str] = []
        expressions: list[str] = []
        params: list[object] = []
        for column in after.columns:
            expression, values = sources.get(column.name, (self.q(column.name), ()))
            names.append(self.q(column.name))
            expressions.append(expression)
            params.extend(values)
        statements.append(
            Statement(
                f"INSERT INTO {self.q(temporary)} ({', '.join(names)}) "
                f"SELECT {', '.join(expressions)} FROM {self.q(before.name)}",
                tuple(params),
            )
        )
        if any(c.primary_key and c.to_field().auto_generated for c in after.columns):
            statements += self.keep_sequence(before.name, temporary)
        statements.append(Statement(f"DROP TABLE {self.q(before.name)}"))
        statements.append(self.rename_table_statement(temporary, after.name))
        statements += [self.create_index(after.name, c.name) for c in after.columns if c.index]
        return statements

    def keep_sequence(self, table: str, temporary: str) -> list[Statement]:
        """Give ``temporary`` the AUTOINCREMENT counter of ``table`` (in ``sqlite_sequence``).

        The copy made a row for ``temporary`` with the largest key copied (or none, for an
        empty table); it is replaced by the old table's, which remembers deleted keys too.
        """
        p = self.dialect.placeholder
        return [
            Statement(f"DELETE FROM sqlite_sequence WHERE name = {p}", (temporary,)),
            Statement(
                f"INSERT INTO sqlite_sequence (name, seq) "
                f"SELECT {p}, seq FROM sqlite_sequence WHERE name = {p}",
                (temporary, table),
            ),
        ]
