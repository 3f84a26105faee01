"""covet.orm.testing: throwaway databases on the servers, made and dropped for real."""

from __future__ import annotations

import pytest

from covet.orm.database import Database
from covet.orm.testing import (
    DEFAULT_ADMIN_URLS,
    ServerDatabases,
    ServerUnavailable,
    admin_urls_from_environment,
    create_test_database,
    drop_all_tables,
    drop_test_database,
)
from covet.orm.urls import parse_database_url

ADMIN_VARIABLES = {"postgresql": "COVET_TEST_POSTGRES_URL", "mysql": "COVET_TEST_MYSQL_URL"}


@pytest.mark.parametrize(
    "server",
    [
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ],
)
async def test_a_test_database_is_created_empty_usable_and_dropped(server: str) -> None:
    admin_url = admin_urls_from_environment()[server]
    if not admin_url:
        pytest.skip(f"!!! {ADMIN_VARIABLES[server]} is set to nothing")
    url = create_test_database(admin_url, prefix="covet_testing_")
    assert str(url.database).startswith("covet_testing_")
    database = Database(url)
    try:
        await database.execute("CREATE TABLE t (x INTEGER)")
        await database.execute("INSERT INTO t (x) VALUES (1)")
        assert await database.fetch_all("SELECT x FROM t") == [(1,)]
    finally:
        await database.disconnect()
    with pytest.raises(ValueError, match="only test databases, whose names start with"):
        drop_test_database(url, admin_url=admin_url)  # not the default prefix
    drop_test_database(url, admin_url=admin_url, prefix="covet_testing_")
    drop_test_database(url, admin_url=admin_url, prefix="covet_testing_")  # harmless twice
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


@pytest.mark.parametrize("server", ["postgresql", "mysql"])
@pytest.mark.parametrize(
    "name", ["test", "shop", "", 'covet_test_x" WITH (FORCE); DROP DATABASE "shop', "covet_test_`"]
)
def test_only_well_named_test_databases_are_dropped(server: str, name: str) -> None:
    admin = f"{server}://root@127.0.0.1:1/test"  # port 1: nothing listens, nothing is reached
    url = parse_database_url(admin).with_database(name)
    # The name is checked first: these fail without ever connecting to a server.
    with pytest.raises(ValueError, match=r"refusing to touch database|invalid database name"):
        drop_test_database(url, admin_url=admin)
    with pytest.raises(ValueError, match="refusing to touch database"):
        create_test_database(admin, prefix="")


async def test_drop_all_tables_refuses_a_database_that_is_not_a_test_database(
    database: Database, vendor: str
) -> None:
    if vendor == "sqlite":  # a file of its own: left alone whatever its name
        await drop_all_tables(Database(database.url), prefix="no_such_prefix_")
        return
    await database.execute("CREATE TABLE precious (id INTEGER PRIMARY KEY)")
    with pytest.raises(ValueError, match="refusing to touch database 'covet_test_"):
        await drop_all_tables(database, prefix="production_")
    assert await database.fetch_all("SELECT id FROM precious") == []  # still there


def test_server_databases_say_once_why_a_server_is_unavailable() -> None:
    said: list[str] = []
    servers = ServerDatabases(
        {"postgresql": None, "mysql": "mysql://root@127.0.0.1:1/test"}, on_unavailable=said.append
    )
    with pytest.raises(ServerUnavailable, match="COVET_TEST_POSTGRES_URL is set to nothing"):
        servers.url_for("postgresql")
    for _ in range(2):  # port 1 refuses; the second call does not ask again
        with pytest.raises(ServerUnavailable, match="!!! mysql not available: "):
            servers.create("mysql")
    assert len(said) == 3
    assert said[1] == said[2]
    servers.drop_all()  # nothing was made: nothing to drop


@pytest.mark.parametrize(
    "server",
    [
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ],
)
async def test_server_databases_share_one_and_drop_all(server: str) -> None:
    servers = ServerDatabases(on_unavailable=pytest.skip)
    shared = servers.url_for(server)
    assert servers.url_for(server) == shared
    another = servers.create(server)
    assert another != shared
    servers.drop_all()
    for url in (shared, another):
        with pytest.raises(Exception, match=str(url.database)):
            await Database(url).connect()


def test_the_local_servers_are_the_default_and_the_variables_override_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("COVET_TEST_POSTGRES_URL", raising=False)
    monkeypatch.setenv("COVET_TEST_MYSQL_URL", "mysql://someone@127.0.0.1:3307/other")
    urls = admin_urls_from_environment()
    assert urls == {
        "postgresql": "postgresql://postgres@127.0.0.1:5432/test",
        "mysql": "mysql://someone@127.0.0.1:3307/other",
    }
    assert ServerDatabases().admin_urls == urls
    assert DEFAULT_ADMIN_URLS["postgresql"] == urls["postgresql"]
    monkeypatch.setenv("COVET_TEST_POSTGRES_URL", "")
    assert admin_urls_from_environment()["postgresql"] == ""
