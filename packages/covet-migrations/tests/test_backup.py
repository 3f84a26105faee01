"""Backup and restore on each backend, while another task keeps inserting rows.

The schema is a small shop. Every row ``n`` the writer adds is one
transaction: an author, a book that references it (a foreign key) and a line
in ``event_log`` (a table without a primary key). Rows are never updated, so
the database at any moment is "rows 1..n in all three tables" for some n: a
backup taken at that moment must hold exactly that, and its manifest must
describe exactly that.
"""

from __future__ import annotations

import asyncio
import datetime
import decimal
import io
import json
import tarfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from covet.migrations.backup import (
    BackupError,
    Manifest,
    VerificationError,
    backup_database,
    read_manifest,
    restore_database,
    table_summaries,
)
from covet.migrations.backup.archive import MANIFEST_NAME, file_digest, write_archive
from covet.migrations.backup.checksums import summarise_rows
from covet.orm.database import Database
from covet.orm.urls import DatabaseURL

NewDatabase = Callable[[], DatabaseURL]
SEED = 2000  # rows before the writer starts: enough that a backup takes a moment

SCHEMAS = {
    "sqlite": [
        "CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT NOT NULL, balance DECIMAL(10,2),"
        " ratio REAL, avatar BLOB, joined TIMESTAMP, active BOOLEAN)",
        "CREATE TABLE book (id INTEGER PRIMARY KEY,"
        " author_id INTEGER NOT NULL REFERENCES author (id), title TEXT NOT NULL)",
        "CREATE TABLE event_log (n INTEGER NOT NULL, message TEXT)",
    ],
    "postgresql": [
        "CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT NOT NULL, balance NUMERIC(10,2),"
        " ratio DOUBLE PRECISION, avatar BYTEA, joined TIMESTAMPTZ, active BOOLEAN)",
        "CREATE TABLE book (id INTEGER PRIMARY KEY,"
        " author_id INTEGER NOT NULL REFERENCES author (id), title TEXT NOT NULL)",
        "CREATE TABLE event_log (n INTEGER NOT NULL, message TEXT)",
    ],
    "mysql": [
        "CREATE TABLE author (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL,"
        " balance DECIMAL(10,2), ratio DOUBLE, avatar BLOB, joined DATETIME(6), active BOOLEAN)"
        " ENGINE=InnoDB",
        "CREATE TABLE book (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL,"
        " title VARCHAR(200) NOT NULL, FOREIGN KEY (author_id) REFERENCES author (id))"
        " ENGINE=InnoDB",
        "CREATE TABLE event_log (n INTEGER NOT NULL, message TEXT) ENGINE=InnoDB",
    ],
}

HISTORY = [
    "CREATE TABLE covet_migrations (id INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL,"
    " checksum VARCHAR(64) NOT NULL, applied_at VARCHAR(40) NOT NULL)",
    "INSERT INTO covet_migrations VALUES (1, '0001_initial', 'aa', '2026-11-01T00:00:00')",
    "INSERT INTO covet_migrations VALUES (2, '0002_books', 'bb', '2026-11-02T00:00:00')",
]


def placeholders(database: Database, count: int) -> str:
    mark = "?" if database.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * count)


def author_row(vendor: str, n: int) -> tuple[Any, ...]:
    joined: Any = datetime.datetime(2026, 1, 1) + datetime.timedelta(seconds=n, microseconds=n)
    balance: Any = decimal.Decimal(n) / 100
    if vendor == "postgresql":
        joined = joined.replace(tzinfo=datetime.UTC)
    if vendor == "sqlite":  # the sqlite3 module binds neither Decimal nor (from 3.12) datetime
        balance, joined = str(balance), joined.isoformat(sep=" ")
    ratio = None if n % 5 == 0 else n / 3
    return (
        n,
        f"author {n} — Zoë ✓",
        balance,
        ratio,
        bytes([n % 256, 0, 255]),
        joined,
        n % 2 == 0,
    )


