"""The autodetector: what changed between the migrations' state and the models' state.

:func:`detect_changes` compares two :class:`ProjectState` and returns the operations that
turn the first into the second, in an order a database accepts: renames, new tables (each
after the tables it points at), then per table the unique-together groups that go, column
changes, the groups that come (their columns exist by then), dropped columns (no group holds
them any more), and finally dropped tables (each before the tables it points at).

A rename is never guessed. When a table loses a column and gains another, the columns might
be the same one renamed (keep the values) or two different ones (drop the values): only a
person knows. So the autodetector asks (``ask``, a yes/no question, when a terminal is there
to answer it), or takes the answer from :class:`Renames` (``--rename author.email:contact``,
``--rename old_table:new_table``); with neither it refuses with
:class:`~covet.migrations.errors.AmbiguousRenameError`, whose message says how to answer.
``Renames(no_more=True)`` (``--no-rename``) answers "no rename" for whatever is left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from covet.migrations.errors import AmbiguousRenameError, MigrationError
from covet.migrations.operations import (
    AddColumn,
    AddIndex,
    AddUniqueTogether,
    AlterColumn,
    CreateTable,
    DropColumn,
    DropIndex,
    DropTable,
    DropUniqueTogether,
    Operation,
    RenameColumn,
    RenameTable,
)
from covet.migrations.state import Column, ProjectState, tables_in_dependency_order

__all__ = ["Questioner", "Renames", "detect_changes", "parse_renames"]

#: Asks a yes/no question; True means yes.
Questioner = Callable[[str], bool]


@dataclass
class Renames:
    """Renames a person declared: ``tables[old] = new``, ``columns[(table, old)] = new``.

    A column rename names the table as the models call it now.
    """

    tables: dict[str, str] = field(default_factory=dict)
    columns: dict[tuple[str, str], str] = field(default_factory=dict)
    #: True: any other disappeared-and-appeared pair is a drop and an add, not a rename.
    no_more: bool = False


def parse_renames(texts: Iterable[str], *, no_more: bool = False) -> Renames:
    """``["author.email:contact", "writer:author"]`` -> :class:`Renames`."""
    renames = Renames(no_more=no_more)
    for text in texts:
        old, separator, new = text.partition(":")
        if not separator or not old or not new or "." in new:
            raise MigrationError(
                f"--rename {text!r}: write table.old_column:new_column or old_table:new_table"
            )
        table, dot, column = old.partition(".")
        if dot:
            renames.columns[(table, column)] = new
        else:
            renames.tables[old] = new
    return renames


def detect_changes(
    before: ProjectState,
    after: ProjectState,
    *,
    renames: Renames | None = None,
    ask: Questioner | None = None,
) -> list[Operation]:
    """The operations that turn ``before`` into ``after``."""
    detector = _Detector(before.clone(), after, renames or Renames(), ask)
    return detector.run()


def refuse_unfillable(table: str, column: Column) -> Column:
    """A column added to an existing table must say what its existing rows hold.

    Without a default, a NOT NULL column cannot be filled: PostgreSQL and SQLite would fail
    on a table with rows, and MySQL would quietly store 0 or ''. Refused here, before any
    SQL, with the two ways out.
    """
    if column.null or column.primary_key or column.default is not None:
        return column
    raise MigrationError(
        f"{table}.{column.name} is new and NOT NULL without a default: the rows already in "
        f"{table} would have no value. Give the field a default (a literal: it fills those "
        "rows), or add it with null=True, fill it (RunPython), then make it NOT NULL."
    )


class _Detector:
    def __init__(
        self, current: ProjectState, target: ProjectState, renames: Renames, ask: Questioner | None
    ) -> None:
        self.current, self.target, self.renames, self.ask = current, target, renames, ask
        self.operations: list[Operation] = []

    def add(self, operation: Operation) -> None:
        """Record an operation and apply it to the running state, so later steps see it."""
        operation.state_forwards(self.current)
        self.operations.append(operation)

    def run(self) -> list[Operation]:
        gone = sorted(set(self.current.tables) - set(self.target.tables))
        new = sorted(set(self.target.tables) - set(self.current.tables))
        for old_name, new_name in self.pair_renames("table", "", gone, new, self.renames.tables):
            self.add(RenameTable(old_name, new_name))
        created = {n: self.target.tables[n] for n in new if n not in self.current.tables}
        for table in tables_in_dependency_order(created):
            self.add(CreateTable(table.name, list(table.columns), table.unique_together))
        for name in sorted(set(self.current.tables) & set(self.target.tables)):
            self.compare_table(name)
        dropped = {n: self.current.tables[n] for n in gone if n in self.current.tables}
        for table in reversed(tables_in_dependency_order(dropped)):
            self.add(DropTable(table.name))
        return self.operations

    def compare_table(self, name: str) -> None:
        current, target = self.current.tables[name], self.target.tables[name]
        gone = [c for c in current.column_names if not target.has_column(c)]
        new = [c for c in target.column_names if not current.has_column(c)]
        declared = {old: n for (t, old), n in self.renames.columns.items() if t == name}
        for old_name, new_name in self.pair_renames("column", f"{name}.", gone, new, declared):
            self.add(RenameColumn(name, old_name, new_name))
        # A rename puts a new Table into the state; every later operation changes it in place.
        current = self.current.tables[name]
        for group in list(current.unique_together):
            if group not in target.unique_together:
                self.add(DropUniqueTogether(name, group))
        for column in target.columns:
            if not current.has_column(column.name):
                self.add(AddColumn(name, refuse_unfillable(name, column)))
                continue
            old = current.column(column.name)
            if old == column:
                continue
            if old.replace(index=column.index) == column:
                self.add(
                    AddIndex(name, column.name) if column.index else DropIndex(name, column.name)
                )
            else:
                self.add(AlterColumn(name, column))
        for group in target.unique_together:
            if group not in current.unique_together:
                self.add(AddUniqueTogether(name, group))
        for column_name in current.column_names:
            if not target.has_column(column_name):
                self.add(DropColumn(name, column_name))

    def pair_renames(
        self, kind: str, prefix: str, gone: list[str], new: list[str], declared: dict[str, str]
    ) -> list[tuple[str, str]]:
        """Which of ``gone`` became which of ``new``: declared, asked, or refused.

        ``kind`` is "table" or "column"; ``prefix`` is ``"author."`` for the columns of
        ``author`` (how ``--rename`` spells them).
        """
        pairs = [(old, declared[old]) for old in gone if declared.get(old) in new]
        gone = [g for g in gone if g not in declared or declared[g] not in new]
        new = [n for n in new if n not in {p[1] for p in pairs}]
        if not gone or not new or self.renames.no_more:
            return pairs
        if self.ask is None:
            raise AmbiguousRenameError(
                f"{kind}(s) {', '.join(prefix + g for g in gone)} disappeared and "
                f"{', '.join(new)} appeared. If one was renamed, say so: --rename "
                f"{prefix}{gone[0]}:{new[0]}; if not, pass --no-rename (a dropped {kind} "
                "loses its data). (In a terminal, make asks instead.)"
            )
        for old in gone:
            for candidate in new:
                question = f"Was {kind} {prefix}{old} renamed to {prefix}{candidate}? [y/N] "
                if self.ask(question):
                    pairs.append((old, candidate))
                    new.remove(candidate)
                    break
        return pairs
