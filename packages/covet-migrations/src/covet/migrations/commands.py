"""What each command does, as functions a program (or a test) can call without the CLI.

``cli.py`` only parses arguments and prints; the work is here:

- :func:`find_models` imports model modules and collects their model classes;
- :func:`make_migration` autodetects and writes the next migration file;
- :func:`migration_sql` writes the SQL of migrations for a vendor, offline;
- :func:`check` lists what the models changed without a migration, and how the live database
  differs from what the migrations describe.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from covet.migrations.autodetector import Questioner, Renames, detect_changes
from covet.migrations.errors import MigrationError
from covet.migrations.introspection import expected_schema, introspect, schema_differences
from covet.migrations.loader import (
    Migration,
    described_state,
    find_target,
    load_migrations,
    resolve_replacements,
    state_after,
    states_through,
)
from covet.migrations.runner import (
    SQLITE_FOREIGN_KEY_CHECK,
    SQLITE_FOREIGN_KEYS_OFF,
    SQLITE_FOREIGN_KEYS_ON,
    MigrationRunner,
    transactional_ddl,
)
from covet.migrations.schema_editor import dialect_for_vendor, editor_for
from covet.migrations.special import RunPython
from covet.migrations.state import state_from_models
from covet.migrations.writer import write_migration
from covet.orm.database import Database
from covet.orm.dialects import dialect_for
from covet.orm.models import Model

__all__ = ["check", "find_models", "make_migration", "migration_sql", "missing_files"]


def find_models(modules: Sequence[str]) -> list[type[Model]]:
    """Import each module and collect the (concrete) model classes it holds, in order."""
    found: dict[str, type[Model]] = {}
    for module_name in modules:
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise MigrationError(f"cannot import models module {module_name!r}: {error}") from error
        for value in vars(module).values():
            is_model = isinstance(value, type) and issubclass(value, Model) and value is not Model
            if is_model and not value._meta.abstract:
                found.setdefault(value._meta.table_name, value)
    return list(found.values())


def make_migration(
    models: Sequence[type[Model]],
    directory: Path,
    *,
    renames: Renames | None = None,
    ask: Questioner | None = None,
    name: str | None = None,
    empty: bool = False,
) -> Path | None:
    """Write a migration for what the models changed; None when nothing did."""
    migrations = load_migrations(directory)
    operations = (
        []
        if empty
        else detect_changes(
            described_state(migrations), state_from_models(models), renames=renames, ask=ask
        )
    )
    if not operations and not empty:
        return None
    return write_migration(directory, operations, existing=migrations, name=name)


def migration_sql(
    migrations: list[Migration], vendor: str, target: str | None = None, *, backwards: bool = False
) -> str:
    """The SQL of ``target`` (or of every migration) for ``vendor``, without a database."""
    migrations = resolve_replacements(migrations, set())
    dialect = dialect_for_vendor(vendor)
    editor = editor_for(dialect)
    chosen = range(len(migrations)) if target is None else [find_target(migrations, target)]
    transactional = transactional_ddl(vendor)
    sqlite = vendor == "sqlite"
    lines: list[str] = []
    for index in reversed(chosen) if backwards else chosen:
        migration = migrations[index]
        states = states_through(migration, state_after(migrations[:index]))
        lines.append(f"-- {'Roll back' if backwards else 'Apply'} {migration.name}")
        # SQLite: exactly what the runner wraps around a migration (see runner.py).
        lines += [f"{SQLITE_FOREIGN_KEYS_OFF};"] if sqlite else []
        lines += ["BEGIN;"] if transactional else []
        steps = list(enumerate(migration.operations))
        for position, operation in reversed(steps) if backwards else steps:
            lines.append(f"-- {operation.describe()}")
            if isinstance(operation, RunPython):
                lines.append("-- (Python code: it runs with apply, it has no SQL to show)")
            before, after = states[position], states[position + 1]
            lines += [s.render() for s in operation.sql(editor, before, after, backwards=backwards)]
        if sqlite:
            lines.append("-- any row this returns means: ROLLBACK instead of COMMIT")
            lines.append(f"{SQLITE_FOREIGN_KEY_CHECK};")
        lines += ["COMMIT;"] if transactional else []
        lines += [f"{SQLITE_FOREIGN_KEYS_ON};"] if sqlite else []
        lines.append("")
    return "\n".join(lines)


def missing_files(migrations: Sequence[Migration], applied: Iterable[str]) -> list[str]:
    """The applied names that no migration file is, or replaces: their files are gone."""
    known = {name for m in migrations for name in (m.name, *m.replaces)}
    return [name for name in applied if name not in known]


async def check(
    models: Sequence[type[Model]], directory: Path, database: Database | None
) -> list[str]:
    """Problems that need a migration or a look; empty when all is in order.

    - the models differ from what the migrations describe (``make`` would write something);
    - migrations are not applied yet, or the live schema differs from what the migrations
      describe, or the history names a migration whose file is gone (only when ``database``
      is given: the checksums cannot guard a file that is not there).
    """
    migrations = load_migrations(directory)
    described = described_state(migrations)
    problems = [
        f"models changed without a migration: {operation.describe()}"
        for operation in detect_changes(
            described, state_from_models(models), renames=Renames(no_more=True)
        )
    ]
    if database is None:
        return problems
    runner = MigrationRunner(database, migrations)
    pending = await runner.plan()
    problems += [f"not applied: {step.migration.name}" for step in pending]
    gone = missing_files(migrations, await runner.applied(create=False))
    problems += [f"applied, but its file is gone: {name}" for name in gone]
    if not pending:
        actual = await introspect(database)
        expected = expected_schema(described, await dialect_for(database))
        problems += [f"database: {line}" for line in schema_differences(expected, actual)]
    return problems
