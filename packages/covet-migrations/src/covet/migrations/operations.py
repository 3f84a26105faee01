"""Operations: the steps a migration file lists, each able to go forwards and backwards.

An operation does two things, kept apart:

- ``state_forwards(state)`` changes the *described* schema (a :class:`ProjectState`), so that
  replaying every migration's operations tells what the database should look like;
- ``sql(editor, before, after, backwards=...)`` writes the statements that make the change in
  a real database, forwards (``before`` -> ``after``) or backwards. A schema operation needs
  both states to go backwards: ``DropColumn`` only says which column, the state before it
  says what that column was.

The schema operations (tables, columns, indexes, unique-together groups) are what the
autodetector writes; the data operations (:class:`RunSQL`, :class:`RunPython`, in
``special.py``) are written by hand.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from covet.migrations.errors import MigrationError
from covet.migrations.state import Column, ProjectState, Table, source

if TYPE_CHECKING:
    from covet.migrations.schema_editor import SchemaEditor, Statement
    from covet.orm.database import Database

__all__ = [
    "AddColumn",
    "AddIndex",
    "AddUniqueTogether",
    "AlterColumn",
    "CreateTable",
    "DropColumn",
    "DropIndex",
    "DropTable",
    "DropUniqueTogether",
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

    def reverse_problem(self, before: ProjectState) -> str | None:
        """Why this operation cannot be undone, ``before`` being the state it started from.

        None when it can. The runner asks every operation of a rollback before running any,
        so that a rollback is refused whole rather than stopped half way.
        """
        return None if self.reversible else "has no reverse"

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
        ran: list[str] | None = None,
    ) -> None:
        """Make the change in ``database``: by default, execute :meth:`sql`.

        Each statement that succeeds is appended to ``ran`` (as text): where DDL commits as
        it goes (MySQL), a failure half way through must say which statements took effect.
        """
        for statement in self.sql(editor, before, after, backwards=backwards):
            await database.execute(statement.sql, statement.params)
            if ran is not None:
                ran.append(statement.render())

    @abstractmethod
    def render(self) -> str:
        """Python source for a migration file."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.describe()}>"


def _render_columns(columns: list[Column]) -> str:
    inner = "".join(f"            {column.render()},\n" for column in columns)
    return f"[\n{inner}        ]"


def _check_group(table: Table, group: tuple[str, ...]) -> None:
    """Refuse a unique-together group that names no real columns or exists already."""
    if len(group) < 2:
        raise MigrationError(
            f"table {table.name}: a unique-together group needs two or more columns, got "
            f"{group!r} (one column alone is Column(..., unique=True))"
        )
    for column in group:
        table.column(column)
    if group in table.unique_together:
        raise MigrationError(f"table {table.name}: ({', '.join(group)}) is unique together already")


