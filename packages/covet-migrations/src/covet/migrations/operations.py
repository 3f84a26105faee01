"""Operations: the steps a migration file lists, each able to go forwards and backwards.

An operation does two things, kept apart:

- ``state_forwards(state)`` changes the *described* schema (a :class:`ProjectState`), so that
  replaying every migration's operations tells what the database should look like;
- ``sql(editor, before, after, backwards=...)`` writes the statements that make the change in
  a real database, forwards (``before`` -> ``after``) or backwards. A schema operation needs
  both states to go backwards: ``DropColumn`` only says which column, the state before it
  says what that column was.

The schema operations (tables, columns, indexes) are what the autodetector writes; the data
operations (:class:`RunSQL`, :class:`RunPython`, in ``special.py``) are written by hand.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from covet.migrations.state import Column, ProjectState, Table, source

if TYPE_CHECKING:
    from covet.migrations.schema_editor import SchemaEditor, Statement
    from covet.orm.database import Database

__all__ = [
    "AddColumn",
    "AddIndex",
    "AlterColumn",
    "CreateTable",
    "DropColumn",
    "DropIndex",
    "DropTable",
    "Operation",
    "RenameColumn",
    "RenameTable",
]


class Operation(ABC):
    """One step of a migration. Subclasses say what it does to the state and to a database."""

    #: False for an operation with no way back (a RunSQL without ``reverse_sql``).
    reversible = True

    @abstractmethod
    def describe(self) -> str:
        """One line for plans and error reports: ``Add column author.email``."""

    @abstractmethod
    def state_forwards(self, state: ProjectState) -> None:
        """Apply this operation to ``state`` (in place)."""

    @abstractmethod
    def sql(
        self, editor: SchemaEditor, before: ProjectState, after: ProjectState, *, backwards: bool
    ) -> list[Statement]:
        """The statements that make the change (``backwards``: that undo it)."""

    async def run(
        self,
        database: Database,
        editor: SchemaEditor,
        before: ProjectState,
        after: ProjectState,
        *,
        backwards: bool,
    ) -> None:
        """Make the change in ``database``: by default, execute :meth:`sql`."""
        for statement in self.sql(editor, before, after, backwards=backwards):
            await database.execute(statement.sql, statement.params)

    @abstractmethod
    def render(self) -> str:
        """Python source for a migration file."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.describe()}>"


def _render_columns(columns: list[Column]) -> str:
    inner = "".join(f"            {column.render()},\n" for column in columns)
    return f"[\n{inner}        ]"


class CreateTable(Operation):
    """Create a table with its columns, constraints and indexes."""

    def __init__(self, name: str, columns: list[Column]) -> None:
        self.name, self.columns = name, list(columns)

    def describe(self) -> str:
        return f"Create table {self.name}"

    def state_forwards(self, state: ProjectState) -> None:
        state.tables[self.name] = Table(self.name, list(self.columns))

    def sql(
        self, editor: SchemaEditor, before: ProjectState, after: ProjectState, *, backwards: bool
    ) -> list[Statement]:
        table = after.table(self.name)
        return editor.drop_table(table) if backwards else editor.create_table(table)

    def render(self) -> str:
        columns = _render_columns(self.columns)
        return f"CreateTable(\n        {source(self.name)},\n        {columns},\n    )"


