"""``covet db backup | restore | inspect``: through the parser ``register`` builds, and once
in a separate Python process that has only covet-orm and covet-migrations."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from covet.migrations import backup_cli
from covet.orm.database import Database
from covet.orm.urls import DatabaseURL

NewDatabase = Callable[[], DatabaseURL]


def covet(argv: list[str]) -> int:
    """Run ``covet <argv>`` the way the covet command does: register() on its subparsers."""
    parser = argparse.ArgumentParser(prog="covet")
    backup_cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def fill(url: DatabaseURL) -> None:
    async def create() -> None:
        async with Database(url, alias="cli") as database:
            await database.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)")
            for n in range(1, 4):
                await database.execute(f"INSERT INTO note VALUES ({n}, 'note {n}')")

    asyncio.run(create())


def test_backup_inspect_restore_through_the_covet_parser(
    new_database_url: NewDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = new_database_url(), new_database_url()
    fill(source)
    output = tmp_path / "notes.tar"

    assert covet(["db", "backup", "--database", source.render(), "--output", str(output)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"backed up {source.backend} database")
    assert "(1 tables, 3 rows, schema version none)" in said

    assert covet(["db", "inspect", str(output)]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["backend"] == source.backend
    assert manifest["tables"]["note"]["rows"] == 3

    assert covet(["db", "restore", str(output), "--database", target.render()]) == 0
    assert "1 tables verified, row counts and checksums match" in capsys.readouterr().out


def test_the_database_defaults_to_covet_database_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COVET_DATABASE_URL", raising=False)
    # Without the variable: the ORM's embedded default, ./covet.sqlite3, which is missing here.
    assert covet(["db", "backup"]) == 1
    assert (
        capsys.readouterr().err == "covet db backup: error: no SQLite database at covet.sqlite3\n"
    )

    fill(DatabaseURL("sqlite", path=str(tmp_path / "app.sqlite3")))
    monkeypatch.setenv("COVET_DATABASE_URL", f"sqlite:///{tmp_path / 'app.sqlite3'}")
    assert covet(["db", "backup"]) == 0
    written = list(tmp_path.glob("covet-sqlite-app-*.tar"))
    assert len(written) == 1
    assert str(written[0].name) in capsys.readouterr().out


def test_errors_are_one_line_and_exit_code_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert covet(["db", "inspect", str(tmp_path / "absent.tar")]) == 1
    assert capsys.readouterr().err == (
        f"covet db inspect: error: no backup file at {tmp_path / 'absent.tar'}\n"
    )
    assert covet(["db", "restore", str(tmp_path / "absent.tar"), "--database", "sqlite:///x"]) == 1
    assert capsys.readouterr().err.startswith("covet db restore: error: no backup file at")
    assert covet(["db", "backup", "--database", "nosuch://x"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("covet db backup: error: unknown database scheme 'nosuch'")
    assert error.count("\n") == 1


def test_db_without_a_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert covet(["db"]) == 2
    help_text = capsys.readouterr().err
    for command in ("backup", "restore", "inspect"):
        assert command in help_text


def test_main_runs_the_db_commands_without_the_covet_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert backup_cli.main(["inspect", str(tmp_path / "absent.tar")]) == 1
    assert capsys.readouterr().err.startswith("covet db inspect: error: no backup file")
    with pytest.raises(SystemExit) as exited:
        backup_cli.main(["--help"])
    assert exited.value.code == 0
    assert "usage: covet db" in capsys.readouterr().out


def test_in_a_separate_process_with_only_orm_and_migrations_installed(
    new_database_url: NewDatabase, tmp_path: Path
) -> None:
    source, target = new_database_url(), new_database_url()
    fill(source)

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "covet.migrations", "db", *argv],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    # The migrations environment holds covet-orm and covet-migrations only: no covetpy.
    assert importlib.util.find_spec("covet.asgi") is None
    output = tmp_path / "notes.tar"
    backed_up = run("backup", "--database", source.render(), "--output", str(output))
    assert backed_up.returncode == 0, backed_up.stderr
    restored = run("restore", str(output), "--database", target.render())
    assert restored.returncode == 0, restored.stderr
    assert "row counts and checksums match" in restored.stdout
    refused = run("restore", str(output), "--database", "mysql://root@127.0.0.1/x")
    if source.backend == "mysql":
        refused = run("restore", str(output), "--database", "sqlite:///x.sqlite3")
    assert refused.returncode == 1
    assert "it cannot be restored into" in refused.stderr
    assert refused.stderr.count("\n") == 1
