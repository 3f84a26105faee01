"""The commands, in process (``main(argv)``) and as ``python -m covet.migrations`` processes.

The migrations environment installs covet-orm and covet-migrations only, so these tests also
prove the commands need nothing else.
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import closing
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from covet.migrations.cli import main, register

MODELS_V1 = """
from covet.orm.fields import CharField
from covet.orm.models import Model


class Author(Model):
    __tablename__ = "author"
    name = CharField(max_length=100)
    email = CharField(max_length=200, null=True)
"""

MODELS_V2 = MODELS_V1.replace("email = ", "contact = ")


class Project:
    """A project folder with model modules and a SQLite database, as the working directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.database = f"sqlite:///{root / 'app.sqlite3'}"
        self.modules: list[str] = []

    def models(self, source: str) -> str:
        """Write a models module (a fresh name each time: modules are imported once)."""
        name = f"models_{secrets.token_hex(4)}"
        (self.root / f"{name}.py").write_text(textwrap.dedent(source))
        self.modules.append(name)
        return name

    def run(self, *argv: str, models: str | None = None) -> int:
        options = ["--database", self.database] if argv[0] not in ("squash",) else []
        if models:
            options += ["--models", models]
        return main([*argv, *options])


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COVET_DATABASE_URL", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal
    made = Project(tmp_path)
    yield made
    for name in made.modules:
        sys.modules.pop(name, None)
    if str(tmp_path) in sys.path:
        sys.path.remove(str(tmp_path))


def test_the_commands_in_process(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    v1 = project.models(MODELS_V1)
    assert project.run("make", models=v1) == 0
    assert "Wrote migrations/0001_initial.py" in capsys.readouterr().out
    assert project.run("make", models=v1) == 0
    assert capsys.readouterr().out == "No changes detected.\n"

    assert project.run("check", models=v1) == 1
    assert "not applied: 0001_initial" in capsys.readouterr().out
    assert project.run("apply", "--plan") == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        "Apply 0001_initial",
        "    Create table author",
    ]
    assert project.run("show") == 0
    assert capsys.readouterr().out == "[ ] 0001_initial\n"
    # check, show and the plan only read: the database is still empty (no history table).
    with closing(sqlite3.connect(project.root / "app.sqlite3")) as connection:
        assert connection.execute("SELECT name FROM sqlite_master").fetchall() == []
    assert project.run("apply") == 0
    assert capsys.readouterr().out == "Applied 0001_initial\n"
    assert project.run("apply") == 0
    assert capsys.readouterr().out == "Nothing to do.\n"
    assert project.run("show") == 0
    assert capsys.readouterr().out.startswith("[X] 0001_initial  (applied 2")
    assert project.run("check", models=v1) == 0
    assert "agree" in capsys.readouterr().out

    # A rename is refused without a terminal, with the way to say it.
    v2 = project.models(MODELS_V2)
    assert project.run("make", models=v2) == 1
    error = capsys.readouterr().err
    assert "author.email disappeared and contact appeared" in error
    assert "--rename author.email:contact" in error
    assert "--no-rename" in error
    assert project.run("check", models=v2) == 1
    assert (
        "models changed without a migration: Add column author.contact" in capsys.readouterr().out
    )
    assert project.run("make", "--rename", "author.email:contact", models=v2) == 0
    assert "0002_rename_column_author_email_to_contact.py" in capsys.readouterr().out
    assert project.run("show") == 0
    assert (
        capsys.readouterr().out.splitlines()[1] == "[ ] 0002_rename_column_author_email_to_contact"
    )
    assert project.run("apply", "--fake") == 0
    assert capsys.readouterr().out == "Faked 0002_rename_column_author_email_to_contact\n"
    assert project.run("rollback", "0001", "--fake") == 0
    capsys.readouterr()
    assert project.run("apply") == 0
    assert project.run("check", models=v2) == 0
    capsys.readouterr()

    assert project.run("sql", "0002", "--backwards") == 0
    sql = capsys.readouterr().out
    assert sql.startswith("-- Roll back 0002_rename_column_author_email_to_contact\nBEGIN;\n")
    assert 'INSERT INTO "new__author" ("id", "name", "email") SELECT "id", "name", "contact"' in sql
    assert project.run("rollback", "zero", "--plan") == 0
    assert capsys.readouterr().out.startswith(
        "Roll back 0002_rename_column_author_email_to_contact\n"
    )
    assert project.run("rollback", "zero") == 0
    assert capsys.readouterr().out.splitlines() == [
        "Rolled back 0002_rename_column_author_email_to_contact",
        "Rolled back 0001_initial",
    ]
    assert project.run("squash", "0001", "0002") == 0
    assert "Wrote migrations/0002_squashed_0001_0002.py" in capsys.readouterr().out
    assert project.run("apply") == 0
    assert capsys.readouterr().out == "Applied 0002_squashed_0001_0002\n"
    assert project.run("check", models=v2) == 0