class DropTable(Operation):
    """Drop a table (its rows are lost; going backwards makes it again, empty)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def describe(self) -> str:
        return f"Drop table {self.name}"

    def state_forwards(self, state: ProjectState) -> None:
        state.table(self.name)
        del state.tables[self.name]

    def sql(
        self, editor: SchemaEditor, before: ProjectState, after: ProjectState, *, backwards: bool
    ) -> list[Statement]:
        table = before.table(self.name)
        return editor.create_table(table) if backwards else editor.drop_table(table)

    def render(self) -> str:
        return f"DropTable({source(self.name)})"


class RenameTable(Operation):
    """Rename a table, keeping its rows."""

    def __init__(self, old_name: str, new_name: str) -> None:
        self.old_name, self.new_name = old_name, new_name

    def describe(self) -> str:
        return f"Rename table {self.old_name} to {self.new_name}"

    def state_forwards(self, state: ProjectState) -> None:
        table = state.table(self.old_name)
        del state.tables[self.old_name]
        table.name = self.new_name
        state.tables[self.new_name] = table
        for other in state.tables.values():  # foreign keys that pointed at the old name
            other.columns = [
                c.replace(references=(self.new_name, c.references[1]))
                if c.references and c.references[0] == self.old_name
                else c
                for c in other.columns
            ]

    def sql(
        self, editor: SchemaEditor, before: ProjectState, after: ProjectState, *, backwards: bool
    ) -> list[Statement]:
        if backwards:
            return editor.rename_table(after.table(self.new_name), self.old_name)
        return editor.rename_table(before.table(self.old_name), self.new_name)

    def render(self) -> str:
        return f"RenameTable({source(self.old_name)}, {source(self.new_name)})"


class AddColumn(Operation):
    """Add a column; existing rows get its ``default`` when it is NOT NULL."""

    def __init__(self, table: str, column: Column) -> None:
        self.table, self.column = table, column

    def describe(self) -> str:
        return f"Add column {self.table}.{self.column.name}"

    def state_forwards(self, state: ProjectState) -> None:
        state.table(self.table).columns.append(self.column)

    def sql(
        self, editor: SchemaEditor, before: ProjectState, after: ProjectState, *, backwards: bool
    ) -> list[Statement]:
        if backwards:
            return editor.drop_column(after.table(self.table), self.column)
        return editor.add_column(before.table(self.table), self.column)

    def render(self) -> str:
        return f"AddColumn({source(self.table)}, {self.column.render()})"


class DropColumn(Operation):
    """Drop a column and its values."""

    def __init__(self, table: str, name: str) -> None:
        self.table, self.name = table, name

    def describe(self) -> str:
        return f"Drop column {self.table}.{self.name}"

    def state_forwards(self, state: ProjectState) -> None:
        table = state.table(self.table)
        table.column(self.name)
        table.columns = [c for c in table.columns if c.name != self.name]

    def sql(
        self, editor: SchemaEditor, before: ProjectState, after: ProjectState, *, backwards: bool
    ) -> list[Statement]:
        column = before.table(self.table).column(self.name)
        if backwards:
            return editor.add_column(after.table(self.table), column)
        return editor.drop_column(before.table(self.table), column)

    def render(self) -> str:
        return f"DropColumn({source(self.table)}, {source(self.name)})"


class AlterColumn(Operation):
    """Give a column a new definition: type, null, default, unique, index, foreign key."""

    def __init__(self, table: str, column: Column) -> None:
        self.table, self.column = table, column

    def describe(self) -> str:
        return f"Alter column {self.table}.{self.column.name}"

    def state_forwards(self, state: ProjectState) -> None:
        table = state.table(self.table)
        table.column(self.column.name)
        table.columns = [self.column if c.name == self.column.name else c for c in table.columns]

    def sql(
        self, editor: SchemaEditor, before: ProjectState, after: ProjectState, *, backwards: bool
    ) -> list[Statement]:
        old = before.table(self.table).column(self.column.name)
        if backwards:
            return editor.alter_column(after.table(self.table), self.column, old)
        return editor.alter_column(before.table(self.table), old, self.column)

    def render(self) -> str:
        return f"AlterColumn({source(self.table)}, {self.column.render()})"


class RenameColumn(Operation):
    """Rename a column, keeping its values."""

    def __init__(self, table: str, old_name: str, new_name: str) -> None:
        self.table, self.old_name, self.new_name = table, old_name, new_name

    def describe(self) -> str:
        return f"Rename column {self.table}.{self.old_name} to {self.new_name}"

    def state_forwards(self, state: ProjectState) -> None:
        table = state.table(self.table)
        column = table.column(self.old_name)
        table.columns = [
            column.replace(name=self.new_name) if c.name == self.old_name else c
            for c in table.columns
        ]

    def sql(
        self, editor: SchemaEditor, before: ProjectState, after: ProjectState, *, backwards: bool
    ) -> list[Statement]:
        if backwards:
            return editor.rename_column(after.table(self.table), self.new_name, self.old_name)
        return editor.rename_column(before.table(self.table), self.old_name, self.new_name)

    def render(self) -> str:
        return (
            f"RenameColumn({source(self.table)}, {source(self.old_name)}, {source(self.new_name)})"
        )


class _IndexOperation(Operation):
    """Add or drop the single-column index of ``field(index=True)``."""

    index = True

    def __init__(self, table: str, column: str) -> None:
        self.table, self.column = table, column

    def describe(self) -> str:
        verb = "Add" if self.index else "Drop"
        return f"{verb} index on {self.table}.{self.column}"

    def state_forwards(self, state: ProjectState) -> None:
        table = state.table(self.table)
        changed = table.column(self.column).replace(index=self.index)
        table.columns = [changed if c.name == self.column else c for c in table.columns]

    def sql(
        self, editor: SchemaEditor, before: ProjectState, after: ProjectState, *, backwards: bool
    ) -> list[Statement]:
        old = before.table(self.table).column(self.column)
        new = after.table(self.table).column(self.column)
        if backwards:
            return editor.alter_column(after.table(self.table), new, old)
        return editor.alter_column(before.table(self.table), old, new)

    def render(self) -> str:
        return f"{type(self).__name__}({source(self.table)}, {source(self.column)})"


class AddIndex(_IndexOperation):
    """Index a column (``index=True``)."""


class DropIndex(_IndexOperation):
    """Drop a column's index."""

    index = False
