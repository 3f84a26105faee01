"""The backup file, the checksums' canonical values, and the errors of bad input.

None of this needs a server: the backups here are of SQLite files.
"""

from __future__ import annotations

import asyncio
import datetime
import decimal
import io
import json
import os
import sqlite3
import tarfile
import uuid
from collections.abc import AsyncGenerator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covet.migrations.backup import (
    FORMAT_VERSION,
    BackupError,
    Manifest,
    TableSummary,
    backup_database,
    canonical_value,
    default_backup_name,
    mysql,
    postgres,
    read_manifest,
    restore_database,
)
from covet.migrations.backup.archive import MANIFEST_NAME, extract_dump
from covet.migrations.backup.checksums import compare_summaries, summarise_rows
from covet.migrations.backup.mysql import snapshot_is_open
from covet.migrations.backup.tools import Tool, tool_environment
from covet.orm.backends import Row
from covet.orm.urls import parse_database_url


def make_sqlite(path: Path, rows: int = 3) -> Path:
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT)")
        connection.execute("CREATE VIEW item_names AS SELECT name FROM item")
        connection.executemany(
            "INSERT INTO item (name) VALUES (?)", [(f"item {n}",) for n in range(rows)]
        )
    connection.close()
    return path


@pytest.fixture
def backup_file(tmp_path: Path) -> Path:
    database = make_sqlite(tmp_path / "shop.sqlite3")
    path, _ = asyncio.run(backup_database(f"sqlite:///{database}", tmp_path / "shop.tar"))
    return path


def test_the_archive_holds_the_manifest_first_then_the_dump(backup_file: Path) -> None:
    with tarfile.open(backup_file) as archive:
        assert archive.getnames() == [MANIFEST_NAME, "dump.sqlite3"]
        member = archive.extractfile(MANIFEST_NAME)
        assert member is not None
        document = json.loads(member.read())
    assert list(document) == [
        "format",
        "backend",
        "server_version",
        "database",
        "schema_version",
        "created_at",
        "dump",
        "tables",
    ]
    assert document["format"] == FORMAT_VERSION
    assert document["database"] == "shop.sqlite3"
    assert document["schema_version"] is None  # no covet_migrations table
    assert list(document["tables"]) == ["item"]  # the view is not data
    assert document["tables"]["item"]["rows"] == 3
    created = datetime.datetime.fromisoformat(document["created_at"])
    assert created.utcoffset() == datetime.timedelta(0)
    assert not list(backup_file.parent.glob("*.partial"))


def test_read_manifest_round_trips(backup_file: Path) -> None:
    manifest = read_manifest(backup_file)
    assert manifest.tables["item"].rows == 3
    assert manifest.dump.name == "dump.sqlite3"
    assert manifest.format == FORMAT_VERSION


def write_tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def manifest_bytes(backup_file: Path, **changes: object) -> bytes:
    document = json.loads(read_manifest(backup_file).to_json())
    document.update(changes)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"other.txt": b"x"}, "is not a CovetPy backup: it has no manifest.json"),
        ({MANIFEST_NAME: b"{not json"}, "the manifest is not valid"),
        ({MANIFEST_NAME: b'{"format": 1}'}, "the manifest is not valid: KeyError"),
        ({MANIFEST_NAME: b'{"format": 99}'}, "manifest format 99 is not supported"),
        ({MANIFEST_NAME: b"[]"}, "the manifest is not valid"),
    ],
)
def test_a_file_that_is_not_a_backup_is_named_in_the_error(
    tmp_path: Path, members: dict[str, bytes], message: str
) -> None:
    path = write_tar(tmp_path / "odd.tar", members)
    with pytest.raises(BackupError, match=message):
        read_manifest(path)


def test_missing_and_non_tar_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no backup file at"):
        read_manifest(tmp_path / "absent.tar")
    (tmp_path / "text.tar").write_text("hello")
    with pytest.raises(BackupError, match="is not a CovetPy backup \\(not a tar archive"):
        read_manifest(tmp_path / "text.tar")


def test_a_dump_member_with_an_unexpected_name_is_refused(
    backup_file: Path, tmp_path: Path
) -> None:
    manifest = json.loads(read_manifest(backup_file).to_json())
    manifest["dump"]["name"] = "../../etc/passwd"
    path = write_tar(tmp_path / "evil.tar", {MANIFEST_NAME: json.dumps(manifest).encode()})
    with pytest.raises(BackupError, match=r"unexpected dump name '\.\./\.\./etc/passwd'"):
        extract_dump(path, tmp_path)


