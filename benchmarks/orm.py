"""ORM: CovetPy against the raw driver (the floor), SQLAlchemy 2 async ORM and Tortoise ORM.

The same two tables on SQLite (a fresh file) and PostgreSQL (a throwaway database
``covet_bench_<hex>``, dropped after the run), filled with the same rows by the raw driver:
1,000 authors (id, name, email, age) and 500 books (id, title, pages, author). Each peer does
six operations the way its own documentation writes them (``orm_peers/``): get an author by
primary key; filter the 20 authors of one age; fetch 500 authors into objects; a
select_related JOIN over 500 books and their authors; bulk insert 1,000 authors in one
transaction (removed again after each batch, untimed); update the pages of 100 books with one
``UPDATE``. The raw driver (aiosqlite, psycopg 3) runs hand-written SQL and keeps the tuples it
gets: no ORM can read the same rows with less work (its bulk insert is the plain
``executemany``, which an ORM sending smarter SQL can beat). Every ORM runs on that same
driver, except Tortoise on PostgreSQL: its psycopg backend cannot ``bulk_create``, so it runs
on its default, asyncpg (a faster driver than psycopg).

Before anything is timed, every peer runs every operation once and its answer is checked
against the raw driver's: the same rows, with the author of each book loaded by the JOIN;
the inserted rows and the updated pages are read back. Then the peers take turns, batch by
batch (the order rotates each round), on one uvloop event loop; each figure is the median
over the rounds of the time per operation. The hydration cost per row is
``(peer's time - raw driver's time) / rows``: what it costs to turn a row into an object.
"""

from __future__ import annotations

import asyncio
import gc
import os
import secrets
import sqlite3
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.harness import Chart, Settings, Suite, SuiteResult, Table, TargetCheck, median
from benchmarks.http_inprocess import event_loop_factory
from benchmarks.orm_peers import ORM_PEERS, PEER_CLASSES, PEER_TITLES, OrmPeer, Target
from benchmarks.orm_peers.base import author_row, book_row
from benchmarks.orm_peers.raw_driver import RawDriverPeer
from benchmarks.orm_peers.schema import (
    AGES,
    AUTHORS,
    FETCH_ROWS,
    UPDATE_ROWS,
    create_schema,
    delete_new_authors,
    new_authors,
)

__all__ = [
    "BACKENDS",
    "SCENARIOS",
    "SUITE",
    "TARGETS",
    "NotMeasured",
    "open_peers",
    "postgres_admin_url",
    "time_batch",
]

BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
DRIVERS = {
    "sqlite": "every peer on aiosqlite",
    "postgresql": "every peer on psycopg 3 but Tortoise, on asyncpg (orm_peers/tortoise_peer.py)",
}
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
#: The issue's targets: fetching 500 rows at most this many times the raw driver's time...
FETCH_TARGET = 1.5
# ...and CovetPy faster than each ORM peer on every scenario (a speed ratio above 1).

NEW_AUTHORS = new_authors(start=AUTHORS + 1)


@dataclass(frozen=True)
class OrmScenario:
    """One operation: ``call(peer, n)`` runs it for the ``n``-th time (keys vary with n)."""

    name: str
    title: str
    rows: int
    call: Callable[[OrmPeer, int], Awaitable[Any]]
    #: Puts the tables back after a batch (untimed), for operations that add rows.
    after: Callable[[RawDriverPeer], Awaitable[None]] | None = None


SCENARIOS: dict[str, OrmScenario] = {
    s.name: s
    for s in (
        OrmScenario("get", "get by primary key", 1, lambda p, n: p.get_by_pk(1 + n % AUTHORS)),
        OrmScenario("filter", "filter 20 rows", 20, lambda p, n: p.filter_rows(18 + n % AGES)),
        OrmScenario("fetch", "fetch 500 rows", FETCH_ROWS, lambda p, n: p.fetch_rows(FETCH_ROWS)),
        OrmScenario(
            "select_related",
            "select_related, 500 rows",
            FETCH_ROWS,
            lambda p, n: p.select_related(FETCH_ROWS),
        ),
        OrmScenario(
            "bulk_insert",
            "bulk insert 1,000 rows",
            len(NEW_AUTHORS),
            lambda p, n: p.bulk_insert(NEW_AUTHORS),
            after=delete_new_authors,
        ),
        OrmScenario(
            "update", "update 100 rows", UPDATE_ROWS, lambda p, n: p.update_rows(UPDATE_ROWS)
        ),
    )
}


