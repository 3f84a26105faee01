"""What a database holds, as numbers a restore can be checked against.

For every table :func:`table_summaries` records how many rows it has and a
sha256 checksum of its contents. The same function runs when a backup is taken
(inside the snapshot the dump is made from) and after a restore (on the
restored database), so equal summaries mean the restore brought back exactly
the data of the backup moment.

How one table's checksum is made
--------------------------------
1. The rows are read with every column, in primary-key order, so the same data
   always arrives in the same order. (A table without a primary key has no such
   order: its rows are hashed one by one and the sorted row hashes are hashed,
   which gives the same result whatever order the server returns them in.)
2. Each value is *canonicalised* (:func:`canonical_value`): turned into a short
   text tagged with its kind, so ``1``, ``"1"`` and ``1.0`` all differ, and so
   does ``None`` from ``"None"``.
3. Each row becomes one line of JSON (a list of those texts): unambiguous,
   whatever the values contain, and the lines feed one sha256.

Nothing is skipped: every base table of the database is summarised (views hold
no data of their own), and a value of a kind this module does not know is
still hashed, by its type name and ``str()``.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import hashlib
import json
import uuid
from collections.abc import AsyncIterable, Sequence
from dataclasses import dataclass
from typing import Any

from covet.orm.backends import Connection, Row

__all__ = [
    "HISTORY_TABLE",
    "Contents",
    "TableSummary",
    "canonical_value",
    "compare_summaries",
    "describe",
    "list_tables",
    "primary_key_columns",
    "read_schema_version",
    "summarise_rows",
    "table_summaries",
]

#: The table in which covet-migrations records the migrations it applied.
HISTORY_TABLE = "covet_migrations"


@dataclass(frozen=True)
class TableSummary:
    """One table's row count and content checksum (hex sha256)."""

    rows: int
    checksum: str


def canonical_value(value: Any) -> str:
    """A value as tagged text: equal values give equal text, different kinds never collide."""
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: True is an int too
        return f"bool:{int(value)}"
    if isinstance(value, int):
        return f"int:{value}"
    if isinstance(value, float):
        return f"float:{value!r}"
    if isinstance(value, decimal.Decimal):
        # normalize() makes 1.50 and 1.5 equal: the database compares them as equal too.
        return f"decimal:{value.normalize()}"
    if isinstance(value, str):
        return f"str:{value}"
    if isinstance(value, bytes | bytearray | memoryview):
        return "bytes:" + base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return f"{type(value).__name__}:{value.isoformat()}"
    if isinstance(value, datetime.timedelta):
        return f"timedelta:{value.days}:{value.seconds}:{value.microseconds}"
    if isinstance(value, uuid.UUID):
        return f"uuid:{value}"
    if isinstance(value, dict | list):
        # JSON columns (PostgreSQL json/jsonb) arrive decoded; sorted keys make them stable.
        return "json:" + json.dumps(value, sort_keys=True, default=canonical_value)
    return f"{type(value).__name__}:{value}"


def _row_line(row: Sequence[Any]) -> bytes:
    return json.dumps([canonical_value(value) for value in row]).encode() + b"\n"


async def summarise_rows(rows: AsyncIterable[Row], *, ordered: bool = True) -> TableSummary:
    """Count and hash rows. ``ordered=False`` makes the result independent of row order."""
    digest = hashlib.sha256()
    count = 0
    if ordered:
        async for row in rows:
            digest.update(_row_line(row))
            count += 1
    else:
        row_hashes = []
        async for row in rows:
            row_hashes.append(hashlib.sha256(_row_line(row)).digest())
            count += 1
        for row_hash in sorted(row_hashes):
            digest.update(row_hash)
    return TableSummary(count, digest.hexdigest())


def quote_name(vendor: str, name: str) -> str:
    """An identifier quoted for ``vendor``: ``"name"`` or ```name``` (MySQL)."""
    if vendor == "mysql":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def _qualified(vendor: str, table: str) -> str:
    # PostgreSQL tables outside "public" are listed as "schema.table".
    if vendor == "postgresql" and "." in table:
        schema, _, name = table.partition(".")
        return f"{quote_name(vendor, schema)}.{quote_name(vendor, name)}"
    return quote_name(vendor, table)