def test_a_manifest_without_its_dump_is_refused(backup_file: Path, tmp_path: Path) -> None:
    path = write_tar(tmp_path / "half.tar", {MANIFEST_NAME: manifest_bytes(backup_file)})
    with pytest.raises(BackupError, match=r"it has no dump\.sqlite3"):
        asyncio.run(restore_database(path, f"sqlite:///{tmp_path / 'new.sqlite3'}"))


def test_sqlite_sources_and_targets_must_be_files(tmp_path: Path, backup_file: Path) -> None:
    with pytest.raises(BackupError, match="no SQLite database at"):
        asyncio.run(backup_database(f"sqlite:///{tmp_path / 'absent.sqlite3'}"))
    with pytest.raises(BackupError, match="in-memory SQLite database"):
        asyncio.run(backup_database("sqlite://:memory:", tmp_path / "memory.tar"))
    with pytest.raises(BackupError, match="the directory does not exist"):
        asyncio.run(restore_database(backup_file, f"sqlite:///{tmp_path / 'no' / 'x.sqlite3'}"))
    with pytest.raises(BackupError, match=r"cannot write .*: the directory .* does not exist"):
        asyncio.run(
            backup_database(f"sqlite:///{tmp_path / 'shop.sqlite3'}", tmp_path / "no" / "x.tar")
        )


def test_the_default_file_name_says_backend_database_and_utc_time() -> None:
    when = datetime.datetime(2026, 11, 26, 10, 15, 0, tzinfo=datetime.UTC)
    assert (
        default_backup_name("postgresql://app@db/shop", when)
        == "covet-postgresql-shop-20261126T101500Z.tar"
    )
    assert default_backup_name("sqlite:///data/my app.sqlite3", when) == (
        "covet-sqlite-my_app-20261126T101500Z.tar"
    )
    assert default_backup_name("mysql://root@h/x").startswith("covet-mysql-x-")


def test_the_default_output_is_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = make_sqlite(tmp_path / "shop.sqlite3")
    monkeypatch.chdir(tmp_path)
    path, _ = asyncio.run(backup_database(f"sqlite:///{database}"))
    assert path.parent == Path(".")
    assert path.name.startswith("covet-sqlite-shop-")
    assert path.suffix == ".tar"
    assert path.is_file()


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        (None, "null"),
        (True, "bool:1"),
        (False, "bool:0"),
        (7, "int:7"),
        (0.1, "float:0.1"),
        (decimal.Decimal("1.50"), "decimal:1.5"),
        ("1", "str:1"),
        ("None", "str:None"),
        (b"\x00\xff", "bytes:AP8="),
        (bytearray(b"a"), "bytes:YQ=="),
        (memoryview(b"a"), "bytes:YQ=="),
        (datetime.date(2026, 1, 2), "date:2026-01-02"),
        (datetime.datetime(2026, 1, 2, 3, 4, 5), "datetime:2026-01-02T03:04:05"),
        (datetime.time(3, 4, 5, 6), "time:03:04:05.000006"),
        (datetime.timedelta(days=1, seconds=2, microseconds=3), "timedelta:1:2:3"),
        (uuid.UUID(int=1), "uuid:00000000-0000-0000-0000-000000000001"),
        ({"b": 1, "a": [None]}, 'json:{"a": [null], "b": 1}'),
        (frozenset(), "frozenset:frozenset()"),
    ],
)
def test_canonical_values_are_tagged_by_kind(value: object, canonical: str) -> None:
    assert canonical_value(value) == canonical


async def rows_of(*rows: Row) -> AsyncGenerator[Row, None]:
    for row in rows:
        yield row


async def test_row_order_matters_only_for_ordered_tables() -> None:
    first = await summarise_rows(rows_of((1, "a"), (2, "b")))
    swapped = await summarise_rows(rows_of((2, "b"), (1, "a")))
    assert first.rows == swapped.rows == 2
    assert first.checksum != swapped.checksum
    unordered = await summarise_rows(rows_of((1, "a"), (2, "b")), ordered=False)
    assert unordered == await summarise_rows(rows_of((2, "b"), (1, "a")), ordered=False)
    # Values that print alike but differ in kind give different checksums.
    assert (await summarise_rows(rows_of((1,)))) != (await summarise_rows(rows_of(("1",))))


