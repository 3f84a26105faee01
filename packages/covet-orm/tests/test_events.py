"""Query events: before/after hooks with SQL, parameter count, duration, alias, error."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from covet.orm import (
    Database,
    DatabaseError,
    QueryEvent,
    QueryStart,
    add_before_query_listener,
    add_query_listener,
    before_query,
    capture_queries,
    on_query,
    remove_before_query_listener,
    remove_query_listener,
)
from covet.orm import events as events_module


@pytest.fixture(autouse=True)
def no_leftover_listeners() -> Iterator[None]:
    yield
    assert events_module._after == []
    assert events_module._before == []


async def test_after_listener_gets_sql_params_duration_alias_vendor(
    database: Database, vendor: str, ph: str
):
    await database.execute("CREATE TABLE t (a INTEGER, b INTEGER)")
    received: list[QueryEvent] = []
    add_query_listener(received.append)
    try:
        await database.execute(f"INSERT INTO t (a, b) VALUES ({ph}, {ph})", [1, 2])
        await database.execute_many(f"INSERT INTO t (a, b) VALUES ({ph}, {ph})", [(3, 4), (5, 6)])
        await database.fetch_all(f"SELECT a FROM t WHERE b > {ph}", [0])
        await database.fetch_one("SELECT count(*) FROM t")
        assert [row async for row in database.iterate("SELECT a FROM t")]
    finally:
        remove_query_listener(received.append)
    await database.fetch_one("SELECT 1")  # after removal: not received

    assert [(e.sql.split()[0], e.param_count) for e in received] == [
        ("INSERT", 2),
        ("INSERT", 4),
        ("SELECT", 1),
        ("SELECT", 0),
        ("SELECT", 0),
    ]
    for event in received:
        assert event.alias == "default"
        assert event.vendor == vendor
        assert event.error is None
        assert 0 < event.duration_s < 10


async def test_failed_statement_reports_its_error_and_still_raises(database: Database):
    with capture_queries() as queries, pytest.raises(DatabaseError) as caught:
        await database.execute("SELECT * FROM no_such_table")
    assert len(queries) == 1
    assert queries[0].error is caught.value
    assert queries[0].sql == "SELECT * FROM no_such_table"


async def test_before_listener_runs_before_the_statement(database: Database, ph: str):
    await database.execute("CREATE TABLE t (a INTEGER)")
    order: list[str] = []

    @before_query
    def started(start: QueryStart) -> None:
        order.append(f"before {start.sql.split()[0]} {start.param_count} {start.alias}")

    @on_query
    def finished(event: QueryEvent) -> None:
        order.append(f"after {event.sql.split()[0]}")

    try:
        await database.execute(f"INSERT INTO t (a) VALUES ({ph})", [1])
    finally:
        remove_before_query_listener(started)
        remove_query_listener(finished)
    assert order == ["before INSERT 1 default", "after INSERT"]


async def test_async_listeners_are_awaited(database: Database):
    seen: list[str] = []

    async def slow_listener(event: QueryEvent) -> None:
        await asyncio.sleep(0)
        seen.append(event.sql)

    async def slow_start(start: QueryStart) -> None:
        await asyncio.sleep(0)
        seen.append("start")

    add_query_listener(slow_listener)
    add_before_query_listener(slow_start)
    try:
        await database.fetch_one("SELECT 42")
    finally:
        remove_query_listener(slow_listener)
        remove_before_query_listener(slow_start)
    assert seen == ["start", "SELECT 42"]


async def test_listener_exception_reaches_the_caller(database: Database):
    def broken(event: QueryEvent) -> None:
        raise RuntimeError("listener bug")

    add_query_listener(broken)
    try:
        with pytest.raises(RuntimeError, match="listener bug"):
            await database.fetch_one("SELECT 1")
    finally:
        remove_query_listener(broken)


async def test_transaction_control_statements_emit_no_events(database: Database):
    await database.execute("CREATE TABLE t (a INTEGER)")
    with capture_queries() as queries:
        async with database.atomic(), database.atomic():
            await database.execute("INSERT INTO t (a) VALUES (1)")
    assert [q.sql for q in queries] == ["INSERT INTO t (a) VALUES (1)"]


async def test_iterate_left_early_reports_no_error(database: Database):
    await database.execute("CREATE TABLE t (a INTEGER)")
    await database.execute("INSERT INTO t (a) VALUES (1), (2), (3)")
    with capture_queries() as queries:
        rows = database.iterate("SELECT a FROM t")
        async for _ in rows:
            break
        await rows.aclose()
    assert len(queries) == 1
    assert queries[0].error is None


async def test_events_name_the_alias_of_each_database(tmp_path):
    reports = Database(f"sqlite:///{tmp_path / 'r.sqlite3'}", alias="reports")
    async with reports:
        with capture_queries() as queries:
            await reports.fetch_one("SELECT 1")
    assert [(q.alias, q.vendor) for q in queries] == [("reports", "sqlite")]


def test_removing_an_unknown_listener_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a registered query listener"):
        remove_query_listener(print)
    with pytest.raises(ValueError, match="not a registered query listener"):
        remove_before_query_listener(print)