async def create_schema(database: Database, *, history: bool = True) -> None:
    for statement in SCHEMAS[database.vendor] + (HISTORY if history else []):
        await database.execute(statement)


async def insert_rows(database: Database, first: int, last: int) -> None:
    """Rows first..last in one transaction (the seed before the writer starts)."""
    vendor = database.vendor
    async with database.atomic():
        await database.execute_many(
            f"INSERT INTO author VALUES ({placeholders(database, 7)})",
            [author_row(vendor, n) for n in range(first, last + 1)],
        )
        await database.execute_many(
            f"INSERT INTO book VALUES ({placeholders(database, 3)})",
            [(n, n, f"book {n}") for n in range(first, last + 1)],
        )
        await database.execute_many(
            f"INSERT INTO event_log VALUES ({placeholders(database, 2)})",
            [(n, f"added {n}") for n in range(first, last + 1)],
        )


class Writer:
    """Inserts row n+1, n+2... one transaction each, until stopped."""

    def __init__(self, database: Database, start_after: int) -> None:
        self.database = database
        self.committed = start_after
        self._stopped = False
        self._progress = asyncio.Event()

    async def run(self) -> None:
        while not self._stopped:
            await insert_rows(self.database, self.committed + 1, self.committed + 1)
            self.committed += 1
            self._progress.set()
            await asyncio.sleep(0)  # let the backup's own coroutines run between rows

    async def wait_until(self, committed: int) -> None:
        while self.committed < committed:
            self._progress.clear()
            await self._progress.wait()

    def stop(self) -> None:
        self._stopped = True


@pytest.fixture
async def source(new_database_url: NewDatabase) -> AsyncIterator[Database]:
    """A database holding the shop schema, the migration history and SEED rows."""
    database = Database(new_database_url(), alias="backup-source")
    await create_schema(database)
    await insert_rows(database, 1, SEED)
    yield database
    await database.disconnect()


async def summaries_at(database: Database, n: int) -> dict[str, Any]:
    """The summaries the database had when the writer had committed exactly n rows.

    Computed independently of the backup: the rows with id (or n) <= n, which
    is what the database held at that moment, since rows are never updated.
    """
    async with database.backend.connection() as connection:
        wanted = {
            "author": ("SELECT * FROM author WHERE id <= %s ORDER BY id", True),
            "book": ("SELECT * FROM book WHERE id <= %s ORDER BY id", True),
            "event_log": ("SELECT * FROM event_log WHERE n <= %s", False),
            "covet_migrations": ("SELECT * FROM covet_migrations WHERE id <= %s ORDER BY id", True),
        }
        summaries = {}
        for table, (sql, ordered) in wanted.items():
            if database.paramstyle == "qmark":
                sql = sql.replace("%s", "?")
            summaries[table] = await summarise_rows(connection.iterate(sql, [n]), ordered=ordered)
    return summaries


async def test_backup_while_writing_restores_the_moment_of_the_backup(
    source: Database, new_database_url: NewDatabase, tmp_path: Path
) -> None:
    writer = Writer(source, start_after=SEED)
    writing = asyncio.create_task(writer.run())
    try:
        await writer.wait_until(SEED + 20)
        before = writer.committed
        path, manifest = await backup_database(source.url, tmp_path / "shop.tar")
        after = writer.committed
        await writer.wait_until(after + 20)  # and the application goes on writing
    finally:
        writer.stop()
        await writing

    # The writer really ran during the backup, and the backup is one of its moments.
    assert after > before, "no row was committed while the backup ran: the test proves nothing"
    n = manifest.tables["author"].rows
    assert before <= n <= after
    assert manifest.tables["book"].rows == n
    assert manifest.tables["event_log"].rows == n
    # The manifest describes exactly the database as it was with rows 1..n.
    assert manifest.tables == await summaries_at(source, n)
    assert manifest.schema_version == "0002_books"
    assert manifest.backend == source.vendor
    assert read_manifest(path) == manifest

    target_url = new_database_url()
    restored = await restore_database(path, target_url)  # verifies, or raises
    assert restored == manifest
    async with Database(target_url, alias="backup-target") as target:
        async with target.backend.connection() as connection:
            assert await table_summaries(connection) == manifest.tables
        # A consistent prefix: ids 1..n without a gap, and every book's author present.
        assert await target.fetch_one("SELECT COUNT(*), MIN(id), MAX(id) FROM author") == (n, 1, n)
        orphans = await target.fetch_one(
            "SELECT COUNT(*) FROM book LEFT JOIN author ON author.id = book.author_id"
            " WHERE author.id IS NULL"
        )
        assert orphans == (0,)