async def list_tables(connection: Connection) -> list[str]:
    """Every base table of the connection's database, sorted (views are not data)."""
    vendor = connection.vendor
    if vendor == "sqlite":
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%'"
            " ESCAPE '\\'"
        )
    elif vendor == "postgresql":
        sql = (
            "SELECT CASE WHEN table_schema = 'public' THEN table_name"
            " ELSE table_schema || '.' || table_name END"
            " FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
    else:
        sql = (
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'"
        )
    return sorted(str(row[0]) for row in await connection.fetch_all(sql))


async def primary_key_columns(connection: Connection, table: str) -> list[str]:
    """The table's primary-key columns in key order ([] when it has none)."""
    vendor = connection.vendor
    if vendor == "sqlite":
        info = await connection.fetch_all(f"PRAGMA table_info({quote_name(vendor, table)})")
        # Columns: cid, name, type, notnull, default, pk (1-based position in the key, 0 if not).
        return [str(row[1]) for row in sorted(info, key=lambda row: int(row[5])) if row[5]]
    schema, name = ("public", table) if "." not in table else table.split(".", 1)
    schema_test = "k.table_schema = DATABASE()" if vendor == "mysql" else "k.table_schema = %s"
    params = [name] if vendor == "mysql" else [name, schema]
    rows = await connection.fetch_all(
        "SELECT k.column_name FROM information_schema.table_constraints c"
        " JOIN information_schema.key_column_usage k"
        " ON k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema"
        " AND k.table_name = c.table_name"
        f" WHERE c.constraint_type = 'PRIMARY KEY' AND k.table_name = %s AND {schema_test}"
        " ORDER BY k.ordinal_position",
        params,
    )
    return [str(row[0]) for row in rows]


async def table_summaries(connection: Connection) -> dict[str, TableSummary]:
    """Row count and checksum of every table the connection's database holds."""
    vendor = connection.vendor
    summaries = {}
    for table in await list_tables(connection):
        key = await primary_key_columns(connection, table)
        sql = f"SELECT * FROM {_qualified(vendor, table)}"
        if key:
            sql += " ORDER BY " + ", ".join(quote_name(vendor, column) for column in key)
        summaries[table] = await summarise_rows(connection.iterate(sql), ordered=bool(key))
    return summaries


async def read_schema_version(connection: Connection) -> str | None:
    """The name of the last migration applied, or None when none was (or no history exists)."""
    if HISTORY_TABLE not in await list_tables(connection):
        return None
    row = await connection.fetch_one(
        f"SELECT name FROM {quote_name(connection.vendor, HISTORY_TABLE)} ORDER BY id DESC"
    )
    return None if row is None else str(row[0])


def compare_summaries(
    expected: dict[str, TableSummary], actual: dict[str, TableSummary]
) -> list[str]:
    """What differs between two sets of summaries, one line per table ([] if nothing)."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if got is None:
            problems.append(f"{table}: in the backup but missing from the database")
        elif want is None:
            problems.append(f"{table}: in the database but not in the backup")
        elif want.rows != got.rows:
            problems.append(f"{table}: {got.rows} rows, the backup has {want.rows}")
        elif want.checksum != got.checksum:
            problems.append(
                f"{table}: same row count ({got.rows}) but the contents differ "
                f"(checksum {got.checksum[:12]}..., the backup has {want.checksum[:12]}...)"
            )
    return problems


@dataclass(frozen=True)
class Contents:
    """What a database holds at one moment: server, schema version, table summaries."""

    server_version: str
    schema_version: str | None
    tables: dict[str, TableSummary]


_SERVER_VERSION_SQL = {
    "sqlite": "SELECT sqlite_version()",
    "postgresql": "SHOW server_version",
    "mysql": "SELECT VERSION()",
}


async def describe(connection: Connection) -> Contents:
    """Everything a manifest records about the data, read through ``connection``.

    Run it inside the snapshot the dump is made from: then it describes
    exactly the dump, whatever other connections write meanwhile.
    """
    row = await connection.fetch_one(_SERVER_VERSION_SQL[connection.vendor])
    assert row is not None  # each of these queries returns one row
    return Contents(
        server_version=str(row[0]),
        schema_version=await read_schema_version(connection),
        tables=await table_summaries(connection),
    )