class NotMeasured(Exception):
    """A backend that cannot be measured here; the message says why (it goes in the report)."""


# --- where the peers connect --------------------------------------------------------------


def postgres_admin_url() -> str:
    """The server to make the throwaway database on (an existing database to connect to)."""
    return (
        os.environ.get("COVET_BENCH_POSTGRES_URL")
        or os.environ.get("COVET_TEST_POSTGRES_URL")
        or DEFAULT_POSTGRES_URL
    )


@asynccontextmanager
async def sqlite_target() -> AsyncIterator[Target]:
    with tempfile.TemporaryDirectory(prefix="covet-bench-orm-") as directory:
        yield Target("sqlite", path=str(Path(directory) / "bench.sqlite3"))


@asynccontextmanager
async def postgres_target() -> AsyncIterator[Target]:
    """A fresh database ``covet_bench_<hex>`` on the loopback server, dropped afterwards."""
    url = postgres_admin_url()
    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port or 5432}"
    if parts.hostname not in LOOPBACK:
        raise NotMeasured(f"PostgreSQL at {where} is not on loopback (benchmarks run locally)")
    try:
        import psycopg
    except ImportError:
        raise NotMeasured("psycopg is not installed (pip install 'covet-orm[postgres]')") from None
    try:
        admin = await psycopg.AsyncConnection.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise NotMeasured(f"PostgreSQL at {where} is unreachable: {first_line}") from None
    name = f"covet_bench_{secrets.token_hex(4)}"
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        yield Target("postgresql", authority=parts.netloc, database=name)
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


TARGETS = {"sqlite": sqlite_target, "postgresql": postgres_target}


# --- checking, then timing ----------------------------------------------------------------


async def check_scenario(scenario: OrmScenario, peers: dict[str, OrmPeer]) -> None:
    """Refuse to time a peer whose answer differs from the raw driver's."""
    raw = peers["raw"]
    assert isinstance(raw, RawDriverPeer)
    expected: Any = None
    for name, peer in peers.items():
        answer: Any
        if scenario.name == "get":
            answer = author_row(await scenario.call(peer, 0))
        elif scenario.name in ("filter", "fetch"):
            answer = sorted(author_row(row) for row in await scenario.call(peer, 0))
        elif scenario.name == "select_related":
            answer = sorted(book_row(row) for row in await scenario.call(peer, 0))
        elif scenario.name == "bulk_insert":
            await scenario.call(peer, 0)
            answer = await raw.rows("SELECT name, email, age FROM author WHERE id > ?", [AUTHORS])
            answer = sorted(answer)
            await delete_new_authors(raw)
        else:  # update: every matched row counted, every page incremented once
            sql = "SELECT SUM(pages) FROM book WHERE id <= ?"
            before = (await raw.rows(sql, [UPDATE_ROWS]))[0][0]
            matched = await scenario.call(peer, 0)
            answer = (matched, (await raw.rows(sql, [UPDATE_ROWS]))[0][0] - before)
        if expected is None:
            expected = answer
            if scenario.name == "bulk_insert" and answer != sorted(NEW_AUTHORS):
                raise AssertionError("the raw driver's bulk insert did not store the rows")
        elif answer != expected:
            raise AssertionError(
                f"{name} answers {scenario.title!r} differently from the raw driver: "
                f"{str(answer)[:200]} instead of {str(expected)[:200]}"
            )


async def time_batch(
    scenario: OrmScenario, peer: OrmPeer, raw: RawDriverPeer, start: int, calls: int
) -> float:
    """Seconds per operation over ``calls`` operations (``scenario.after`` is not timed)."""
    gc.collect()
    began = time.perf_counter()
    for n in range(start, start + calls):
        await scenario.call(peer, n)
    seconds = (time.perf_counter() - began) / calls
    if scenario.after is not None:
        await scenario.after(raw)
    return seconds


