"""The runner: apply migrations up to a target, roll them back, show the plan.

::

    runner = MigrationRunner(database, load_migrations(Path("migrations")))
    await runner.plan("0003_add_index")   # what apply would do, without doing it
    await runner.apply()                  # everything not applied yet
    await runner.rollback("0001_initial") # undo what came after 0001 ("zero": everything)

Safety, step by step:

1. **Lock** (``locks.py``): one process at a time; under the lock the history is read again.
2. **Checksums**: an applied migration whose file changed since is refused before anything
   runs (:class:`~covet.migrations.errors.ChecksumMismatchError`): the database did what the
   old file said, and nobody can tell what the new one would have done.
3. **One transaction per migration** on PostgreSQL and SQLite: its operations and its history
   row commit together, or a failure rolls all of it back and the schema is as it was.
   MySQL commits each DDL statement as it goes, so there a failure reports exactly which
   operations were applied (:class:`~covet.migrations.errors.MigrationFailedError`).
4. **SQLite** runs with foreign key enforcement off around each migration (needed by table
   rebuilds, see ``sqlite_rebuild.py``) and checks ``PRAGMA foreign_key_check`` before commit.

``fake=True`` records (or forgets) migrations without running them: for a database whose
schema was made some other way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from covet.migrations.errors import ChecksumMismatchError, MigrationError, MigrationFailedError
from covet.migrations.introspection import table_names
from covet.migrations.loader import Migration, resolve_replacements, state_after
from covet.migrations.locks import migration_lock
from covet.migrations.recorder import HISTORY_TABLE, AppliedMigration, Recorder
from covet.migrations.schema_editor import editor_for
from covet.migrations.state import ProjectState
from covet.orm.database import Database
from covet.orm.dialects import dialect_for

__all__ = ["MigrationRunner", "PlanStep", "ZERO"]

#: The rollback target that means "before the first migration".
ZERO = "zero"


@dataclass(frozen=True)
class PlanStep:
    """One migration to run, forwards or backwards."""

    migration: Migration
    backwards: bool

    def describe(self) -> str:
        verb = "Roll back" if self.backwards else "Apply"
        lines = [f"{verb} {self.migration.name}"]
        operations = self.migration.operations
        for operation in reversed(operations) if self.backwards else operations:
            lines.append(f"    {operation.describe()}")
        return "\n".join(lines)


def is_applied(migration: Migration, applied: dict[str, AppliedMigration]) -> bool:
    """Applied itself, or (a squashed migration) every migration it replaces is."""
    if migration.name in applied:
        return True
    return bool(migration.replaces) and all(name in applied for name in migration.replaces)


def find_target(migrations: list[Migration], target: str) -> int:
    """The index of ``target`` (a full name or a unique prefix such as ``0003``)."""
    matches = [i for i, m in enumerate(migrations) if m.name == target]
    matches = matches or [i for i, m in enumerate(migrations) if m.name.startswith(target)]
    if len(matches) != 1:
        names = ", ".join(m.name for m in migrations) or "none"
        problem = "matches several" if matches else "is not a migration"
        raise MigrationError(f"target {target!r} {problem} (migrations: {names})")
    return matches[0]


class MigrationRunner:
    """Applies and rolls back ``migrations`` (as loaded) on ``database``."""

    def __init__(self, database: Database, migrations: list[Migration]) -> None:
        self.database = database
        self.all_migrations = migrations
        self.recorder = Recorder(database)

    # --- what is there --------------------------------------------------------------------

    async def applied(self, *, create: bool = True) -> dict[str, AppliedMigration]:
        """The history. The table is created on first use, unless ``create`` is False (then
        a database without it has applied nothing, and is left as it is)."""
        if not create and HISTORY_TABLE not in await table_names(self.database):
            return {}
        await self.recorder.ensure_table()
        return await self.recorder.applied()

    def migrations_for(self, applied: dict[str, AppliedMigration]) -> list[Migration]:
        """The migrations in order, squashed ones or their originals as the history needs."""
        return resolve_replacements(self.all_migrations, set(applied))

    def verify_checksums(self, applied: dict[str, AppliedMigration]) -> None:
        """Refuse to go on when an applied migration's file has changed."""
        for migration in self.all_migrations:
            record = applied.get(migration.name)
            if record is not None and record.checksum != migration.checksum:
                raise ChecksumMismatchError(
                    f"migration {migration.name} was applied with checksum "
                    f"{record.checksum[:12]}..., but {migration.path} now has "
                    f"{migration.checksum[:12]}...: a migration that ran must not change. "
                    "Restore the file as it was and put the change in a new migration."
                )

    async def plan(self, target: str | None = None, *, backwards: bool = False) -> list[PlanStep]:
        """What :meth:`apply` (or, ``backwards``, :meth:`rollback`) would do (changes nothing)."""
        applied = await self.applied(create=False)
        return self._plan(self.migrations_for(applied), applied, target, backwards=backwards)

    def _plan(
        self,
        migrations: list[Migration],
        applied: dict[str, AppliedMigration],
        target: str | None,
        *,
        backwards: bool,
    ) -> list[PlanStep]:
        if backwards:
            if target is None:
                raise MigrationError("rollback needs a target: a migration name, or 'zero'")
            keep = -1 if target == ZERO else find_target(migrations, target)
            chosen = [m for m in migrations[keep + 1 :] if is_applied(m, applied)]
            return [PlanStep(m, True) for m in reversed(chosen)]
        last = len(migrations) - 1 if target is None else find_target(migrations, target)
        return [PlanStep(m, False) for m in migrations[: last + 1] if not is_applied(m, applied)]

    # --- doing it -------------------------------------------------------------------------

    async def apply(self, target: str | None = None, *, fake: bool = False) -> list[PlanStep]:
        """Apply every migration up to ``target`` (all by default) not applied yet.

        Returns the steps this call ran (not those another process ran meanwhile).
        """
        return await self._run(target, backwards=False, fake=fake)

    async def rollback(self, target: str, *, fake: bool = False) -> list[PlanStep]:
        """Undo the applied migrations after ``target`` (``"zero"``: all of them)."""
        return await self._run(target, backwards=True, fake=fake)

    async def _run(self, target: str | None, *, backwards: bool, fake: bool) -> list[PlanStep]:
        async with migration_lock(self.database):
            applied = await self.applied()
            self.verify_checksums(applied)
            migrations = self.migrations_for(applied)
            steps = self._plan(migrations, applied, target, backwards=backwards)
            if backwards and not fake:
                for step in steps:
                    for operation in step.migration.operations:
                        if not operation.reversible:
                            raise MigrationError(
                                f"cannot roll back {step.migration.name}: "
                                f"{operation.describe()} has no reverse"
                            )
            done = []
            async with self._working_database() as database:
                for step in steps:
                    before = state_after(migrations[: migrations.index(step.migration)])
                    if await self._run_step(database, step, before, fake=fake):
                        done.append(step)
        return done

    @asynccontextmanager
    async def _working_database(self) -> AsyncIterator[Database]:
        """The Database migrations run on: for a SQLite file, one of a single connection.

        ``PRAGMA foreign_keys`` is set per connection and must be set before the transaction
        begins; with one connection, the PRAGMA and the transaction are sure to share it.
        """
        url = self.database.url
        if self.database.vendor != "sqlite" or url.is_memory:
            yield self.database
            return
        single = Database(dataclasses.replace(url, options={**url.options, "max_size": "1"}))
        try:
            yield single
        finally:
            await single.disconnect()

    async def _run_step(
        self, database: Database, step: PlanStep, before: ProjectState, *, fake: bool
    ) -> bool:
        """Run one step; False when another process had done it already."""
        migration = step.migration
        recorder = Recorder(database)
        # The state before and after each operation, forwards.
        states = [before]
        for operation in migration.operations:
            states.append(states[-1].clone())
            operation.state_forwards(states[-1])
        indexes = list(range(len(migration.operations)))
        order = list(reversed(indexes)) if step.backwards else indexes
        if database.vendor == "mysql":
            return await self._run_without_transaction(database, step, states, order, fake=fake)
        if database.vendor == "sqlite":
            await database.execute("PRAGMA foreign_keys = OFF")
        try:
            async with database.atomic():
                if await self._done_already(recorder, step):
                    return False  # another process got there first, while we waited
                if not fake:
                    await self._operations(database, step, states, order)
                if database.vendor == "sqlite":
                    await self._check_foreign_keys(database, migration)
                await self._record(recorder, step)
            return True
        except _Failed as failed:
            raise MigrationFailedError(
                f"{migration.name} failed at operation {failed.index + 1} "
                f"({failed.description}): {failed.error}. Rolled back: the schema is as it "
                f"was before {migration.name}, which is not recorded.",
                applied=[],
            ) from failed.error
        finally:
            if database.vendor == "sqlite":
                await database.execute("PRAGMA foreign_keys = ON")

    async def _operations(
        self, database: Database, step: PlanStep, states: list[ProjectState], order: list[int]
    ) -> list[str]:
        """Run the operations in ``order``; a failure says which one and what ran before it."""
        editor = editor_for(await dialect_for(database))
        done: list[str] = []
        for index in order:
            operation = step.migration.operations[index]
            try:
                await operation.run(
                    database, editor, states[index], states[index + 1], backwards=step.backwards
                )
            except Exception as error:
                raise _Failed(index, operation.describe(), done, error) from error
            done.append(operation.describe())
        return done

    async def _run_without_transaction(
        self,
        database: Database,
        step: PlanStep,
        states: list[ProjectState],
        order: list[int],
        *,
        fake: bool,
    ) -> bool:
        recorder = Recorder(database)
        if await self._done_already(recorder, step):
            return False
        if not fake:
            try:
                await self._operations(database, step, states, order)
            except _Failed as failed:
                applied = "; ".join(f"{i}. {d}" for i, d in enumerate(failed.done, 1)) or "none"
                raise MigrationFailedError(
                    f"{step.migration.name} failed at operation {failed.index + 1} "
                    f"({failed.description}): {failed.error}. MySQL cannot roll back schema "
                    f"changes, so the operations before it stay applied: {applied}. The "
                    "migration is not recorded: undo those by hand, or fix the failing "
                    "operation and finish it by hand, then use --fake.",
                    applied=failed.done,
                ) from failed.error
        await self._record(recorder, step)
        return True

    async def _done_already(self, recorder: Recorder, step: PlanStep) -> bool:
        """Whether the history already shows this step done (by another process)."""
        migration = step.migration
        recorded = await recorder.is_applied(migration.name)
        if not recorded and migration.replaces:
            recorded = all([await recorder.is_applied(name) for name in migration.replaces])
        return recorded != step.backwards

    async def _record(self, recorder: Recorder, step: PlanStep) -> None:
        migration = step.migration
        if step.backwards:
            await recorder.forget([migration.name, *migration.replaces])
        else:
            await recorder.record(migration.name, migration.checksum)

    async def _check_foreign_keys(self, database: Database, migration: Migration) -> None:
        problems = await database.fetch_all("PRAGMA foreign_key_check")
        if problems:
            tables = ", ".join(sorted({str(row[0]) for row in problems}))
            raise MigrationError(
                f"{migration.name} would leave rows whose foreign keys point nowhere "
                f"(in {tables}); rolled back"
            )


class _Failed(Exception):
    """An operation failed: which, and what had run before it."""

    def __init__(self, index: int, description: str, done: list[str], error: Exception) -> None:
        super().__init__(f"operation {index + 1} ({description}) failed: {error}")
        self.index, self.description, self.done, self.error = index, description, done, error
