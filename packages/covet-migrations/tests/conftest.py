"""Fixtures: an empty database on each backend, and a migrations directory.

``database`` is parametrized over SQLite, PostgreSQL and MySQL/MariaDB like covet-orm's
tests: SQLite is a file in the test's tmp_path; the servers get one throwaway database per
test session (``covet.orm.testing``), emptied after every test. A missing server skips with a
loud reason (and fails the run when CI=true, see the root conftest).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
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
    """This session's test database on each server, made on first request."""

    def __init__(self) -> None:
        self.urls: dict[str, DatabaseURL] = {}

    def url_for(self, vendor: str) -> DatabaseURL:
        admin_url = os.environ.get(SERVER_VARIABLES[vendor])
        if not admin_url:
            pytest.skip(f"!!! {SERVER_VARIABLES[vendor]} is not set: {vendor} tests skipped")
        if vendor not in self.urls:
            self.urls[vendor] = create_test_database(admin_url)
        return self.urls[vendor]

    def drop_all(self) -> None:
        for vendor, url in self.urls.items():
            drop_test_database(url, admin_url=os.environ[SERVER_VARIABLES[vendor]])


@pytest.fixture(scope="session")
def server_databases() -> Iterator[ServerDatabases]:
    servers = ServerDatabases()
    yield servers
    servers.drop_all()


@pytest.fixture(params=VENDORS)
def vendor(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def database_url(vendor: str, server_databases: ServerDatabases, tmp_path: Path) -> DatabaseURL:
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
def migrations_dir(tmp_path: Path) -> Path:
    return tmp_path / "migrations"
