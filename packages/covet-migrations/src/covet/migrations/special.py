"""Data operations, written by hand in a migration file: RunSQL and RunPython.

::

    async def fill_slugs(database):
        await database.execute("UPDATE post SET slug = LOWER(title)")

    operations = [
        AddColumn("post", Column("slug", "CharField", max_length=200, null=True)),
        RunPython(fill_slugs),                     # no reverse: rollback stops here
        RunSQL("UPDATE post SET views = 0", reverse_sql=RunSQL.NOOP),
    ]

Neither changes the described schema (``state_forwards`` does nothing): they move data. Each
may have a reverse; without one the migration cannot be rolled back past it, and the runner
says so before it starts rather than half way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from covet.migrations.errors import MigrationError
from covet.migrations.operations import Operation
from covet.migrations.schema_editor import SchemaEditor, Statement
from covet.migrations.state import ProjectState, source

if TYPE_CHECKING:
    from covet.orm.database import Database

__all__ = ["RunPython", "RunSQL"]

#: What RunPython calls: an async function given the Database the migration runs on.
PythonCode = Callable[["Database"], Awaitable[None]]


class RunSQL(Operation):
    """Run SQL as written: one statement or a list of them, with an optional reverse."""

    #: ``reverse_sql=RunSQL.NOOP``: going backwards needs nothing done.
    NOOP: Sequence[str] = ()

    def __init__(
        self, sql: str | Sequence[str], reverse_sql: str | Sequence[str] | None = None
    ) -> None:
        self.forward_sql = [sql] if isinstance(sql, str) else list(sql)
        self.reverse_sql = [reverse_sql] if isinstance(reverse_sql, str) else reverse_sql
        self.reversible = reverse_sql is not None

    def describe(self) -> str:
        first = " ".join(self.forward_sql[0].split()) if self.forward_sql else ""
        return f"Run SQL {first[:60]}{'...' if len(first) > 60 else ''}"

    def state_forwards(self, state: ProjectState) -> None:
        """SQL written by hand leaves the described schema as it is."""

    def sql(
        self, editor: SchemaEditor, before: ProjectState, after: ProjectState, *, backwards: bool
    ) -> list[Statement]:
        if not backwards:
            return [Statement(sql) for sql in self.forward_sql]
        if self.reverse_sql is None:
            raise MigrationError(
                f"{self.describe()}: it has no reverse_sql, so it cannot be undone"
            )
        return [Statement(sql) for sql in self.reverse_sql]

    def render(self) -> str:
        reverse = "None" if self.reverse_sql is None else source(list(self.reverse_sql))
        return f"RunSQL({source(self.forward_sql)}, reverse_sql={reverse})"


class RunPython(Operation):
    """Call an async function ``code(database)``; ``reverse_code`` undoes it."""

    def __init__(self, code: PythonCode, reverse_code: PythonCode | None = None) -> None:
        self.code, self.reverse_code = code, reverse_code
        self.reversible = reverse_code is not None

    def describe(self) -> str:
        return f"Run Python {getattr(self.code, '__name__', repr(self.code))}"

    def state_forwards(self, state: ProjectState) -> None:
        """Python code moves data; it leaves the described schema as it is."""

    def sql(
        self, editor: SchemaEditor, before: ProjectState, after: ProjectState, *, backwards: bool
    ) -> list[Statement]:
        """No SQL to show: the ``sql`` command prints a comment naming the function."""
        return []

    async def run(
        self,
        database: Database,
        editor: SchemaEditor,
        before: ProjectState,
        after: ProjectState,
        *,
        backwards: bool,
    ) -> None:
        code = self.reverse_code if backwards else self.code
        if code is None:
            raise MigrationError(
                f"{self.describe()}: it has no reverse_code, so it cannot be undone"
            )
        await code(database)

    def render(self) -> str:
        raise MigrationError("RunPython is written by hand: its function lives in the file")
