"""atomic(): commit, rollback, savepoints, and isolation between tasks, on every backend."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from covet.orm import Database, IntegrityError, TransactionError, atomic, configure


class Boom(Exception):
    """Raised inside blocks to make them roll back."""


async def make_notes(db: Database) -> None:
    await db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(50) UNIQUE)")


async def note_ids(db: Database) -> list[int]:
    return [row[0] for row in await db.fetch_all("SELECT id FROM notes ORDER BY id")]


async def test_block_commits_on_success(database: Database, ph: str):
    await make_notes(database)
    assert not database.in_transaction()
    async with atomic():
        assert database.in_transaction()
        await database.execute(f"INSERT INTO notes (id, body) VALUES ({ph}, {ph})", [1, "one"])
        await database.execute(f"INSERT INTO notes (id, body) VALUES ({ph}, {ph})", [2, "two"])
    assert not database.in_transaction()
    assert await note_ids(database) == [1, 2]


async def test_block_rolls_back_on_exception_and_reraises(database: Database, ph: str):
    await make_notes(database)
    seen_inside: list[int] = []

    async def block() -> None:
        async with database.atomic():
            await database.execute(f"INSERT INTO notes (id, body) VALUES ({ph}, {ph})", [1, "x"])
            seen_inside.extend(await note_ids(database))
            raise Boom

    with pytest.raises(Boom):
        await block()
    assert seen_inside == [1]  # visible inside the transaction
    assert await note_ids(database) == []
    assert not database.in_transaction()


async def test_nested_block_rolls_back_only_its_savepoint(database: Database, ph: str):
    await make_notes(database)
    insert = f"INSERT INTO notes (id, body) VALUES ({ph}, {ph})"

    async def inner_block() -> None:
        async with atomic():
            await database.execute(insert, [2, "inner, rolled back"])
            async with atomic():  # a savepoint in a savepoint
                await database.execute(insert, [3, "innermost, rolled back"])
            raise Boom

    async with atomic():
        await database.execute(insert, [1, "outer before"])
        with pytest.raises(Boom):
            await inner_block()
        async with atomic():
            await database.execute(insert, [4, "inner, kept"])
        await database.execute(insert, [5, "outer after"])
    assert await note_ids(database) == [1, 4, 5]


async def test_exception_in_outer_block_undoes_released_savepoints(database: Database, ph: str):
    await make_notes(database)
    insert = f"INSERT INTO notes (id, body) VALUES ({ph}, {ph})"

    async def block() -> None:
        async with atomic():
            async with atomic():
                await database.execute(insert, [1, "a"])
            raise Boom

    with pytest.raises(Boom):
        await block()
    assert await note_ids(database) == []


async def test_integrity_error_in_nested_block_keeps_outer_transaction_usable(
    database: Database, ph: str
):
    # get_or_create's pattern: try the INSERT in a savepoint, carry on if it fails.
    # On PostgreSQL this only works because ROLLBACK TO SAVEPOINT clears the
    # "transaction aborted" state.
    await make_notes(database)
    insert = f"INSERT INTO notes (id, body) VALUES ({ph}, {ph})"
    async with atomic():
        await database.execute(insert, [1, "taken"])
        with pytest.raises(IntegrityError):
            async with atomic():
                await database.execute(insert, [2, "taken"])
        await database.execute(insert, [3, "free"])
    assert await note_ids(database) == [1, 3]


async def test_error_caught_without_savepoint(database: Database, vendor: str, ph: str):
    # Catching a failed statement inside a block, without a nested atomic():
    # SQLite and MySQL undo just that statement, PostgreSQL refuses the rest of
    # the transaction - and atomic() says so instead of pretending to commit.
    await make_notes(database)
    insert = f"INSERT INTO notes (id, body) VALUES ({ph}, {ph})"
    await database.execute(insert, [1, "taken"])

    async def caught_and_continued() -> None:
        async with atomic():
            await database.execute(insert, [2, "new"])
            with contextlib.suppress(IntegrityError):
                await database.execute(insert, [3, "taken"])

    if vendor == "postgresql":
        with pytest.raises(TransactionError, match="rolled back, not committed"):
            await caught_and_continued()
        assert await note_ids(database) == [1]
    else:
        await caught_and_continued()
        assert await note_ids(database) == [1, 2]


async def test_atomic_by_alias_and_in_transaction_per_database(database: Database, tmp_path, ph):
    other = configure(f"sqlite:///{tmp_path / 'other.sqlite3'}", alias="other")
    await other.execute("CREATE TABLE t (n INTEGER)")
    async with atomic(using="other"):
        assert other.in_transaction()
        assert not database.in_transaction()
        await other.execute("INSERT INTO t (n) VALUES (?)", [1])

    async def failing_block() -> None:
        async with atomic("other"):
            await other.execute("INSERT INTO t (n) VALUES (?)", [2])
            raise Boom

    with pytest.raises(Boom):
        await failing_block()
    assert await other.fetch_all("SELECT n FROM t") == [(1,)]
    await other.disconnect()


async def test_concurrent_transactions_never_see_uncommitted_rows(database: Database, vendor, ph):
    """Task A inserts a row and keeps its transaction open; task B, in its own
    atomic(), must not see that row. On the servers B reads while A is still
    open; on SQLite B's transaction waits until A's has ended (documented)."""
    await make_notes(database)
    a_inserted = asyncio.Event()
    b_has_read = asyncio.Event()
    a_open = False
    seen_by_b: list[int] = []
    b_read_while_a_open = False

    async def task_a() -> None:
        nonlocal a_open
        async with atomic():
            a_open = True
            await database.execute(
                f"INSERT INTO notes (id, body) VALUES ({ph}, {ph})", [1, "uncommitted"]
            )
            a_inserted.set()
            # Give B its chance to look; on SQLite B cannot start until we end.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(b_has_read.wait(), 0.3)
            a_open = False
            raise Boom  # roll back: the row never existed for anyone else

    async def task_b() -> None:
        nonlocal seen_by_b, b_read_while_a_open
        await a_inserted.wait()
        async with atomic():
            seen_by_b = await note_ids(database)
            b_read_while_a_open = a_open
        b_has_read.set()

    results = await asyncio.gather(task_a(), task_b(), return_exceptions=True)
    assert isinstance(results[0], Boom)
    assert results[1] is None
    assert seen_by_b == []
    # The servers really ran the two transactions side by side; SQLite serialized them.
    assert b_read_while_a_open is (vendor != "sqlite")


async def test_reader_outside_atomic_sees_only_committed_rows(database: Database, ph: str):
    # Outside atomic() a statement borrows another connection: it does not
    # wait for the open transaction (WAL on SQLite) and does not see its rows.
    await make_notes(database)
    await database.execute(f"INSERT INTO notes (id, body) VALUES ({ph}, {ph})", [1, "committed"])
    inside = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with atomic():
            await database.execute(f"INSERT INTO notes (id, body) VALUES ({ph}, {ph})", [2, "x"])
            inside.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await inside.wait()
    assert await asyncio.wait_for(note_ids(database), 5) == [1]
    release.set()
    await task
    assert await note_ids(database) == [1, 2]


async def test_a_task_created_inside_atomic_does_not_join_the_transaction(
    database: Database, ph: str
):
    await make_notes(database)
    async with atomic():
        await database.execute(f"INSERT INTO notes (id, body) VALUES ({ph}, {ph})", [1, "parent"])
        child_in_transaction, child_sees = await asyncio.create_task(_look(database))
        assert not child_in_transaction
        assert child_sees == []  # the parent's row is not committed yet
        assert await note_ids(database) == [1]
    assert await note_ids(database) == [1]


async def _look(database: Database) -> tuple[bool, list[int]]:
    return database.in_transaction(), await note_ids(database)


@pytest.mark.parametrize("lock", [True, False], ids=["for_update", "plain_select"])
async def test_select_for_update_in_atomic_prevents_lost_updates(
    database: Database, vendor: str, ph: str, lock: bool
):
    """Five tasks each read a counter and write it back plus one. With FOR UPDATE
    inside atomic() (the SELECT and the UPDATE on one connection, the row locked
    until COMMIT) none of the increments is lost. Without the lock the servers
    lose some, which proves the test can tell; SQLite serializes whole
    transactions, so it loses none either way."""
    await database.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)")
    await database.execute("INSERT INTO counter (id, n) VALUES (1, 0)")
    suffix = " FOR UPDATE" if lock and vendor != "sqlite" else ""

    async def increment() -> None:
        async with atomic():
            row = await database.fetch_one(f"SELECT n FROM counter WHERE id = 1{suffix}")
            assert row is not None
            await asyncio.sleep(0.02)  # let the other tasks interleave
            await database.execute(f"UPDATE counter SET n = {ph} WHERE id = 1", [row[0] + 1])

    await asyncio.gather(*(increment() for _ in range(5)))
    final = await database.fetch_one("SELECT n FROM counter WHERE id = 1")
    if lock or vendor == "sqlite":
        assert final == (5,)
    else:
        assert final is not None
        assert final[0] < 5


async def test_sqlite_second_writer_waits_instead_of_failing(tmp_path):
    # A one-second busy timeout: a second writer that relied on SQLite's own
    # waiting would fail with "database is locked" while the first holds on.
    db = Database(f"sqlite:///{tmp_path / 'writers.sqlite3'}?timeout=1")
    async with db:
        await db.execute("CREATE TABLE log (who TEXT)")
        first_in = asyncio.Event()
        order: list[str] = []

        async def first() -> None:
            async with db.atomic():
                await db.execute("INSERT INTO log (who) VALUES ('first')")
                first_in.set()
                await asyncio.sleep(1.5)
                order.append("first commits")

        async def second() -> None:
            await first_in.wait()
            async with db.atomic():
                order.append("second begins")
                await db.execute("INSERT INTO log (who) VALUES ('second')")

        await asyncio.gather(first(), second())
        assert order == ["first commits", "second begins"]
        assert await db.fetch_all("SELECT who FROM log ORDER BY rowid") == [("first",), ("second",)]


async def test_sqlite_memory_database_serializes_tasks_on_its_one_connection():
    db = Database("sqlite://:memory:")
    async with db:
        await db.execute("CREATE TABLE t (n INTEGER)")
        inside = asyncio.Event()
        events: list[str] = []

        async def writer() -> None:
            async with db.atomic():
                await db.execute("INSERT INTO t (n) VALUES (1)")
                inside.set()
                await asyncio.sleep(0.2)
                events.append("writer rolls back")
                raise Boom

        async def reader() -> None:
            await inside.wait()
            rows = await db.fetch_all("SELECT n FROM t")  # waits for the connection
            events.append(f"reader saw {rows}")

        results = await asyncio.gather(writer(), reader(), return_exceptions=True)
        assert isinstance(results[0], Boom)
        assert events == ["writer rolls back", "reader saw []"]
        # The same task may use the connection inside its own loop over iterate().
        await db.execute_many("INSERT INTO t (n) VALUES (?)", [(1,), (2,)])
        async for (n,) in db.iterate("SELECT n FROM t ORDER BY n"):
            await db.execute("INSERT INTO t (n) VALUES (?)", [n * 10])
        assert sorted(r[0] for r in await db.fetch_all("SELECT n FROM t")) == [1, 2, 10, 20]


async def test_cancelled_task_rolls_back_and_frees_the_connection(database: Database, ph: str):
    await make_notes(database)
    inside = asyncio.Event()

    async def stuck() -> None:
        async with atomic():
            await database.execute(f"INSERT INTO notes (id, body) VALUES ({ph}, {ph})", [1, "x"])
            inside.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(stuck())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # Nothing committed, and the next transaction is not blocked by a leftover lock.
    async with atomic():
        await database.execute(f"INSERT INTO notes (id, body) VALUES ({ph}, {ph})", [2, "y"])
    assert await note_ids(database) == [2]


async def test_failed_commit_rolls_back_and_frees_the_connection(database: Database, vendor, ph):
    """A deferred foreign key is checked at COMMIT (SQLite, PostgreSQL; MySQL
    checks at once): a COMMIT that fails must not leave the transaction open."""
    deferred = "" if vendor == "mysql" else " DEFERRABLE INITIALLY DEFERRED"
    await database.execute("CREATE TABLE parents (id INTEGER PRIMARY KEY)")
    await database.execute(
        "CREATE TABLE kids (id INTEGER PRIMARY KEY,"
        f" parent_id INTEGER REFERENCES parents (id){deferred})"
    )

    async def orphan() -> None:
        async with atomic():
            await database.execute(f"INSERT INTO kids (id, parent_id) VALUES ({ph}, {ph})", [1, 99])

    with pytest.raises(IntegrityError):
        await orphan()
    assert await database.fetch_all("SELECT id FROM kids") == []
    async with atomic():  # not blocked by a leftover transaction or lock
        await database.execute("INSERT INTO parents (id) VALUES (99)")
        await database.execute(f"INSERT INTO kids (id, parent_id) VALUES ({ph}, {ph})", [1, 99])
    assert await database.fetch_all("SELECT id FROM kids") == [(1,)]
