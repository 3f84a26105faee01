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
from covet.migrations.loader import (
    Migration,
    find_target,
    resolve_replacements,
    state_after,
    states_through,
)
from covet.migrations.locks import migration_lock
from covet.migrations.recorder import HISTORY_TABLE, AppliedMigration, Recorder
from covet.migrations.schema_editor import editor_for
from covet.migrations.state import ProjectState
from covet.orm.database import Database
from covet.orm.dialects import dialect_for

__all__ = ["MigrationRunner", "PlanStep", "ZERO"]

#: The rollback target that means "before the first migration".
ZERO = "zero"

#: What runs around each SQLite migration (``sql`` prints the same): enforcement off before
#: the transaction, the check before the commit (any row it returns rolls back), then on.
SQLITE_FOREIGN_KEYS_OFF = "PRAGMA foreign_keys = OFF"
SQLITE_FOREIGN_KEY_CHECK = "PRAGMA foreign_key_check"
SQLITE_FOREIGN_KEYS_ON = "PRAGMA foreign_keys = ON"


def transactional_ddl(vendor: str) -> bool:
    """Whether a migration runs in one transaction: yes, except on MySQL, where every DDL
    statement commits as it runs (a transaction would promise what it cannot keep)."""
    return vendor != "mysql"


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
                    self._refuse_irreversible(step, migrations)
            done = []
            async with self._working_database() as database:
                for step in steps:
                    before = state_after(migrations[: migrations.index(step.migration)])
                    if await self._run_step(database, step, before, fake=fake):
                        done.append(step)
        return done

    def _refuse_irreversible(self, step: PlanStep, migrations: list[Migration]) -> None:
        """Raise before anything runs when an operation of ``step`` cannot be undone."""
        migration = step.migration
        states = states_through(migration, state_after(migrations[: migrations.index(migration)]))
        for operation, before in zip(migration.operations, states, strict=False):
            problem = operation.reverse_problem(before)
            if problem is not None:
                raise MigrationError(
                    f"cannot roll back {migration.name}: {operation.describe()} {problem}"
                )

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
        single = Database(
            dataclasses.replace(url, options={**url.options, "max_size": "1"}),
            alias=self.database.alias,
        )
        try:
            yield single
        finally:
            await single.disconnect()

    async def _run_step(
        self, database: Database, step: PlanStep, before: ProjectState, *, fake: bool
    ) -> bool:
        """Run one step; False when another process had done it already.

        The same steps on every vendor, inside :meth:`_step_transaction`: check the history
        again, run the operations, record the step. Only what a failure leaves differs.
        """
        migration = step.migration
        recorder = Recorder(database)
        async with self._step_transaction(database):
            if await self._done_already(recorder, step):
                return False  # another process got there first, while we waited
            if not fake:
                try:
                    await self._operations(database, step, states_through(migration, before))
                except _Failed as failed:
                    transactional = transactional_ddl(database.vendor)
                    raise failed.report(step, transactional=transactional) from failed.error
            if database.vendor == "sqlite":
                await self._check_foreign_keys(database, migration)
            await self._record(recorder, step)
        return True

    @asynccontextmanager
    async def _step_transaction(self, database: Database) -> AsyncIterator[None]:
        """One transaction around a step where DDL is transactional; nothing on MySQL.

        PostgreSQL and SQLite: the operations and the history row commit together, or an
        exception rolls all of them back. SQLite also needs foreign key enforcement off,
        set before the transaction begins (see ``sqlite_rebuild.py``). MySQL commits each
        DDL statement as it runs: a transaction would promise what it cannot keep.
        """
        if not transactional_ddl(database.vendor):
            yield
            return
        if database.vendor == "sqlite":
            await database.execute(SQLITE_FOREIGN_KEYS_OFF)
        try:
            async with database.atomic():
                yield
        finally:
            if database.vendor == "sqlite":
                await database.execute(SQLITE_FOREIGN_KEYS_ON)

    async def _operations(
        self, database: Database, step: PlanStep, states: list[ProjectState]
    ) -> None:
        """Run the step's operations in order (backwards: last first); a failure says which
        one, the operations done before it, and its statements that ran."""
        editor = editor_for(await dialect_for(database))
        operations = list(enumerate(step.migration.operations))
        done: list[str] = []
        for index, operation in reversed(operations) if step.backwards else operations:
            ran: list[str] = []
            try:
                await operation.run(
                    database,
                    editor,
                    states[index],
                    states[index + 1],
                    backwards=step.backwards,
                    ran=ran,
                )
            except Exception as error:
                raise _Failed(index, operation.describe(), done, ran, error) from error
            done.append(operation.describe())

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
        problems = await database.fetch_all(SQLITE_FOREIGN_KEY_CHECK)
        if problems:
            tables = ", ".join(sorted({str(row[0]) for row in problems}))
            raise MigrationError(
                f"{migration.name} would leave rows whose foreign keys point nowhere "
                f"(in {tables}); rolled back"
            )


class _Failed(Exception):
    """An operation failed: which, the operations done before it, its statements that ran."""

    def __init__(
        self, index: int, description: str, done: list[str], ran: list[str], error: Exception
    ) -> None:
        super().__init__(f"operation {index + 1} ({description}) failed: {error}")
        self.index, self.description, self.done, self.error = index, description, done, error
        self.ran = ran

    def headline(self, step: PlanStep) -> str:
        """``0002_x failed at operation 3 (Add column a.b): <error>``; rollbacks say so."""
        doing = "rolling back " if step.backwards else ""
        return (
            f"{step.migration.name} failed {doing}at operation {self.index + 1} "
            f"({self.description}): {self.error}"
        )

    def report(self, step: PlanStep, *, transactional: bool) -> MigrationFailedError:
        """The error for the user: what the failure left, and what to do about it."""
        name = step.migration.name
        if transactional:
            if step.backwards:
                outcome = f"after {name}, which stays recorded as applied"
            else:
                outcome = f"before {name}, which is not recorded"
            return MigrationFailedError(
                f"{self.headline(step)}. Rolled back: the schema is as it was {outcome}.",
                applied=[],
            )
        applied = list(self.done)
        partly = ""
        if self.ran:
            # One operation is often several statements; those before the failing one have
            # taken effect too.
            statements = " ".join(self.ran)
            applied.append(f"{self.description}, partly: {statements}")
            partly = (
                f" Of operation {self.index + 1} itself, these statements ran and stay: "
                f"{statements}"
            )
        listed = "; ".join(f"{i}. {d}" for i, d in enumerate(self.done, 1)) or "none"
        if step.backwards:
            outcome = (
                f"the operations undone before it stay undone: {listed}.{partly} The "
                "migration stays recorded as applied: redo those by hand, or finish undoing "
                "the failing operation by hand, then use rollback --fake."
            )
        else:
            outcome = (
                f"the operations before it stay applied: {listed}.{partly} The migration is "
                "not recorded: undo those by hand, or fix the failing operation and finish "
                "it by hand, then use --fake."
            )
        return MigrationFailedError(
            f"{self.headline(step)}. MySQL cannot roll back schema changes, so {outcome}",
            applied=applied,
        )
