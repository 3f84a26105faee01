"""Fixtures shared by every covet-orm test: a fresh database on each backend.

``database`` is parametrized over SQLite, PostgreSQL and MySQL/MariaDB, so a
test written once runs on all three and behaviour cannot drift between them::

    async def test_something(database, vendor):
        await database.execute(...)

* SQLite: a new file in the test's tmp_path.
* PostgreSQL and MySQL: one database ``covet_test_<random>`` per backend per
  test session (creating one takes a moment), created through an admin
  connection to the local server (``COVET_TEST_POSTGRES_URL`` / ``COVET_TEST_MYSQL_URL``
  override it) and
  dropped when the session ends. Every table a test made is dropped after it.

The fixture's Database is also configured as the alias "default" for the
test's duration; the registry is restored afterwards. When a server's variable
is set to nothing or the server cannot be reached the test is skipped with a loud
reason (and the root conftest turns any skip into a failure when CI=true).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from covet.orm import database as database_module
from covet.orm.database import Database, configure
from covet.orm.testing import ServerDatabases, drop_all_tables
from covet.orm.urls import DatabaseURL, parse_database_url

VENDORS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
]


@pytest.fixture(scope="session")
def server_databases() -> Iterator[ServerDatabases]:
    """Creates the servers' test databases lazily; drops them when the session ends."""
    servers = ServerDatabases(on_unavailable=pytest.skip)
    yield servers
    servers.drop_all()


@pytest.fixture(params=VENDORS)
def vendor(request: pytest.FixtureRequest) -> str:
    """The backend this test runs on: "sqlite", "postgresql" or "mysql"."""
    name: str = request.param
    return name


@pytest.fixture
def database_url(vendor: str, server_databases: ServerDatabases, tmp_path: Any) -> DatabaseURL:
    """The URL of an empty database on ``vendor`` (skips when the server is missing)."""
    if vendor == "sqlite":
        return parse_database_url(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    return server_databases.url_for(vendor)


@pytest.fixture
async def database(database_url: DatabaseURL) -> AsyncIterator[Database]:
    """A connected Database on an empty database, also configured as "default"."""
    saved = dict(database_module._databases)
    db = configure(database_url.render())
    await db.connect()
    try:
        yield db
    finally:
        created = [d for d in database_module.databases().values() if d not in saved.values()]
        await drop_all_tables(db)
        for other in created:
            await other.disconnect()
        database_module._databases.clear()
        database_module._databases.update(saved)


@pytest.fixture
async def empty_registry(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """No database configured, no COVET_DATABASE_URL, the working directory a tmp dir.

    Whatever the test configures is disconnected and the registry restored after it.
    """
    saved = dict(database_module._databases)
    saved_replaced = list(database_module._replaced)
    database_module._databases.clear()
    database_module._replaced.clear()
    monkeypatch.delenv(database_module.DATABASE_URL_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)
    try:
        yield
    finally:
        await database_module.close_all()
        database_module._databases.clear()
        database_module._databases.update(saved)
        database_module._replaced[:] = saved_replaced


@pytest.fixture
def ph(database: Database) -> str:
    """The bound-parameter placeholder of the database's driver: ``?`` or ``%s``."""
    return "?" if database.paramstyle == "qmark" else "%s"
