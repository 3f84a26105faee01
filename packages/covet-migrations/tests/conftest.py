"""Fixtures: empty databases on each backend, and a migrations directory.

``database`` is parametrized over SQLite, PostgreSQL and MySQL/MariaDB like covet-orm's
tests: SQLite is a file in the test's tmp_path; the servers get one throwaway database per
test session (``covet.orm.testing``), emptied after every test. ``new_database_url()`` makes
one more empty database at each call (a backup test needs two: one to back up, one to
restore into). A missing server skips with a loud reason (and fails the run when CI=true,
see the root conftest).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from covet.orm.database import Database
from covet.orm.testing import create_test_database, drop_all_tables, drop_test_database
from covet.orm.urls import DatabaseURL, parse_database_url

SERVER_VARIABLES = {"postgresql": "COVET_TEST_POSTGRES_URL", "mysql": "COVET_TEST_MYSQL_URL"}

VENDORS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
]


class ServerDatabases:
    """The throwaway databases this session made on the servers."""

    def __init__(self) -> None:
        self.shared: dict[str, DatabaseURL] = {}
        self.made: list[tuple[str, DatabaseURL]] = []  # (vendor, database URL)

    def url_for(self, vendor: str) -> DatabaseURL:
        """This session's shared test database on ``vendor``, made on first request."""
        if vendor not in self.shared:
            self.shared[vendor] = self.create(vendor)
        return self.shared[vendor]

    def create(self, vendor: str) -> DatabaseURL:
        """A new empty database on ``vendor`` (skips, loudly, when that is impossible)."""
        variable = SERVER_VARIABLES[vendor]
        admin_url = os.environ.get(variable)
        if not admin_url:
            pytest.skip(f"!!! {variable} is not set: the {vendor} tests cannot run")
        try:
            url = create_test_database(admin_url)
        except Exception as error:  # whatever stops us, the reason is reported
            pytest.skip(f"!!! {vendor} not available: {' '.join(str(error).split())}")
        self.made.append((vendor, url))
        return url

    def drop_all(self) -> None:
        for vendor, url in self.made:
            drop_test_database(url, admin_url=os.environ[SERVER_VARIABLES[vendor]])
        self.made.clear()
        self.shared.clear()


@pytest.fixture(scope="session")
def server_databases() -> Iterator[ServerDatabases]:
    servers = ServerDatabases()
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
