"""Loading migration files, and putting them in order.

A migration is a Python file ``<4 digits>_<name>.py`` in the migrations directory::

    dependencies = ["0001_initial"]
    operations = [AddColumn("author", Column("email", "CharField", max_length=200, null=True))]

The loader imports each file, checks it has ``operations`` (and ``dependencies``), and
computes its checksum: the sha256 of the file's bytes with line endings made ``\n``, which
the history records so that a migration changed after it ran is noticed. A checkout that
turns ``\n`` into ``\r\n`` (Git's ``core.autocrlf`` on Windows) changes nothing; any other
change to the file does, even one that keeps its meaning (a comment, a formatter's quotes).

The migrations form a graph by their dependencies; :func:`order_migrations` sorts it and
insists it is a line (two migrations that both follow the same one are a conflict a person
must settle). A squashed migration lists what it ``replaces``: :func:`resolve_replacements`
uses it instead of those on a database that has applied all or none of them, and the
originals on one that stopped half way.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from covet.migrations.errors import MigrationError
from covet.migrations.operations import Operation
from covet.migrations.state import ProjectState

__all__ = [
    "Migration",
    "find_target",
    "load_migration",
    "load_migrations",
    "order_migrations",
    "resolve_replacements",
    "state_after",
    "states_through",
]

MIGRATION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


@dataclass
class Migration:
    """One migration file, loaded."""

    name: str
    operations: list[Operation]
    dependencies: list[str] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)
    path: Path | None = None
    checksum: str = ""

    @property
    def number(self) -> int:
        return int(self.name[:4]) if self.name[:4].isdigit() else 0


def file_checksum(path: Path) -> str:
    """The sha256 (hex) of a file's bytes, line endings as ``\n``: what the history records.

    The same file checked out on Windows (``\r\n``) or elsewhere (``\n``) has one checksum.
    """
    text = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return hashlib.sha256(text).hexdigest()


def load_migration(path: Path) -> Migration:
    """Import one migration file; a clear error if it is not one."""
    spec = importlib.util.spec_from_file_location(f"covet_migration_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        raise MigrationError(
            f"cannot load migration {path}: {type(error).__name__}: {error}"
        ) from error
    operations = getattr(module, "operations", None)
    if not isinstance(operations, list) or not all(isinstance(o, Operation) for o in operations):
        raise MigrationError(f"{path}: `operations` must be a list of operations")
    return Migration(
        name=path.stem,
        operations=operations,
        dependencies=list(getattr(module, "dependencies", [])),
        replaces=list(getattr(module, "replaces", [])),
        path=path,
        checksum=file_checksum(path),
    )


def load_migrations(directory: Path) -> list[Migration]:
    """Every migration in ``directory`` (none if it does not exist), in dependency order."""
    if not directory.is_dir():
        return []
    paths = sorted(p for p in directory.iterdir() if MIGRATION_FILE.match(p.name))
    return order_migrations([load_migration(path) for path in paths])


def order_migrations(migrations: Iterable[Migration]) -> list[Migration]:
    """Sort by dependencies; refuse unknown dependencies, cycles and branches."""
    by_name = {m.name: m for m in migrations}
    replaced = {r for m in by_name.values() for r in m.replaces}
    for migration in by_name.values():
        for dependency in migration.dependencies:
            if dependency not in by_name:
                raise MigrationError(
                    f"migration {migration.name} depends on {dependency}, which does not exist"
                )
    ordered: list[Migration] = []
    done: set[str] = set()
    remaining = sorted(by_name)
    while remaining:
        ready = [n for n in remaining if set(by_name[n].dependencies) <= done]
        if not ready:
            raise MigrationError(
                f"migrations depend on each other in a cycle: {', '.join(remaining)}"
            )
        ordered += [by_name[n] for n in ready]
        done.update(ready)
        remaining = [n for n in remaining if n not in done]
    # A line: each migration is the dependency of at most one other (squashed ones aside).
    followers: dict[str, list[str]] = {}
    for migration in ordered:
        if migration.name in replaced or migration.replaces:
            continue
        for dependency in migration.dependencies:
            followers.setdefault(dependency, []).append(migration.name)
    for dependency, names in followers.items():
        if len(names) > 1:
            raise MigrationError(
                f"migrations {' and '.join(names)} both follow {dependency}: make one depend "
                "on the other (and check that they do not conflict)"
            )
    return ordered


def resolve_replacements(migrations: list[Migration], applied: set[str]) -> list[Migration]:
    """Use squashed migrations, or the ones they replace, as fits what ``applied`` holds.

    With nothing applied (``set()``) that is the list a new database runs, which is also the
    one to replay for the schema the migrations describe. The migrations given are not
    changed: those returned are copies.
    """
    migrations = [dataclasses.replace(m, dependencies=list(m.dependencies)) for m in migrations]
    result = list(migrations)
    present = {m.name for m in migrations}
    for squashed in [m for m in migrations if m.replaces]:
        done = [r for r in squashed.replaces if r in applied]
        if done and len(done) < len(squashed.replaces):
            # Half applied: finish with the originals; the squashed one is not needed here.
            if not set(squashed.replaces) <= present:
                raise MigrationError(
                    f"{squashed.name} replaces migrations of which only {', '.join(done)} "
                    "are applied, and the others' files are gone: restore them to finish"
                )
            result = [m for m in result if m is not squashed]
            last = squashed.replaces[-1]
            for migration in result:
                migration.dependencies = [
                    last if d == squashed.name else d for d in migration.dependencies
                ]
            continue
        rename = dict.fromkeys(squashed.replaces, squashed.name)
        result = [m for m in result if m.name not in squashed.replaces]
        for migration in result:
            migration.dependencies = [
                rename.get(d, d)
                for d in migration.dependencies
                if rename.get(d, d) != migration.name
            ]
    return result


def state_after(migrations: Iterable[Migration]) -> ProjectState:
    """The schema the given migrations describe, replayed from nothing (in the order given:
    pass a list without replaced migrations, see :func:`resolve_replacements`)."""
    state = ProjectState()
    for migration in migrations:
        for operation in migration.operations:
            operation.state_forwards(state)
    return state


def states_through(migration: Migration, before: ProjectState) -> list[ProjectState]:
    """The state before each operation of ``migration``, then the state after the last."""
    states = [before]
    for operation in migration.operations:
        states.append(states[-1].clone())
        operation.state_forwards(states[-1])
    return states


def find_target(migrations: list[Migration], target: str) -> int:
    """The index of ``target`` (a full name or a unique prefix such as ``0003``)."""
    matches = [i for i, m in enumerate(migrations) if m.name == target]
    matches = matches or [i for i, m in enumerate(migrations) if m.name.startswith(target)]
    if len(matches) != 1:
        names = ", ".join(m.name for m in migrations) or "none"
        problem = "matches several" if matches else "is not a migration"
        raise MigrationError(f"target {target!r} {problem} (migrations: {names})")
    return matches[0]


def described_state(migrations: list[Migration]) -> ProjectState:
    """The schema all of ``migrations`` describe (squashed ones standing in for originals)."""
    return state_after(resolve_replacements(migrations, set()))
