"""The commands: ``covet migrations make|apply|rollback|show|sql|squash|check``.

The same commands run as ``python -m covet.migrations make ...`` when only covet-orm and
covet-migrations are installed: ``__main__.py`` builds its own parser with :func:`build_parser`.
``covet`` (from covetpy) finds :func:`register` through the ``covet.commands`` entry point.

Where things come from, first match wins:

=============  ===========================  =====================================  ===========
what           option                       ``[tool.covet.migrations]``            otherwise
=============  ===========================  =====================================  ===========
models         ``--models app.models``      ``models = ["app.models"]``            (none)
directory      ``--dir migrations``         ``directory = "migrations"``           migrations
database       ``--database URL``           ``database = "postgresql://..."``      see below
=============  ===========================  =====================================  ===========

The database: ``--database``, else ``COVET_DATABASE_URL``, else pyproject's ``database``, else
covet-orm's default (the SQLite file ``covet.sqlite3``). The pyproject.toml read is the one in
the working directory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tomllib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from covet.migrations.autodetector import parse_renames
from covet.migrations.backup_cli import register as register_db
from covet.migrations.commands import (
    check,
    find_models,
    make_migration,
    migration_sql,
    missing_files,
)
from covet.migrations.errors import MigrationError
from covet.migrations.loader import load_migrations, resolve_replacements
from covet.migrations.runner import MigrationRunner, PlanStep, is_applied
from covet.migrations.squash import squash_migrations
from covet.orm.database import DATABASE_URL_VARIABLE, EMBEDDED_DEFAULT_URL, Database
from covet.orm.errors import OrmError
from covet.orm.models import Model
from covet.orm.urls import parse_database_url

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

__all__ = ["build_parser", "main", "register"]

T = TypeVar("T")


@dataclass
class Settings:
    """The models, directory and database a command works with."""

    models: list[str]
    directory: Path
    database_url: str


def read_settings(args: argparse.Namespace) -> Settings:
    """Options first, then ``[tool.covet.migrations]`` of ./pyproject.toml, then defaults."""
    config: dict[str, Any] = {}
    pyproject = Path("pyproject.toml")
    if pyproject.is_file():
        with pyproject.open("rb") as file:
            config = tomllib.load(file).get("tool", {}).get("covet", {}).get("migrations", {})
    models = args.models or config.get("models") or []
    database = args.database or os.environ.get(DATABASE_URL_VARIABLE) or config.get("database")
    return Settings(
        models=[models] if isinstance(models, str) else list(models),
        directory=Path(args.dir or config.get("directory") or "migrations"),
        database_url=database or EMBEDDED_DEFAULT_URL,
    )


def register(subparsers: Subparsers) -> None:
    """Add ``migrations`` and its commands to the ``covet`` command (the plugin protocol)."""
    parser = subparsers.add_parser(
        "migrations", help="make, apply and check schema migrations", description=__doc__
    )
    _add_commands(parser)


def build_parser(prog: str = "python -m covet.migrations") -> argparse.ArgumentParser:
    """A parser of its own, for ``python -m covet.migrations``.

    It also carries ``db`` (backup, restore, inspect), which ``covet`` gets as a command of
    its own: ``python -m covet.migrations db backup`` is ``covet db backup``.
    """
    parser = argparse.ArgumentParser(
        prog=prog, description="CovetPy schema migrations, backup and restore."
    )
    commands = _add_commands(parser)
    register_db(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command with ``argv`` (``sys.argv[1:]`` by default); return the exit code."""
    args = build_parser().parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.func
    return command(args)


