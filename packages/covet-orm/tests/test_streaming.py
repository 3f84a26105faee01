"""iterate(): rows streamed from a server-side cursor, memory flat however many there are."""

from __future__ import annotations

import tracemalloc

import pytest

from covet.orm import CharField, Database, Model, atomic

ROWS = 100_000

# 100,000 rows made by the server itself, in one statement.
FILL = {
    "postgresql": (
        "INSERT INTO big (id, payload) SELECT g, repeat('x', 100) FROM generate_series(1, {n}) AS g"
    ),
    # MySQL/MariaDB cap recursive CTEs at 1000 rows by default: digits, cross-joined.
    "mysql": (
        "INSERT INTO big (id, payload)"
        " SELECT id, REPEAT('x', 100) FROM (SELECT"
        " d1.n + 10 * d2.n + 100 * d3.n + 1000 * d4.n + 10000 * d5.n + 1 AS id"
        " FROM {digits} d1, {digits} d2, {digits} d3, {digits} d4, {digits} d5) AS seq"
        " WHERE id <= {n}"
    ),
    "sqlite": (
        "WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {n})"
        " INSERT INTO big (id, payload) SELECT n, printf('%.100c', 'x') FROM seq"
    ),
}


async def fill_big_table(db: Database, vendor: str, rows: int) -> None:
    await db.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, payload VARCHAR(100))")
    digits = "(" + " UNION ALL ".join(f"SELECT {d} AS n" for d in range(10)) + ")"
    await db.execute(FILL[vendor].format(n=rows, digits=digits))
    assert await db.fetch_one("SELECT count(*) FROM big") == (rows,)


async def test_iterate_over_100k_rows_keeps_memory_flat(database: Database, vendor: str):
    """The peak of Python memory while streaming 100,000 rows stays under 2 MB,
    while fetch_all() of the same rows needs tens of MB: the rows really come
    from a server-side cursor, a chunk at a time."""
    await fill_big_table(database, vendor, ROWS)
    sql = "SELECT id, payload FROM big ORDER BY id"

    tracemalloc.start()
    try:
        count = 0
        total = 0
        async for row_id, payload in database.iterate(sql, chunk_size=500):
            count += 1
            total += row_id
            assert len(payload) == 100
        _, iterate_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        rows = await database.fetch_all(sql)
        _, fetch_all_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == len(rows) == ROWS
    assert total == ROWS * (ROWS + 1) // 2
    assert iterate_peak < 2 * 1024 * 1024, f"iterate() peaked at {iterate_peak / 1e6:.1f} MB"
    assert fetch_all_peak > 10 * iterate_peak, (iterate_peak, fetch_all_peak)


class Big(Model):
    """The ``big`` table above, as a model: ``async for`` over a QuerySet of it."""

    __tablename__ = "big"
    payload = CharField(max_length=100)


async def test_async_for_over_a_queryset_of_100k_rows_keeps_memory_flat(
    database: Database, vendor: str
):
    """``async for`` hydrates one chunk of instances at a time from the cursor: the
    Python memory peak stays under 2 MB for 100,000 model instances."""
    await fill_big_table(database, vendor, ROWS)
    tracemalloc.start()
    try:
        count = 0
        async for big in Big.objects.order_by("id"):
            count += 1
            assert len(big.payload) == 100
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == ROWS
    assert peak < 2 * 1024 * 1024, f"async for peaked at {peak / 1e6:.1f} MB"


async def test_iterate_inside_atomic_streams_from_the_transaction(database: Database, vendor):
    # Inside atomic() the cursor runs on the transaction's connection: it sees
    # the transaction's own uncommitted rows.
    await fill_big_table(database, vendor, 10)
    async with atomic():
        await database.execute("DELETE FROM big WHERE id > 3")
        ids = [row[0] async for row in database.iterate("SELECT id FROM big ORDER BY id")]
        assert ids == [1, 2, 3]
    assert await database.fetch_one("SELECT count(*) FROM big") == (3,)


async def test_statements_inside_an_iterate_loop(database: Database, vendor: str, ph: str):
    """A loop over iterate() may run other statements, in or out of atomic().
    MySQL cannot while an unbuffered result is open on the same connection: the
    rest of the result is read into memory first, and the loop goes on."""
    await fill_big_table(database, vendor, 20)
    await database.execute("CREATE TABLE seen (id INTEGER)")
    async for (row_id,) in database.iterate("SELECT id FROM big ORDER BY id", chunk_size=4):
        await database.execute(f"INSERT INTO seen (id) VALUES ({ph})", [row_id])
    async with atomic():
        async for (row_id,) in database.iterate("SELECT id FROM big ORDER BY id", chunk_size=4):
            await database.execute(f"INSERT INTO seen (id) VALUES ({ph})", [row_id + 100])
            assert await database.fetch_one(f"SELECT id FROM seen WHERE id = {ph}", [row_id + 100])
    expected = [*range(1, 21), *range(101, 121)]
    assert [r[0] for r in await database.fetch_all("SELECT id FROM seen ORDER BY id")] == expected


async def test_iterate_twice_at_once_on_one_transaction(database: Database, vendor: str):
    # A nested loop over two cursors of the same transaction connection.
    await fill_big_table(database, vendor, 6)
    pairs = []
    async with atomic():
        async for (a,) in database.iterate("SELECT id FROM big WHERE id <= 2 ORDER BY id"):
            async for (b,) in database.iterate("SELECT id FROM big WHERE id > 4 ORDER BY id"):
                pairs.append((a, b))
    assert pairs == [(1, 5), (1, 6), (2, 5), (2, 6)]


async def test_failing_query_in_iterate_raises_database_error(database: Database):
    from covet.orm import DatabaseError

    with pytest.raises(DatabaseError):
        async for _ in database.iterate("SELECT * FROM missing_table"):
            pass
    # and the connection it used is fine afterwards
    assert await database.fetch_one("SELECT 1") == (1,)
