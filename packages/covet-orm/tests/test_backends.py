"""The backends: connecting, error translation, pools and session settings."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from dataclasses import replace

import pytest

from covet.orm import (
    Database,
    DatabaseConfigError,
    DatabaseUnavailableError,
    OperationalError,
)
from covet.orm.backends import create_backend
from covet.orm.backends.base import Connection
from covet.orm.urls import parse_database_url

SERVERS_ONLY = pytest.mark.parametrize("vendor", ["postgresql", "mysql"], indirect=True)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://postgres@127.0.0.1:1/test", ["PostgreSQL", "127.0.0.1:1", "'test'"]),
        ("mysql://root@127.0.0.1:1/test", ["MySQL", "127.0.0.1:1", "'test'"]),
        ("mariadb://root@127.0.0.1:1/test", ["MySQL", "127.0.0.1:1"]),
        ("sqlite:////nonexistent-covet-dir/sub/app.db", ["SQLite", "/nonexistent-covet-dir/sub"]),
    ],
)
async def test_unreachable_database_is_one_line_saying_what_and_where(url, expected):
    db = Database(url)
    with pytest.raises(DatabaseUnavailableError) as caught:
        await db.fetch_one("SELECT 1")  # connecting happens on first use
    message = str(caught.value)
    assert "\n" not in message
    for fragment in expected:
        assert fragment in message
    assert caught.value.driver_error is caught.value.__cause__ is not None
    assert not db.is_connected


@SERVERS_ONLY
async def test_unknown_database_on_a_reachable_server(database: Database, vendor: str):
    db = Database(replace(database.url, database="covet_no_such_database"))
    with pytest.raises(DatabaseUnavailableError, match="covet_no_such_database") as caught:
        await db.connect()
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "module", "extra", "requirement"),
    [
        ("postgresql://u@127.0.0.1/db", "psycopg", "postgres", "'psycopg[binary]>=3.2'"),
        ("mysql://u@127.0.0.1/db", "aiomysql", "mysql", "'aiomysql>=0.2'"),
    ],
)
def test_missing_driver_names_the_command_that_installs_it(
    monkeypatch, url, module, extra, requirement
):
    monkeypatch.setitem(sys.modules, module, None)  # "not installed"
    monkeypatch.delitem(sys.modules, f"covet.orm.backends.{extra}", raising=False)
    # The requirements of the extra, from covet-orm's metadata, for this very interpreter:
    # a command that works from a checkout as well as from an index.
    with pytest.raises(DatabaseConfigError) as caught:
        Database(url)
    message = str(caught.value)
    assert f"{sys.executable} -m pip install " in message
    assert requirement in message


def test_missing_sqlite_driver_says_covet_orm_lost_a_dependency(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "aiosqlite", None)  # "not installed"
    monkeypatch.delitem(sys.modules, "covet.orm.backends.sqlite", raising=False)
    with pytest.raises(DatabaseConfigError, match="reinstall covet-orm with its dependencies"):
        Database("sqlite:///:memory:")


async def test_lock_wait_timeout_is_operational_error(database: Database, vendor: str, ph: str):
    await database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)")
    await database.execute("INSERT INTO t (id, n) VALUES (1, 0)")
    if vendor == "sqlite":
        # Another program holds the write lock; we wait 0.2 s for it.
        impatient = Database(replace(database.url, options={"timeout": "0.2"}))
        other = sqlite3.connect(str(database.url.path), isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(OperationalError, match="locked"):
                await impatient.execute("UPDATE t SET n = 1")
        finally:
            other.execute("ROLLBACK")
            other.close()
            await impatient.disconnect()
        return
    locked = asyncio.Event()
    done = asyncio.Event()

    async def holder() -> None:
        async with database.atomic():
            await database.execute("UPDATE t SET n = 1 WHERE id = 1")
            locked.set()
            await done.wait()

    task = asyncio.create_task(holder())
    await locked.wait()

    async def impatient_update() -> None:
        async with database.atomic():
            if vendor == "postgresql":
                await database.execute("SET LOCAL lock_timeout = '200ms'")
            else:
                await database.execute("SET SESSION innodb_lock_wait_timeout = 1")
            await database.execute(f"UPDATE t SET n = {ph} WHERE id = 1", [2])

    try:
        with pytest.raises(OperationalError) as caught:
            await impatient_update()
        assert caught.value.driver_error is not None
    finally:
        done.set()
        await task
    assert await database.fetch_one("SELECT n FROM t") == (1,)


@SERVERS_ONLY
async def test_exhausted_pool_is_operational_error(database: Database, vendor: str):
    options = {"max_size": "1", "pool_timeout": "0.2"}
    small = Database(replace(database.url, options=options))
    async with small:
        inside = asyncio.Event()
        leave = asyncio.Event()

        async def hold_the_only_connection() -> None:
            async with small.atomic():
                inside.set()
                await leave.wait()

        task = asyncio.create_task(hold_the_only_connection())
        await inside.wait()
        with pytest.raises(OperationalError, match=r"no free .* connection .* \(max_size=1\)"):
            await small.fetch_one("SELECT 1")
        leave.set()
        await task
        assert await small.fetch_one("SELECT 1") == (1,)


async def test_session_settings(database: Database, vendor: str):
    if vendor == "postgresql":
        assert await database.fetch_one("SELECT current_setting('TimeZone')") == ("UTC",)
    elif vendor == "mysql":
        row = await database.fetch_one("SELECT @@session.time_zone, @@character_set_connection")
        assert row == ("+00:00", "utf8mb4")
    else:
        assert await database.fetch_one("PRAGMA foreign_keys") == (1,)
        assert await database.fetch_one("PRAGMA journal_mode") == ("wal",)


async def test_connections_run_in_autocommit_outside_atomic(database: Database, vendor: str):
    # A statement outside atomic() is committed at once: another connection sees it.
    await database.execute("CREATE TABLE t (n INTEGER)")
    await database.execute("INSERT INTO t (n) VALUES (7)")
    other = Database(database.url)
    async with other:
        assert await other.fetch_all("SELECT n FROM t") == [(7,)]


async def test_savepoint_names_are_checked(database: Database):
    async with database.backend.connection() as connection:
        assert isinstance(connection, Connection)
        with pytest.raises(ValueError, match="invalid savepoint name"):
            await connection.savepoint("x; DROP TABLE t")


async def test_sqlite_connection_returned_after_close_is_closed(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    await db.connect()
    async with db.backend.connection() as connection:
        await db.disconnect()
        assert await connection.fetch_one("SELECT 1") == (1,)
    raw = connection.raw  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="no active connection"):
        await raw.execute("SELECT 1")
    assert await db.fetch_one("SELECT 2") == (2,)  # reconnects
    await db.disconnect()


def test_create_backend_picks_the_class_by_url() -> None:
    for url, name in [
        ("sqlite://:memory:", "SQLiteBackend"),
        ("postgres://u@h/d", "PostgresBackend"),
        ("mariadb://u@h/d", "MySQLBackend"),
    ]:
        backend = create_backend(parse_database_url(url))
        assert type(backend).__name__ == name


def test_postgres_options_are_passed_to_libpq() -> None:
    from covet.orm.backends.postgres import PostgresBackend

    backend = PostgresBackend(
        parse_database_url(
            "postgresql://app:pw@127.0.0.1/shop?application_name=covet&max_size=3&pool_timeout=2"
        )
    )
    arguments = backend.connect_arguments()
    assert arguments["application_name"] == "covet"
    assert arguments["password"] == "pw"
    assert "max_size" not in arguments
    assert "pool_timeout" not in arguments
    assert (backend.max_size, backend.pool_timeout) == (3, 2.0)


@pytest.mark.skipif(os.name != "posix", reason="POSIX paths")
def test_sqlite_memory_backend_keeps_one_connection() -> None:
    backend = create_backend(parse_database_url("sqlite:///:memory:?max_size=4"))
    assert backend.max_size == 1  # type: ignore[attr-defined]


async def test_server_notes_are_not_python_warnings(database: Database, vendor: str):
    # MySQL reports "unknown table" as a note for DROP ... IF EXISTS, and a
    # truncated cast as a warning; warnings are errors in this test suite.
    await database.execute("DROP TABLE IF EXISTS no_such_table")
    truncated = "12abc" if vendor == "sqlite" else "12"  # SQLite ignores CHAR(n)
    sql = "SELECT CAST('12abc' AS CHAR(2))"
    assert [row async for row in database.iterate(sql)] == [(truncated,)]
    assert await database.fetch_one(sql) == (truncated,)


async def test_disconnect_of_a_never_connected_database_does_nothing(database_url):
    db = Database(database_url)
    await db.disconnect()
    await db.backend.close()
    assert not db.is_connected


def test_driver_messages_become_one_line() -> None:
    from covet.orm.backends.base import one_line
    from covet.orm.backends.mysql import _message

    assert one_line(RuntimeError("first\n\tsecond  third")) == "first second third"
    assert one_line(RuntimeError()) == "RuntimeError"
    assert _message(RuntimeError(1062, "Duplicate\nentry")) == "Duplicate entry (MySQL error 1062)"
    assert _message(RuntimeError("no number")) == "no number"


async def test_sqlite_execute_leaves_no_statement_open(tmp_path):
    # SQLiteConnection.execute() does not close its cursor (one trip to aiosqlite's thread
    # fewer): sqlite3 has finished the statement by then. A statement left open would hold
    # a read lock on the WAL, and a TRUNCATE checkpoint from another connection would then
    # report itself busy (first column 1) instead of 0.
    path = tmp_path / "open.sqlite3"
    db = Database(f"sqlite:///{path}")
    await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)")
    async with db.backend.connection() as connection:
        inserted = await connection.execute("INSERT INTO t (n) VALUES (1), (2) RETURNING id")
        assert inserted.rows == [(1,), (2,)]
        updated = await connection.execute("UPDATE t SET n = n + 1")
        assert updated.rowcount == 2
        other = sqlite3.connect(path)
        try:
            busy, _, _ = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            other.close()
        assert busy == 0
    await db.disconnect()