def _add_commands(parser: argparse.ArgumentParser) -> Subparsers:
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def show_help(args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return 2

    parser.set_defaults(func=show_help)

    def command(
        name: str, help: str, func: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument("--models", action="append", metavar="MODULE", help="models module")
        sub.add_argument("--dir", metavar="PATH", help="migrations directory")
        sub.add_argument("--database", metavar="URL", help="database URL")
        sub.set_defaults(func=_reporting_errors(func))
        return sub

    make = command("make", "write a migration for what the models changed", run_make)
    make.add_argument("--name", help="the migration's name (after its number)")
    make.add_argument(
        "--rename",
        action="append",
        default=[],
        metavar="TABLE.OLD:NEW",
        help="a renamed column (table.old:new) or table (old:new)",
    )
    make.add_argument("--no-rename", action="store_true", help="nothing else was renamed")
    make.add_argument("--empty", action="store_true", help="an empty migration to fill in")
    apply = command("apply", "apply migrations up to TARGET (default: all)", run_apply)
    apply.add_argument("target", nargs="?")
    rollback = command(
        "rollback", "roll back the migrations after TARGET ('zero': all)", run_rollback
    )
    rollback.add_argument("target")
    for sub in (apply, rollback):
        sub.add_argument("--fake", action="store_true", help="record only, run nothing")
        sub.add_argument("--plan", action="store_true", help="show what would run, run nothing")
    command("show", "list the migrations and which are applied", run_show)
    sql = command("sql", "print the SQL of a migration (or all), offline", run_sql)
    sql.add_argument("target", nargs="?")
    sql.add_argument("--backwards", action="store_true", help="the SQL that rolls it back")
    squash = command("squash", "replace migrations START..END with one", run_squash)
    squash.add_argument("start")
    squash.add_argument("end")
    squash.add_argument("--name", help="the squashed migration's name")
    squash.add_argument(
        "--drop-data-operations",
        action="store_true",
        help="squash even though the range's RunSQL/RunPython would be lost",
    )
    command("check", "fail if models or database differ from the migrations", run_check)
    return commands


def _reporting_errors(
    func: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """Expected failures become one line on stderr and exit code 1, not a traceback."""

    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except (MigrationError, OrmError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1

    return run


def _with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        database = Database(settings.database_url)
        try:
            return await work(database)
        finally:
            await database.disconnect()

    return asyncio.run(run())


def _models(settings: Settings) -> list[type[Model]]:
    if not settings.models:
        raise MigrationError(
            "which models? give --models MODULE, or models = [...] under "
            "[tool.covet.migrations] in pyproject.toml"
        )
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # `app.models` of the project being run in
    return find_models(settings.models)


def _ask(question: str) -> bool:
    return input(question).strip().lower() in {"y", "yes"}


def run_make(args: argparse.Namespace) -> int:
    settings = read_settings(args)
    path = make_migration(
        [] if args.empty else _models(settings),
        settings.directory,
        renames=parse_renames(args.rename, no_more=args.no_rename),
        ask=_ask if sys.stdin.isatty() else None,
        name=args.name,
        empty=args.empty,
    )
    print(f"Wrote {path}" if path else "No changes detected.")
    return 0


def _print_steps(steps: list[PlanStep], verb: str) -> None:
    if not steps:
        print("Nothing to do.")
    for step in steps:
        print(step.describe() if verb == "Plan" else f"{verb} {step.migration.name}")


def _run_migrations(args: argparse.Namespace, *, backwards: bool) -> int:
    settings = read_settings(args)

    def runner_of(database: Database) -> MigrationRunner:
        return MigrationRunner(database, load_migrations(settings.directory))

    if args.plan:
        steps = _with_database(
            settings, lambda db: runner_of(db).plan(args.target, backwards=backwards)
        )
        _print_steps(steps, "Plan")
        return 0
    if backwards:
        steps = _with_database(
            settings, lambda db: runner_of(db).rollback(args.target, fake=args.fake)
        )
    else:
        steps = _with_database(
            settings, lambda db: runner_of(db).apply(args.target, fake=args.fake)
        )
    _print_steps(steps, ("Faked" if args.fake else "Rolled back" if backwards else "Applied"))
    return 0


def run_apply(args: argparse.Namespace) -> int:
    return _run_migrations(args, backwards=False)


def run_rollback(args: argparse.Namespace) -> int:
    return _run_migrations(args, backwards=True)


def run_show(args: argparse.Namespace) -> int:
    settings = read_settings(args)
    migrations = load_migrations(settings.directory)
    applied = _with_database(
        settings, lambda db: MigrationRunner(db, migrations).applied(create=False)
    )
    for migration in resolve_replacements(migrations, set(applied)):
        record = applied.get(migration.name)
        when = f"  (applied {record.applied_at:%Y-%m-%d %H:%M:%S} UTC)" if record else ""
        mark = "X" if is_applied(migration, applied) else " "
        print(f"[{mark}] {migration.name}{when}")
    for name in missing_files(migrations, applied):
        print(f"[X] {name}  (applied, but its file is missing)")
    return 0


def run_sql(args: argparse.Namespace) -> int:
    settings = read_settings(args)
    vendor = parse_database_url(settings.database_url).backend
    migrations = load_migrations(settings.directory)
    print(migration_sql(migrations, vendor, args.target, backwards=args.backwards), end="")
    return 0


def run_squash(args: argparse.Namespace) -> int:
    settings = read_settings(args)
    path = squash_migrations(
        settings.directory,
        args.start,
        args.end,
        name=args.name,
        drop_data_operations=args.drop_data_operations,
    )
    print(f"Wrote {path}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    settings = read_settings(args)
    models = _models(settings)
    problems = _with_database(settings, lambda db: check(models, settings.directory, db))
    for problem in problems:
        print(problem)
    if problems:
        print(
            f"{len(problems)} problem(s): run `make` for model changes, `apply` for pending "
            "migrations, and look at the database for the rest."
        )
        return 1
    print("Models, migrations and database agree.")
    return 0