def test_a_terminal_is_asked_about_renames(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert project.run("make", models=project.models(MODELS_V1)) == 0

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    assert project.run("make", models=project.models(MODELS_V2)) == 0
    out = capsys.readouterr().out
    assert "Was column author.email renamed to author.contact? [y/N]" in out
    assert "0002_rename_column_author_email_to_contact.py" in out


def test_errors_are_one_line_and_exit_code_1(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert project.run("make") == 1
    assert "which models? give --models MODULE" in capsys.readouterr().err
    assert project.run("make", models="no_such_module_here") == 1
    assert "cannot import models module 'no_such_module_here'" in capsys.readouterr().err
    assert project.run("make", "--rename", "nonsense", models=project.models(MODELS_V1)) == 1
    assert "write table.old_column:new_column" in capsys.readouterr().err
    assert project.run("rollback", "0001") == 1
    assert "'0001' is not a migration" in capsys.readouterr().err
    assert main([]) == 2
    assert main(["make", "--empty", "--database", "postgresql://nobody@127.0.0.1:1/x"]) == 0
    assert "0001_empty.py" in capsys.readouterr().out
    assert main(["apply", "--database", "postgresql://nobody@127.0.0.1:1/x"]) == 1
    assert "127.0.0.1:1" in capsys.readouterr().err


def test_settings_come_from_pyproject_and_the_environment(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    models = project.models(MODELS_V1)
    (project.root / "pyproject.toml").write_text(
        "[tool.covet.migrations]\n"
        f'models = "{models}"\n'
        'directory = "db/migrations"\n'
        f'database = "sqlite:///{project.root / "from_pyproject.sqlite3"}"\n'
    )
    assert main(["make"]) == 0
    assert "Wrote db/migrations/0001_initial.py" in capsys.readouterr().out
    assert main(["apply"]) == 0
    assert (project.root / "from_pyproject.sqlite3").exists()
    monkeypatch.setenv("COVET_DATABASE_URL", f"sqlite:///{project.root / 'from_env.sqlite3'}")
    assert main(["apply"]) == 0
    assert (project.root / "from_env.sqlite3").exists()
    capsys.readouterr()
    assert main(["sql", "--database", "mysql://root@127.0.0.1:1/offline"]) == 0
    assert "CREATE TABLE `author`" in capsys.readouterr().out  # MySQL SQL, no connection


def test_python_dash_m_runs_the_commands(tmp_path: Path) -> None:
    (tmp_path / "shop_models.py").write_text(textwrap.dedent(MODELS_V1))
    environment = {k: v for k, v in os.environ.items() if k != "COVET_DATABASE_URL"}
    database = ["--database", f"sqlite:///{tmp_path / 'shop.sqlite3'}"]

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "covet.migrations", *argv],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )

    made = run("make", "--models", "shop_models")
    assert made.returncode == 0, made.stderr
    assert made.stdout == "Wrote migrations/0001_initial.py\n"
    applied = run("apply", *database)
    assert (applied.returncode, applied.stdout) == (0, "Applied 0001_initial\n")
    checked = run("check", "--models", "shop_models", *database)
    assert checked.returncode == 0, checked.stdout
    sql = run("sql", "--database", "postgresql://nobody@127.0.0.1:1/offline")
    assert sql.returncode == 0, sql.stderr
    assert 'CREATE TABLE "author" ("id" INTEGER GENERATED BY DEFAULT AS IDENTITY' in sql.stdout
    usage = run()
    assert usage.returncode == 2
    assert "make" in usage.stderr
    assert "db" in usage.stderr  # backup and restore ride along (covet db ...)


def test_register_adds_the_commands_to_the_covet_command(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    # What covetpy's `covet` does with the entry point, without covetpy.
    parser = argparse.ArgumentParser(prog="covet")
    register(parser.add_subparsers())
    args = parser.parse_args(["migrations", "show", "--database", project.database])
    assert args.func(args) == 0
    assert capsys.readouterr().out == ""  # no migrations yet
    bare = parser.parse_args(["migrations"])
    assert bare.func(bare) == 2
    assert "make" in capsys.readouterr().err
    (entry_point,) = [ep for ep in entry_points(group="covet.commands") if ep.name == "migrations"]
    assert entry_point.load() is register