async def test_restore_replaces_what_the_target_held(
    source: Database, new_database_url: NewDatabase, tmp_path: Path
) -> None:
    path, manifest = await backup_database(source.url, tmp_path / "shop.tar")
    await insert_rows(source, SEED + 1, SEED + 5)  # the source moves on
    await source.execute("DELETE FROM event_log WHERE n = 7")
    # Restoring into the same (changed) database brings back the backup's state.
    await restore_database(path, source.url)
    async with source.backend.connection() as connection:
        assert await table_summaries(connection) == manifest.tables


async def test_restore_refuses_a_backup_of_another_backend(
    source: Database, tmp_path: Path
) -> None:
    path, _ = await backup_database(source.url, tmp_path / "shop.tar")
    other = (
        "postgresql://nobody@127.0.0.1:9/never_contacted"
        if source.vendor == "sqlite"
        else f"sqlite:///{tmp_path / 'other.sqlite3'}"
    )
    with pytest.raises(BackupError, match=f"is a backup of a {source.vendor} database"):
        await restore_database(path, other)
    assert not (tmp_path / "other.sqlite3").exists()


def rewrite_archive(path: Path, change: Callable[[str, bytes], bytes]) -> None:
    """Rewrite a backup file, passing each member's bytes through ``change(name, data)``."""
    with tarfile.open(path) as archive:
        members = []
        for member in archive.getmembers():
            extracted = archive.extractfile(member)
            assert extracted is not None
            members.append((member, change(member.name, extracted.read())))
    with tarfile.open(path, "w") as archive:
        for member, data in members:
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))


async def test_a_tampered_dump_is_refused_before_the_database_is_touched(
    source: Database, new_database_url: NewDatabase, tmp_path: Path
) -> None:
    path, manifest = await backup_database(source.url, tmp_path / "shop.tar")

    def flip_a_byte(name: str, data: bytes) -> bytes:
        if name != manifest.dump.name:
            return data
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]

    rewrite_archive(path, flip_a_byte)
    target_url = new_database_url()
    with pytest.raises(BackupError, match="does not match its manifest") as raised:
        await restore_database(path, target_url)
    assert "refusing to restore" in str(raised.value)
    target = Database(target_url, alias="backup-target")
    async with target, target.backend.connection() as connection:
        assert await table_summaries(connection) == {}


async def test_a_tampered_manifest_fails_verification_naming_each_table(
    source: Database, new_database_url: NewDatabase, tmp_path: Path
) -> None:
    path, manifest = await backup_database(source.url, tmp_path / "shop.tar")

    def edit_manifest(name: str, data: bytes) -> bytes:
        if name != MANIFEST_NAME:
            return data
        document = json.loads(data)
        document["tables"]["author"]["rows"] += 1
        document["tables"]["book"]["checksum"] = "0" * 64
        del document["tables"]["event_log"]
        document["tables"]["ghost"] = {"rows": 0, "checksum": "0" * 64}
        return json.dumps(document).encode()

    rewrite_archive(path, edit_manifest)
    with pytest.raises(VerificationError) as raised:
        await restore_database(path, new_database_url())
    assert raised.value.problems == [
        f"author: {SEED} rows, the backup has {SEED + 1}",
        f"book: same row count ({SEED}) but the contents differ (checksum "
        f"{manifest.tables['book'].checksum[:12]}..., the backup has 000000000000...)",
        "event_log: in the database but not in the backup",
        "ghost: in the backup but missing from the database",
    ]
    assert "does not match the backup" in str(raised.value)