def test_compare_summaries_reports_nothing_when_equal() -> None:
    same = {"t": TableSummary(1, "a" * 64)}
    assert compare_summaries(same, dict(same)) == []


def test_mysqldump_snapshot_is_open_only_after_the_line_following_starting_transaction() -> None:
    assert not snapshot_is_open([])
    assert not snapshot_is_open(["-- Connecting to 127.0.0.1..."])
    assert not snapshot_is_open(["-- Connecting to 127.0.0.1...", "-- Starting transaction..."])
    assert snapshot_is_open(
        ["-- Connecting...", "-- Starting transaction...", "-- Setting savepoint..."]
    )


def test_passwords_go_to_the_tools_by_environment_never_on_the_command_line() -> None:
    postgres_url = parse_database_url("postgresql://app:s3cret@db.example:5433/shop")
    environment = tool_environment(postgres_url)
    assert environment["PGPASSWORD"] == "s3cret"
    tool = Tool("pg_dump", postgres.connection_arguments(postgres_url), environment)
    assert not any("s3cret" in part for part in tool.command)
    assert "--username=app" in tool.command
    assert "--port=5433" in tool.command

    mysql_url = parse_database_url("mysql://app:s3cret@db.example/shop")
    assert tool_environment(mysql_url)["MYSQL_PWD"] == "s3cret"
    assert not any("s3cret" in part for part in mysql.connection_arguments(mysql_url))
    no_user = postgres.connection_arguments(parse_database_url("postgresql://h/db"))
    assert not any(part.startswith("--username") for part in no_user)


async def test_a_tool_still_running_after_an_error_is_stopped() -> None:
    # pg_restore without a file reads the archive from stdin: here a pipe nobody writes to.
    read_end, write_end = os.pipe()
    tool = Tool("pg_restore", ["--list"], dict(os.environ))
    try:
        await tool.start(stdin=read_end)
        await tool.stop()
    finally:
        os.close(read_end)
        os.close(write_end)
    assert tool.process is not None
    assert tool.process.returncode is not None
    assert tool.process.returncode < 0  # killed, not finished


async def test_a_failing_tool_is_reported_by_its_error_line_not_its_context() -> None:
    # pg_restore --list on an archive that is not one: it fails without any server.
    read_end, write_end = os.pipe()
    os.write(write_end, b"not an archive")
    os.close(write_end)
    tool = Tool("pg_restore", ["--list"], dict(os.environ))
    try:
        with pytest.raises(BackupError, match=r"^pg_restore failed \(exit code 1\): .*error"):
            await tool.run(stdin=read_end)
    finally:
        os.close(read_end)
    tool.stderr_lines[:] = ["pg_restore: error: could not execute query", "Command was: DROP x;"]
    assert tool._reason() == "pg_restore: error: could not execute query"
    tool.stderr_lines[:] = ["something odd", ""]
    assert tool._reason() == "something odd"
    tool.stderr_lines[:] = []
    assert tool._reason() == "no message"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
manifest_keys = st.sampled_from(
    [
        "format",
        "backend",
        "server_version",
        "database",
        "schema_version",
        "created_at",
        "dump",
        "tables",
        "rows",
        "checksum",
        "name",
        "bytes",
        "sha256",
    ]
)


@given(
    st.one_of(
        st.text(max_size=200),
        json_values.map(json.dumps),
        st.dictionaries(manifest_keys, json_values, max_size=10).map(
            lambda document: json.dumps({"format": FORMAT_VERSION, **document})
        ),
    )
)
def test_any_manifest_text_parses_or_is_one_backup_error(text: str) -> None:
    outcome: Manifest | BackupError
    try:
        outcome = Manifest.from_json(text, source="x.tar")
    except BackupError as error:
        outcome = error
    if isinstance(outcome, BackupError):
        assert str(outcome).startswith("x.tar: ")
    else:
        assert outcome.format == FORMAT_VERSION


@given(st.integers(), st.text(), st.floats(allow_nan=False), st.binary())
def test_values_of_different_kinds_never_share_a_canonical_text(
    number: int, text: str, real: float, data: bytes
) -> None:
    texts = [canonical_value(v) for v in (number, text, real, data, None)]
    assert len(set(texts)) == len(texts)
    assert canonical_value(text) == canonical_value(str(text))