class CreateTable(Operation):
    """Create a table with its columns, constraints, unique-together groups and indexes."""

    def __init__(
        self, name: str, columns: list[Column], unique_together: Iterable[Sequence[str]] = ()
    ) -> None:
        self.name, self.columns = name, list(columns)
        self.unique_together = [tuple(group) for group in unique_together]

    def describe(self) -> str:
        return f"Create table {self.name}"

    def state_forwards(self, state: ProjectState) -> None:
        table = Table(self.name, list(self.columns))
        for group in self.unique_together:
            _check_group(table, group)
            table.unique_together.append(group)
        state.tables[self.name] = table

    def sql(
        self, editor: SchemaEditor, before: ProjectState, after: ProjectState, *, backwards: bool
    ) -> list[Statement]:
        table = after.table(self.name)
        return editor.drop_table(table) if backwards else editor.create_table(table)

    def render(self) -> str:
        columns = _render_columns(self.columns)
        groups = self.unique_together
        together = f"        unique_together={source(groups)},\n" if groups else ""
        return f"CreateTable(\n        {source(self.name)},\n        {columns},\n{together}    )"


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
    """Drop a column and its values.

    Going backwards adds the column again, as it was. Its values are gone, so the rows need
    one: the column's ``default``, or, for a NOT NULL column without one, ``reverse_default``
    (written into the migration by hand). Without either the rollback is refused before it
    starts: adding a NOT NULL column with no value fails on PostgreSQL and SQLite, and MySQL
    would silently fill it with ``''`` or ``0``.
    """

    def __init__(self, table: str, name: str, *, reverse_default: object = None) -> None:
        self.table, self.name, self.reverse_default = table, name, reverse_default

    def describe(self) -> str:
        return f"Drop column {self.table}.{self.name}"

    def reverse_problem(self, before: ProjectState) -> str | None:
        column = before.table(self.table).column(self.name)
        if column.null or column.default is not None or self.reverse_default is not None:
            return None
        return (
            "cannot be undone: the column is NOT NULL and has no default, so its rows would "
            f"get no value back (give it one: DropColumn({source(self.table)}, "
            f"{source(self.name)}, reverse_default=...))"
        )

    def state_forwards(self, state: ProjectState) -> None:
        table = state.table(self.table)
        table.column(self.name)
        groups = table.groups_with(self.name)
        if groups:
            # Databases differ on what dropping such a column does to the group (PostgreSQL
            # drops the whole constraint, MariaDB refuses, MySQL 8 narrows it to the other
            # columns): the migration says what it wants instead.
            raise MigrationError(
                f"column {self.table}.{self.name} is in the unique-together group "
                f"({', '.join(groups[0])}): drop the group first (DropUniqueTogether)"
            )
        table.columns = [c for c in table.columns if c.name != self.name]

    def sql(
        self, editor: SchemaEditor, before: ProjectState, after: ProjectState, *, backwards: bool
    ) -> list[Statement]:
        column = before.table(self.table).column(self.name)
        if backwards:
            if column.default is None and self.reverse_default is not None:
                column = column.replace(default=self.reverse_default)
            return editor.add_column(after.table(self.table), column)
        return editor.drop_column(before.table(self.table), column)

    def render(self) -> str:
        reverse = (
            ""
            if self.reverse_default is None
            else f", reverse_default={source(self.reverse_default)}"
        )
        return f"DropColumn({source(self.table)}, {source(self.name)}{reverse})"


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
        state.tables[self.table] = table.with_column_renamed(self.old_name, self.new_name)

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

    #: True for AddIndex, False for DropIndex: the column's ``index`` afterwards.
    adds_index = True

    def __init__(self, table: str, column: str) -> None:
        self.table, self.column = table, column

    def describe(self) -> str:
        verb = "Add" if self.adds_index else "Drop"
        return f"{verb} index on {self.table}.{self.column}"

    def state_forwards(self, state: ProjectState) -> None:
        table = state.table(self.table)
        changed = table.column(self.column).replace(index=self.adds_index)
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

    adds_index = False


class _UniqueTogetherOperation(Operation):
    """Add or drop a unique-together group: columns whose values together appear once.

    Two operations, each the other's reverse (as ``AddIndex``/``DropIndex``), rather than one
    that sets every group of a table at once: a file then says exactly which constraint
    appears or goes, and a changed group is a drop and an add.
    """

    adds = True

    def __init__(self, table: str, columns: Sequence[str]) -> None:
        self.table, self.columns = table, tuple(columns)

    def describe(self) -> str:
        verb = "Add" if self.adds else "Drop"
        return f"{verb} unique together {self.table} ({', '.join(self.columns)})"

    def state_forwards(self, state: ProjectState) -> None:
        table = state.table(self.table)
        if self.adds:
            _check_group(table, self.columns)
            table.unique_together.append(self.columns)
        elif self.columns in table.unique_together:
            table.unique_together.remove(self.columns)
        else:
            raise MigrationError(
                f"table {self.table} has no unique-together group ({', '.join(self.columns)})"
            )

    def sql(
        self, editor: SchemaEditor, before: ProjectState, after: ProjectState, *, backwards: bool
    ) -> list[Statement]:
        # The editor takes the table as it is before its own change: going backwards, that
        # is the table after this operation.
        table = (after if backwards else before).table(self.table)
        if self.adds != backwards:
            return editor.add_unique_together(table, self.columns)
        return editor.drop_unique_together(table, self.columns)

    def render(self) -> str:
        return f"{type(self).__name__}({source(self.table)}, {source(self.columns)})"


class AddUniqueTogether(_UniqueTogetherOperation):
    """Make columns unique together (``__unique_together__``); existing rows must allow it."""


class DropUniqueTogether(_UniqueTogetherOperation):
    """Drop a unique-together group; going backwards, existing rows must allow it again."""

    adds = False