async def test_a_dump_the_tool_cannot_read_fails_with_one_line(
    source: Database, new_database_url: NewDatabase, tmp_path: Path
) -> None:
    _, good = await backup_database(source.url, tmp_path / "shop.tar")
    garbage = tmp_path / good.dump.name
    garbage.write_bytes(b"this is not a dump;\n" * 100)
    fake = Manifest(
        backend=good.backend,
        server_version=good.server_version,
        database=good.database,
        schema_version=None,
        created_at=good.created_at,
        dump=file_digest(garbage),
        tables={},
    )
    write_archive(tmp_path / "bad.tar", fake, garbage)
    expected = {
        "sqlite": "SQLite backup from",
        "postgresql": "pg_restore failed",
        "mysql": "mysql failed",
    }
    with pytest.raises(BackupError, match=expected[source.vendor]) as raised:
        await restore_database(tmp_path / "bad.tar", new_database_url())
    assert "\n" not in str(raised.value)


async def test_a_missing_tool_is_one_clear_error(
    source: Database, new_database_url: NewDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = await backup_database(source.url, tmp_path / "shop.tar")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    target_url = new_database_url()
    if source.vendor == "sqlite":  # SQLite needs no tool at all
        await backup_database(source.url, tmp_path / "again.tar")
        await restore_database(path, target_url)
        return
    dump_tool, load_tool = {
        "postgresql": ("pg_dump", "pg_restore"),
        "mysql": ("mysqldump", "mysql"),
    }[source.vendor]
    with pytest.raises(BackupError, match=f"^{dump_tool} was not found on PATH: install "):
        await backup_database(source.url, tmp_path / "again.tar")
    assert not (tmp_path / "again.tar").exists()
    with pytest.raises(BackupError, match=f"^{load_tool} was not found on PATH: install "):
        await restore_database(path, target_url)


async def test_every_base_table_is_summarised_and_views_are_not(
    source: Database, tmp_path: Path
) -> None:
    await source.execute("CREATE VIEW author_names AS SELECT name FROM author")
    expected = {"author", "book", "covet_migrations", "event_log"}
    if source.vendor == "postgresql":  # tables of every schema, not only "public"
        await source.execute("CREATE SCHEMA inventory")
        await source.execute('CREATE TABLE inventory."stock item" (sku TEXT PRIMARY KEY)')
        await source.execute("INSERT INTO inventory.\"stock item\" VALUES ('a'), ('b')")
        expected.add("inventory.stock item")
    _, manifest = await backup_database(source.url, tmp_path / "shop.tar")
    assert set(manifest.tables) == expected
    if source.vendor == "postgresql":
        assert manifest.tables["inventory.stock item"].rows == 2


@pytest.mark.mysql
async def test_mysql_without_the_reload_privilege_says_what_is_missing(
    server_databases: Any, tmp_path: Path
) -> None:
    url = server_databases.create("mysql")
    user = f"covet_u_{url.database[-8:]}"
    admin = Database(url, alias="backup-admin")
    await admin.execute("CREATE TABLE note (id INTEGER PRIMARY KEY)")
    await admin.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY 's3cret pass'")
    try:
        await admin.execute(f"GRANT ALL ON `{url.database}`.* TO '{user}'@'%'")
        limited = DatabaseURL("mysql", url.host, url.port, user, "s3cret pass", url.database)
        with pytest.raises(BackupError, match="needs the RELOAD privilege"):
            await backup_database(limited, tmp_path / "a.tar")
        # With it, the same user (its password given to mysqldump as MYSQL_PWD) succeeds.
        await admin.execute(f"GRANT RELOAD ON *.* TO '{user}'@'%'")
        _, manifest = await backup_database(limited, tmp_path / "b.tar")
        assert manifest.tables["note"].rows == 0
    finally:
        await admin.execute(f"DROP USER '{user}'@'%'")
        await admin.disconnect()
