"""Fixtures: empty databases on each backend, and a migrations directory.

``database`` is parametrized over SQLite, PostgreSQL and MySQL/MariaDB like covet-orm's
tests: SQLite is a file in the test's tmp_path; the servers get one throwaway database per
test session (``covet.orm.testing``), emptied after every test. ``new_database_url()`` makes
one more empty database at each call (a backup test needs two: one to back up, one to
restore into). ``write_chain`` writes hand-written migration files; ``schema_drift`` lists
how the live schema differs from a state. A missing server skips with a loud reason (and
fails the run when CI=true, see the root conftest).
"""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from covet.migrations import ProjectState, expected_schema, introspect, schema_differences
from covet.orm.database import Database
from covet.orm.dialects import dialect_for
from covet.orm.testing import ServerDatabases, drop_all_tables
from covet.orm.urls import DatabaseURL, parse_database_url

VENDORS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
]


@pytest.fixture(scope="session")
def server_databases() -> Iterator[ServerDatabases]:
    servers = ServerDatabases(on_unavailable=pytest.skip)
    yield servers
    servers.drop_all()


@pytest.fixture(params=VENDORS)
def vendor(request: pytest.FixtureRequest) -> str:
    """The backend this test runs on: "sqlite", "postgresql" or "mysql"."""
    name: str = request.param
    return name


@pytest.fixture
def database_url(vendor: str, server_databases: ServerDatabases, tmp_path: Path) -> DatabaseURL:
    """The URL of an empty database on ``vendor``."""
    if vendor == "sqlite":
        return parse_database_url(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    return server_databases.url_for(vendor)


@pytest.fixture
async def database(database_url: DatabaseURL) -> AsyncIterator[Database]:
    """A connected Database on an empty database; emptied again afterwards."""
    db = Database(database_url)
    await db.connect()
    try:
        yield db
    finally:
        await drop_all_tables(db)


@pytest.fixture
def new_database_url(
    vendor: str, server_databases: ServerDatabases, tmp_path: Path
) -> Callable[[], DatabaseURL]:
    """Makes a new empty database on ``vendor`` at each call and returns its URL."""
    made = 0

    def make() -> DatabaseURL:
        nonlocal made
        made += 1
        if vendor == "sqlite":
            return parse_database_url(f"sqlite:///{tmp_path / f'db{made}.sqlite3'}")
        return server_databases.create(vendor)

    return make


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    """Where a test's migration files go."""
    return tmp_path / "migrations"


@pytest.fixture
def write_chain(migrations_dir: Path) -> Callable[[str, dict[str, str]], None]:
    """Writes migration files into ``migrations_dir``, each depending on the one before.

    ``write_chain(imports, {"0001_tables": "operations = [...]", ...})``: every file starts
    with the ``imports`` line, then its ``dependencies``, then its (dedented) body.
    """

    def write(imports: str, steps: dict[str, str]) -> None:
        migrations_dir.mkdir()
        previous: list[str] = []
        for name, body in steps.items():
            source = imports + f"\ndependencies = {previous[-1:]!r}\n" + textwrap.dedent(body)
            (migrations_dir / f"{name}.py").write_text(source)
            previous.append(name)

    return write


@pytest.fixture
def schema_drift(database: Database) -> Callable[[ProjectState], Awaitable[list[str]]]:
    """``await schema_drift(state)``: how the live schema differs from ``state`` ([]: not)."""

    async def drift(state: ProjectState) -> list[str]:
        expected = expected_schema(state, await dialect_for(database))
        return schema_differences(expected, await introspect(database))

    return drift
