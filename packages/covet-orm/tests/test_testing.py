"""covet.orm.testing: throwaway databases on the servers, made and dropped for real."""

from __future__ import annotations

import os

import pytest

from covet.orm.database import Database
from covet.orm.testing import create_test_database, drop_all_tables, drop_test_database

ADMIN_VARIABLES = {"postgresql": "COVET_TEST_POSTGRES_URL", "mysql": "COVET_TEST_MYSQL_URL"}


@pytest.mark.parametrize(
    "server",
    [
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ],
)
async def test_a_test_database_is_created_empty_usable_and_dropped(server: str) -> None:
    admin_url = os.environ.get(ADMIN_VARIABLES[server])
    if not admin_url:
        pytest.skip(f"!!! {ADMIN_VARIABLES[server]} is not set")
    url = create_test_database(admin_url, prefix="covet_testing_")
    assert str(url.database).startswith("covet_testing_")
    database = Database(url)
    try:
        await database.execute("CREATE TABLE t (x INTEGER)")
        await database.execute("INSERT INTO t (x) VALUES (1)")
        assert await database.fetch_all("SELECT x FROM t") == [(1,)]
    finally:
        await database.disconnect()
    drop_test_database(url, admin_url=admin_url)
    drop_test_database(url, admin_url=admin_url)  # a second drop is harmless
    with pytest.raises(Exception, match=str(url.database)):
        await Database(url).connect()


def test_sqlite_needs_no_test_database() -> None:
    with pytest.raises(ValueError, match="on a server, not on sqlite"):
        create_test_database("sqlite:///x.sqlite3")


async def test_drop_all_tables_empties_a_server_database(database: Database, vendor: str) -> None:
    await database.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    await database.execute(
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id))"
    )
    await database.execute("CREATE VIEW parents AS SELECT id FROM parent")
    await drop_all_tables(database)
    if vendor == "sqlite":
        # A SQLite test database is a file of its own: nothing to empty.
        rows = await database.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
        assert sorted(rows) == [("child",), ("parent",)]
        return
    await database.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")  # the name is free
    await database.execute("CREATE VIEW parents AS SELECT id FROM parent")