async def time_scenario(
    scenario: OrmScenario, peers: dict[str, OrmPeer], settings: Settings
) -> dict[str, float]:
    """Microseconds per operation of each peer (medians over the rounds)."""
    raw = peers["raw"]
    assert isinstance(raw, RawDriverPeer)
    batch_seconds = settings.pick(0.15, 0.05, 0.0)
    names = list(peers)
    calls: dict[str, int] = {}
    for name in names:  # calibrate (and warm up): enough calls to fill a batch
        per_call = await time_batch(scenario, peers[name], raw, 0, settings.pick(3, 2, 1))
        calls[name] = max(1, int(batch_seconds / per_call))
    timings: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(settings.pick(7, 3, 1)):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            start = round_number * calls[name]
            seconds = await time_batch(scenario, peers[name], raw, start, calls[name])
            timings[name].append(seconds * 1e6)
    return {name: median(values) for name, values in timings.items()}


@asynccontextmanager
async def open_peers(target: Target) -> AsyncIterator[dict[str, OrmPeer]]:
    """Every peer connected to ``target``, after the raw driver made and filled the tables."""
    peers: dict[str, OrmPeer] = {name: peer() for name, peer in PEER_CLASSES.items()}
    raw = peers["raw"]
    assert isinstance(raw, RawDriverPeer)
    opened: list[OrmPeer] = []
    try:
        await raw.open(target)
        opened.append(raw)
        await create_schema(raw)
        for peer in peers.values():
            if peer is not raw:
                await peer.open(target)
                opened.append(peer)
        yield peers
    finally:
        for peer in reversed(opened):
            await peer.close()


async def measure_backend(target: Target, settings: Settings) -> dict[str, dict[str, float]]:
    """Every scenario on one backend: scenario -> peer -> µs per operation."""
    micros: dict[str, dict[str, float]] = {}
    async with open_peers(target) as peers:
        for scenario in SCENARIOS.values():
            await check_scenario(scenario, peers)
            micros[scenario.name] = await time_scenario(scenario, peers, settings)
            print(
                f"  orm {target.vendor:<10} {scenario.name:<15}"
                + "".join(f" {name} {micros[scenario.name][name]:9.1f}µs" for name in peers),
                flush=True,
            )
    return micros


async def _server_version(target: Target) -> str:
    if target.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    raw = RawDriverPeer()
    await raw.open(target)
    try:
        return str((await raw.rows("SHOW server_version"))[0][0]).split()[0]
    finally:
        await raw.close()


async def _measure(vendor: str, settings: Settings) -> tuple[dict[str, Any], str]:
    async with TARGETS[vendor]() as target:
        version = await _server_version(target)
        if vendor == "postgresql":
            version = f"PostgreSQL {version}"
        return await measure_backend(target, settings), version


def run(settings: Settings) -> SuiteResult:
    micros: dict[str, dict[str, dict[str, float]]] = {}
    not_measured: dict[str, str] = {}
    servers: dict[str, str] = {}
    with asyncio.Runner(loop_factory=event_loop_factory) as runner:
        for vendor in BACKENDS:
            try:
                micros[vendor], servers[vendor] = runner.run(_measure(vendor, settings))
            except NotMeasured as reason:
                not_measured[vendor] = str(reason)
                print(f"  orm {vendor}: not measured: {reason}", flush=True)
    return _result(micros, not_measured, servers)


# --- the report ---------------------------------------------------------------------------


def _speed(figures: dict[str, float], peer: str) -> float:
    """CovetPy's speed over the peer's: the peer's time / CovetPy's time."""
    return figures[peer] / figures["covetpy"]


