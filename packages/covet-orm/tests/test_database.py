"""Database: the raw SQL API on SQLite, PostgreSQL and MySQL alike."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from contextlib import aclosing
from dataclasses import replace

import pytest

from covet.orm import (
    Database,
    DatabaseConfigError,
    DatabaseError,
    IntegrityError,
    close_all,
    configure,
    databases,
    get_database,
    override_database,
)
from covet.orm.backends import ExecuteResult

AUTO_ID = {
    "sqlite": "INTEGER PRIMARY KEY",
    "postgresql": "SERIAL PRIMARY KEY",
    "mysql": "INTEGER AUTO_INCREMENT PRIMARY KEY",
}
BLOB = {"sqlite": "BLOB", "postgresql": "BYTEA", "mysql": "LONGBLOB"}


async def make_items(db: Database, vendor: str) -> None:
    await db.execute(f"CREATE TABLE items (id {AUTO_ID[vendor]}, name VARCHAR(50), qty INTEGER)")


async def test_execute_insert_reports_rowcount_and_id(database: Database, vendor: str, ph: str):
    await make_items(database, vendor)
    result = await database.execute(f"INSERT INTO items (name, qty) VALUES ({ph}, {ph})", ["a", 1])
    assert result.rowcount == 1
    if vendor == "postgresql":
        assert result.lastrowid is None  # PostgreSQL reports ids through RETURNING
    else:
        assert result.lastrowid == 1
    assert result.rows == []


async def test_insert_returning_gives_rows(database: Database, vendor: str, ph: str):
    # RETURNING: PostgreSQL, SQLite >= 3.35, MariaDB >= 10.5.
    await make_items(database, vendor)
    result = await database.execute(
        f"INSERT INTO items (name, qty) VALUES ({ph}, {ph}), ({ph}, {ph}) RETURNING id, name",
        ["a", 1, "b", 2],
    )
    assert result.rows == [(1, "a"), (2, "b")]
    assert result.rowcount == 2


async def test_fetch_all_and_fetch_one_return_tuples(database: Database, vendor: str, ph: str):
    await make_items(database, vendor)
    await database.execute_many(
        f"INSERT INTO items (name, qty) VALUES ({ph}, {ph})", [("a", 1), ("b", 2), ("c", 3)]
    )
    rows = await database.fetch_all(
        f"SELECT name, qty FROM items WHERE qty >= {ph} ORDER BY id", [2]
    )
    assert rows == [("b", 2), ("c", 3)]
    assert all(type(row) is tuple for row in rows)
    assert await database.fetch_one("SELECT name FROM items ORDER BY id DESC") == ("c",)
    assert await database.fetch_one(f"SELECT name FROM items WHERE qty > {ph}", [99]) is None
    assert await database.fetch_all(f"SELECT name FROM items WHERE qty > {ph}", [99]) == []


async def test_execute_many_counts_every_row(database: Database, vendor: str, ph: str):
    await make_items(database, vendor)
    sql = f"INSERT INTO items (name, qty) VALUES ({ph}, {ph})"
    result = await database.execute_many(sql, [(f"n{i}", i) for i in range(25)])
    assert result.rowcount == 25
    assert await database.execute_many(sql, []) == ExecuteResult(0)
    assert await database.fetch_one("SELECT count(*), sum(qty) FROM items") == (25, 300)


async def test_update_rowcount_counts_matched_rows(database: Database, vendor: str, ph: str):
    # Two rows match, one already has the value: every backend says 2 (MySQL
    # would say 1 without the FOUND_ROWS flag the backend sets).
    await make_items(database, vendor)
    await database.execute_many(
        f"INSERT INTO items (name, qty) VALUES ({ph}, {ph})", [("a", 5), ("b", 1)]
    )
    result = await database.execute(f"UPDATE items SET qty = {ph}", [5])
    assert result.rowcount == 2
    deleted = await database.execute(f"DELETE FROM items WHERE name = {ph}", ["nobody"])
    assert deleted.rowcount == 0


async def test_literal_percent_without_params_is_not_a_placeholder(database: Database, ph: str):
    assert await database.fetch_one("SELECT '100%'") == ("100%",)
    assert await database.fetch_one("SELECT '%s', '?'") == ("%s", "?")
    if ph == "%s":
        # With params, a literal % in format-style SQL is written %%.
        assert await database.fetch_one("SELECT '50%%', %s", ["x"]) == ("50%", "x")


NASTY_STRINGS = [
    "O'Reilly",
    "''",
    '"double" and `backtick`',
    "back\\slash \\' \\\\ \\n",
    "100% sure, 50%% off, %s %d %(name)s",
    "? ?? ?1 :name $1 @var",
    "emoji 😀🎉👩‍👩‍👧 ünïcödé 中文 עברית",
    "'; DROP TABLE nasty; --",
    "SELECT * FROM users WHERE 1=1 OR '1'='1' UNION SELECT NULL",
    "line\nbreak\ttab\rcarriage",
    "",
    " leading and trailing ",
    "\\x00 is not a NUL, just text",
]
NASTY_BYTES = [
    bytes(range(1, 256)),
    b"'\\%?\"",
    b"\xff\xfe\xfd",
    b"",
]


async def test_nasty_strings_and_bytes_round_trip(database: Database, vendor: str, ph: str):
    await database.execute(f"CREATE TABLE nasty (id INTEGER PRIMARY KEY, s TEXT, b {BLOB[vendor]})")
    values = [(i, text, NASTY_BYTES[i % len(NASTY_BYTES)]) for i, text in enumerate(NASTY_STRINGS)]
    await database.execute_many(f"INSERT INTO nasty (id, s, b) VALUES ({ph}, {ph}, {ph})", values)
    for value in values:  # one at a time through execute() too
        await database.execute(
            f"INSERT INTO nasty (id, s, b) VALUES ({ph}, {ph}, {ph})", [value[0] + 100, *value[1:]]
        )
    rows = await database.fetch_all("SELECT id, s, b FROM nasty WHERE id < 100 ORDER BY id")
    assert [(i, s, bytes(b)) for i, s, b in rows] == values
    again = await database.fetch_all("SELECT id - 100, s, b FROM nasty WHERE id >= 100 ORDER BY id")
    assert [(i, s, bytes(b)) for i, s, b in again] == values
    for i, text, blob in values:
        # The value also works on the right of a comparison, bound.
        found = await database.fetch_all(
            f"SELECT id FROM nasty WHERE s = {ph} AND b = {ph} AND id < 100", [text, blob]
        )
        assert (i,) in found


async def test_integrity_errors_are_one_type_with_the_driver_error(
    database: Database, vendor: str, ph: str
):
    await database.execute("CREATE TABLE parents (id INTEGER PRIMARY KEY)")
    await database.execute(
        "CREATE TABLE children ("
        " id INTEGER PRIMARY KEY,"
        " email VARCHAR(100) NOT NULL UNIQUE,"
        " age INTEGER CHECK (age >= 0),"
        " parent_id INTEGER REFERENCES parents (id))"
    )
    await database.execute("INSERT INTO parents (id) VALUES (1)")
    insert = f"INSERT INTO children (id, email, age, parent_id) VALUES ({ph}, {ph}, {ph}, {ph})"
    await database.execute(insert, [1, "a@example.com", 30, 1])
    violations = {
        "unique": [2, "a@example.com", 30, 1],
        "not null": [3, None, 30, 1],
        "check": [4, "d@example.com", -1, 1],
        "foreign key": [5, "e@example.com", 30, 999],
    }
    driver_errors = {
        "sqlite": sqlite3.Error,
        "postgresql": pytest.importorskip("psycopg").Error,
        "mysql": pytest.importorskip("pymysql").Error,
    }
    for kind, values in violations.items():
        with pytest.raises(IntegrityError) as caught:
            await database.execute(insert, values)
        error = caught.value
        assert isinstance(error.driver_error, driver_errors[vendor]), kind
        assert error.__cause__ is error.driver_error
        assert error.sql == insert
        assert "\n" not in str(error)
    assert await database.fetch_one("SELECT count(*) FROM children") == (1,)


async def test_other_database_errors_are_database_error(database: Database):
    with pytest.raises(DatabaseError) as caught:
        await database.execute("SELECT * FROM no_such_table")
    assert not isinstance(caught.value, IntegrityError)
    assert caught.value.driver_error is caught.value.__cause__
    with pytest.raises(DatabaseError):
        await database.execute("SELEKT 1")


async def test_iterate_yields_every_row_in_chunks(database: Database, vendor: str, ph: str):
    await make_items(database, vendor)
    await database.execute_many(
        f"INSERT INTO items (name, qty) VALUES ({ph}, {ph})", [(f"n{i}", i) for i in range(10)]
    )
    rows = [
        row async for row in database.iterate("SELECT qty FROM items ORDER BY qty", chunk_size=3)
    ]
    assert rows == [(i,) for i in range(10)]
    filtered = database.iterate(f"SELECT name FROM items WHERE qty > {ph} ORDER BY qty", [7])
    assert [row async for row in filtered] == [("n8",), ("n9",)]
    empty = database.iterate(f"SELECT name FROM items WHERE qty > {ph}", [100])
    assert [row async for row in empty] == []


async def test_leaving_iterate_early_returns_the_connection(database: Database, vendor: str):
    # A pool of one connection: if the abandoned iteration kept it, the next
    # statement would wait for ever (SQLite) or time out (servers).
    options = {"max_size": "1"} if vendor == "sqlite" else {"max_size": "1", "pool_timeout": "2"}
    small = Database(replace(database.url, options=options))
    async with small:
        await small.execute("CREATE TABLE numbers (n INTEGER)")
        await small.execute_many(
            "INSERT INTO numbers (n) VALUES (" + ("?" if vendor == "sqlite" else "%s") + ")",
            [(i,) for i in range(50)],
        )
        async with aclosing(
            small.iterate("SELECT n FROM numbers ORDER BY n", chunk_size=5)
        ) as rows:
            async for (n,) in rows:
                if n == 7:
                    break
        assert await small.fetch_one("SELECT count(*) FROM numbers") == (50,)

        async def failing_loop() -> None:
            async for _ in small.iterate("SELECT n FROM numbers"):
                raise ZeroDivisionError

        with pytest.raises(ZeroDivisionError):
            await failing_loop()
        assert await small.fetch_one("SELECT max(n) FROM numbers") == (49,)


async def test_connects_lazily_and_reconnects_after_disconnect(database_url):
    db = Database(database_url)
    assert not db.is_connected
    assert await db.fetch_one("SELECT 1") == (1,)
    assert db.is_connected
    await db.disconnect()
    assert not db.is_connected
    await db.disconnect()  # twice is harmless
    assert await db.fetch_one("SELECT 2") == (2,)
    await db.disconnect()


def test_repr_names_alias_and_masks_password() -> None:
    db = Database("postgresql://app:s3cret@127.0.0.1:5432/shop", alias="reports")
    assert repr(db) == "<Database 'reports' postgresql://app:***@127.0.0.1:5432/shop>"
    assert (db.vendor, db.paramstyle, db.alias) == ("postgresql", "format", "reports")
    assert not db.is_embedded_default


# --- the registry of named databases ------------------------------------------


async def test_embedded_default_when_nothing_is_configured(empty_registry, tmp_path, monkeypatch):
    monkeypatch.setenv("COVET_DATABASE_URL", "")  # set but empty: as good as unset
    db = get_database()
    assert db.is_embedded_default
    assert db.url.path == "covet.sqlite3"
    assert get_database("default") is db
    assert await db.fetch_one("SELECT 1") == (1,)
    assert (tmp_path / "covet.sqlite3").exists()  # in the working directory


async def test_covet_database_url_configures_the_default(empty_registry, tmp_path, monkeypatch):
    monkeypatch.setenv("COVET_DATABASE_URL", f"sqlite:///{tmp_path / 'from_env.sqlite3'}")
    db = get_database()
    assert not db.is_embedded_default
    assert db.url.path == str(tmp_path / "from_env.sqlite3")
    explicit = configure()  # configure() with no URL reads the variable too
    assert explicit.url == db.url
    assert not explicit.is_embedded_default


async def test_several_named_databases(empty_registry, tmp_path):
    main = configure(f"sqlite:///{tmp_path / 'main.sqlite3'}")
    reports = configure("sqlite://:memory:", alias="reports")
    assert get_database() is main
    assert get_database("reports") is reports
    assert databases() == {"default": main, "reports": reports}
    await main.execute("CREATE TABLE t (n INTEGER)")
    await reports.execute("CREATE TABLE r (n INTEGER)")
    with pytest.raises(DatabaseConfigError) as caught:
        get_database("archive")
    assert str(caught.value) == (
        "no database is configured as 'archive' (configured: default, reports); "
        "call configure(url, alias='archive') first"
    )
    with pytest.raises(DatabaseConfigError, match="needs a database URL"):
        configure(alias="archive")
    await close_all()
    assert not main.is_connected
    assert not reports.is_connected


async def test_close_all_also_closes_a_replaced_database(empty_registry, tmp_path):
    first = configure(f"sqlite:///{tmp_path / 'first.sqlite3'}")
    await first.connect()
    second = configure(f"sqlite:///{tmp_path / 'second.sqlite3'}")
    assert get_database() is second
    await second.connect()
    await close_all()
    assert not first.is_connected
    assert not second.is_connected


async def test_override_database_holds_for_the_block_and_this_task_only(empty_registry, tmp_path):
    main = configure(f"sqlite:///{tmp_path / 'main.sqlite3'}")
    other = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    reports = Database("sqlite://:memory:", alias="reports")
    seen_elsewhere: list[Database] = []
    release = asyncio.Event()

    async def elsewhere() -> None:  # a task started before the block: not overridden
        await release.wait()
        seen_elsewhere.append(get_database())

    task = asyncio.create_task(elsewhere())
    with override_database(other, alias="default") as bound:
        assert bound is other
        assert get_database() is other
        with override_database(reports):  # its own alias
            assert get_database("reports") is reports
            assert get_database() is other
        with pytest.raises(DatabaseConfigError):
            get_database("reports")
        release.set()
        await task
    assert seen_elsewhere == [main]
    assert get_database() is main
    assert databases() == {"default": main}
    await other.disconnect()


def test_bad_configured_url_fails_at_configure(empty_registry):
    with pytest.raises(DatabaseConfigError, match="unknown database scheme 'postgresq'"):
        configure("postgresq://app@127.0.0.1/app")
    assert databases() == {}


async def test_a_program_that_never_disconnects_exits_cleanly(database_url, tmp_path):
    """Like the five-line scripts of the docs: no close_all(), no disconnect(),
    and here two asyncio.run() calls in a row. The pool is closed as each
    event loop ends (no hang, no warning even in development mode) and opened
    again on the next one."""
    script = tmp_path / "forgetful.py"
    script.write_text(
        "import asyncio, sys\n"
        "from covet.orm import configure, get_database\n"
        "configure(sys.argv[1])\n"
        "async def main(n):\n"
        "    print(await get_database().fetch_one(f'SELECT {n} + 2'))\n"
        "asyncio.run(main(40))\n"
        "asyncio.run(main(1))\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-X",
        "dev",  # shows ResourceWarnings and errors ignored in __del__
        str(script),
        database_url.render(),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert stdout.decode().split() == ["(42,)", "(3,)"]
    assert stderr.decode() == ""
