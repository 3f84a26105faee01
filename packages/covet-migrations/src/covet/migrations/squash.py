"""Squashing: a run of migrations becomes one that builds the same schema.

A project that has lived a while has many small migrations, and a new database replays every
one. :func:`squash_migrations` replaces a range with a single migration whose operations the
autodetector computes from the state before the range to the state after it, so the result is
the same schema by construction. Renames inside the range are kept as renames (they are read
from the range's operations, never guessed).

The new file lists the originals in ``replaces``. A database that applied all of them (or
none) uses the squashed migration; one that stopped in the middle finishes with the originals
(``loader.resolve_replacements``). Once every database is past the range, delete the originals.

Data operations (RunSQL, RunPython) cannot be carried over: the squashed operations are
computed again from the two states, so a data operation's place among them is lost (its SQL
may name a column renamed later in the range), and a RunPython's function lives in its own
file. A new database built from the squashed migration would never run them, so a range that
holds any is refused, naming each one, unless ``drop_data_operations`` says they are not
needed there (``--drop-data-operations``); the squashed file's docstring then lists them.
"""

from __future__ import annotations

from pathlib import Path

from covet.migrations.autodetector import Renames, detect_changes
from covet.migrations.errors import MigrationError
from covet.migrations.loader import (
    Migration,
    find_target,
    load_migrations,
    resolve_replacements,
    state_after,
)
from covet.migrations.operations import Operation, RenameColumn, RenameTable
from covet.migrations.special import RunPython, RunSQL
from covet.migrations.writer import render_migration

__all__ = ["squash_migrations"]


def squash_migrations(
    directory: Path,
    start: str,
    end: str,
    *,
    name: str | None = None,
    drop_data_operations: bool = False,
) -> Path:
    """Write a migration replacing ``start``..``end`` (inclusive); return its path.

    Refuses a range with data operations unless ``drop_data_operations`` (see above).
    """
    migrations = resolve_replacements(load_migrations(directory), set())
    first, last = find_target(migrations, start), find_target(migrations, end)
    if first >= last:
        raise MigrationError(f"squash needs a range of two or more migrations: {start}..{end}")
    chosen = migrations[first : last + 1]
    if any(m.replaces for m in chosen):
        raise MigrationError("the range holds a squashed migration already: squash the originals")
    data = [
        f"{m.name}: {o.describe()}"
        for m in chosen
        for o in m.operations
        if isinstance(o, RunSQL | RunPython)
    ]
    if data and not drop_data_operations:
        raise MigrationError(
            "cannot squash: these data operations would be lost, and a new database built "
            f"from the squashed migration would never run them: {'; '.join(data)}. Squash a "
            "range without them, or pass --drop-data-operations if new databases do not "
            "need them."
        )
    operations = detect_changes(
        state_after(migrations[:first]),
        state_after(migrations[: last + 1]),
        renames=renames_in(chosen),
    )
    docstring = f"{chosen[0].name} to {chosen[-1].name}, squashed."
    if data:
        docstring += (
            "\n\nData operations of the originals, dropped (--drop-data-operations):\n"
            + "\n".join(f"- {line}" for line in data)
            + "\n"
        )
    slug = name or f"squashed_{chosen[0].name[:4]}_{chosen[-1].name[:4]}"
    path = directory / f"{chosen[-1].name[:4]}_{slug}.py"
    path.write_text(
        render_migration(
            operations,
            dependencies=chosen[0].dependencies,
            replaces=[m.name for m in chosen],
            docstring=docstring,
        ),
        encoding="utf-8",
    )
    return path


def renames_in(migrations: list[Migration]) -> Renames:
    """The renames a range performs, composed (a->b then b->c is a->c), no others guessed."""
    renames = Renames(no_more=True)
    operations: list[Operation] = [o for m in migrations for o in m.operations]
    for operation in operations:
        if isinstance(operation, RenameTable):
            origin = next(
                (old for old, new in renames.tables.items() if new == operation.old_name),
                operation.old_name,
            )
            renames.tables[origin] = operation.new_name
            renames.columns = {
                (operation.new_name if t == operation.old_name else t, c): n
                for (t, c), n in renames.columns.items()
            }
        elif isinstance(operation, RenameColumn):
            key = next(
                (
                    k
                    for k, new in renames.columns.items()
                    if k[0] == operation.table and new == operation.old_name
                ),
                (operation.table, operation.old_name),
            )
            renames.columns[key] = operation.new_name
    return renames