def hydration_per_row(figures: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """µs per row over the raw driver, for the scenarios that read 500 rows."""
    return {
        s: {
            peer: (figures[s][peer] - figures[s]["raw"]) / SCENARIOS[s].rows
            for peer in figures[s]
            if peer != "raw"
        }
        for s in ("fetch", "select_related")
    }


def _backend_tables(vendor: str, figures: dict[str, dict[str, float]], server: str) -> list[Table]:
    label = BACKENDS[vendor]
    peers = list(PEER_CLASSES)
    times = Table(
        f"{label}: microseconds per operation (median; lower is faster)",
        ["operation", *(PEER_TITLES[p] for p in peers)],
        [[SCENARIOS[s].title, *(f"{figures[s][p]:.1f}" for p in peers)] for s in figures],
        note=f"{server}; {DRIVERS[vendor]}.",
    )
    ratios = Table(
        f"{label}: CovetPy's speed over each ORM (peer µs / CovetPy µs; above 1 is faster), "
        "and its time over the raw driver's",
        ["operation", *(f"x {PEER_TITLES[p]}" for p in ORM_PEERS), "CovetPy time / raw time"],
        [
            [
                SCENARIOS[s].title,
                *(f"{_speed(figures[s], p):.2f}" for p in ORM_PEERS),
                f"{figures[s]['covetpy'] / figures[s]['raw']:.2f}",
            ]
            for s in figures
        ],
    )
    hydration = hydration_per_row(figures)
    orms = ["covetpy", *ORM_PEERS]
    per_row = Table(
        f"{label}: hydration cost per row over the raw driver (µs; (time - raw time) / 500)",
        ["operation", *(PEER_TITLES[p] for p in orms)],
        [[SCENARIOS[s].title, *(f"{hydration[s][p]:.2f}" for p in orms)] for s in hydration],
    )
    return [times, ratios, per_row]


def _backend_targets(
    vendor: str, figures: dict[str, dict[str, float]] | None, reason: str
) -> list[TargetCheck]:
    label = BACKENDS[vendor]
    fetch = f"ORM, {label}: fetching 500 rows into objects <= {FETCH_TARGET}x the raw driver's time"
    faster = [
        f"ORM, {label}, every operation: CovetPy faster than {PEER_TITLES[p]}" for p in ORM_PEERS
    ]
    if figures is None:
        return [TargetCheck(d, f"not measured: {reason}", False) for d in (fetch, *faster)]
    covet, raw = figures["fetch"]["covetpy"], figures["fetch"]["raw"]
    targets = [
        TargetCheck(
            fetch,
            f"{covet / raw:.2f}x ({covet:.0f} µs vs {raw:.0f} µs)",
            covet / raw <= FETCH_TARGET,
        )
    ]
    for description, peer in zip(faster, ORM_PEERS, strict=True):
        speeds = {s: _speed(figures[s], peer) for s in figures}
        slowest = min(speeds, key=lambda s: speeds[s])
        failing = [SCENARIOS[s].title for s in figures if speeds[s] <= 1.0]
        measured = f"lowest {speeds[slowest]:.2f}x ({SCENARIOS[slowest].title})"
        if failing:
            measured += "; not faster: " + ", ".join(failing)
        targets.append(TargetCheck(description, measured, not failing))
    return targets


def _chart(vendor: str, figures: dict[str, dict[str, float]]) -> Chart:
    series = {f"x {PEER_TITLES[p]}": [_speed(figures[s], p) for s in figures] for p in ORM_PEERS}
    series["raw driver's time / CovetPy's"] = [
        figures[s]["raw"] / figures[s]["covetpy"] for s in figures
    ]
    thresholds = {f"x {PEER_TITLES[p]}": 1.0 for p in ORM_PEERS}
    thresholds["raw driver's time / CovetPy's"] = 1 / FETCH_TARGET
    return Chart(
        f"orm_{vendor}.png",
        f"ORM on {BACKENDS[vendor]}: CovetPy's speed over each peer "
        "(dashed: target; the raw driver's applies to fetch 500 rows)",
        "peer time / CovetPy time",
        [SCENARIOS[s].title for s in figures],
        series,
        thresholds,
    )


def _result(
    micros: dict[str, dict[str, dict[str, float]]],
    not_measured: dict[str, str],
    servers: dict[str, str],
) -> SuiteResult:
    tables: list[Table] = []
    charts: list[Chart] = []
    targets: list[TargetCheck] = []
    for vendor, label in BACKENDS.items():
        figures = micros.get(vendor)
        if figures is None:
            reason = not_measured[vendor]
            tables.append(Table(f"{label}: not measured", ["reason"], [[reason]]))
        else:
            reason = ""
            tables += _backend_tables(vendor, figures, servers[vendor])
            charts.append(_chart(vendor, figures))
        targets += _backend_targets(vendor, figures, reason)
    return SuiteResult(
        "orm",
        "ORM",
        __doc__.split("\n\n", 1)[1].strip() if __doc__ else "",
        tables=tables,
        charts=charts,
        targets=targets,
        data={
            "microseconds_per_operation": micros,
            "hydration_us_per_row": {v: hydration_per_row(f) for v, f in micros.items()},
            "not_measured": not_measured,
            "servers": servers,
        },
    )


SUITE = Suite("orm", "ORM", run)
