"""Every kind of column and table change, forwards then backwards, on every backend.

Hand-written migrations change types, nullability, unique constraints, foreign keys and
indexes, rename columns (with their index, constraint or key) and a table, and drop columns.
After each step, forwards and backwards, the live schema must be exactly what the migrations
describe, and the rows must still be there (on SQLite most of these are table rebuilds).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from covet.migrations import (
    MigrationRunner,
    expected_schema,
    introspect,
    load_migrations,
    schema_differences,
    state_after,
)
from covet.orm.database import Database
from covet.orm.dialects import dialect_for

IMPORTS = (
    "from covet.migrations import AddIndex, AlterColumn, Column, CreateTable, DropColumn, "
    "DropIndex, RenameColumn, RenameTable\n"
)

STEPS = {
    "0001_tables": """
        operations = [
            CreateTable("team", [Column("id", "AutoField", primary_key=True),
                                 Column("name", "CharField", max_length=50, unique=True),
                                 Column("city", "CharField", max_length=30, null=True,
                                        index=True)]),
            CreateTable("player", [
                Column("id", "AutoField", primary_key=True),
                Column("name", "CharField", max_length=50, index=True),
                Column("score", "IntegerField", null=True),
                Column("team_id", "IntegerField", null=True, references=("team", "id"),
                       on_delete="SET_NULL"),
            ]),
        ]
    """,
    "0002_loosen": """
        operations = [
            AlterColumn("player", Column("name", "CharField", max_length=120, index=True)),
            AlterColumn("player", Column("score", "BigIntegerField", default=0)),
            AlterColumn("team", Column("name", "CharField", max_length=50)),
            AlterColumn("player", Column("team_id", "IntegerField", null=True)),
        ]
    """,
    "0003_tighten": """
        operations = [
            AlterColumn("team", Column("name", "CharField", max_length=50, unique=True)),
            AlterColumn("player", Column("team_id", "IntegerField", null=True,
                                         references=("team", "id"), on_delete="CASCADE")),
            AddIndex("player", "score"),
        ]
    """,
    "0004_renames": """
        operations = [
            RenameColumn("player", "name", "nickname"),
            RenameColumn("player", "team_id", "club_id"),
            RenameColumn("team", "name", "title"),
            RenameTable("team", "club"),
        ]
    """,
    "0005_drops": """
        operations = [
            DropIndex("player", "nickname"),
            DropColumn("player", "score"),
            DropColumn("player", "club_id"),
        ]
    """,
}


async def assert_schema_matches(database: Database, directory: Path, upto: int) -> None:
    described = state_after(load_migrations(directory)[:upto])
    expected = expected_schema(described, await dialect_for(database))
    assert schema_differences(expected, await introspect(database)) == [], f"after {upto}"


def write_steps(directory: Path) -> None:
    directory.mkdir()
    previous: list[str] = []
    for name, body in STEPS.items():
        source = IMPORTS + f"\ndependencies = {previous[-1:]!r}\n" + textwrap.dedent(body)
        (directory / f"{name}.py").write_text(source)
        previous.append(name)


async def test_alterations_forwards_and_backwards_keep_rows(
    database: Database, migrations_dir: Path
) -> None:
    write_steps(migrations_dir)
    runner = MigrationRunner(database, load_migrations(migrations_dir))
    p = "?" if database.paramstyle == "qmark" else "%s"

    await runner.apply("0001")
    await assert_schema_matches(database, migrations_dir, 1)
    await database.execute(f"INSERT INTO team (name) VALUES ({p})", ["Owls"])
    await database.execute(
        f"INSERT INTO player (name, score, team_id) VALUES ({p}, {p}, {p})", ["Ann", None, 1]
    )
    for upto in range(2, 6):
        await runner.apply(list(STEPS)[upto - 1])
        await assert_schema_matches(database, migrations_dir, upto)
        table = "club" if upto >= 4 else "team"
        column = "title" if upto >= 4 else "name"
        assert await database.fetch_all(f"SELECT {column} FROM {table}") == [("Owls",)]
        player = "nickname" if upto >= 4 else "name"
        assert await database.fetch_all(f"SELECT {player} FROM player") == [("Ann",)]
        if upto == 2:  # the NULL score became the default when the column became NOT NULL
            assert await database.fetch_all("SELECT score FROM player") == [(0,)]
    for upto in range(4, -1, -1):
        target = list(STEPS)[upto - 1] if upto else "zero"
        await runner.rollback(target)
        await assert_schema_matches(database, migrations_dir, upto)
        if upto:
            player = "nickname" if upto >= 4 else "name"
            assert await database.fetch_all(f"SELECT {player} FROM player") == [("Ann",)]
        if upto == 4:
            scores = await database.fetch_all("SELECT score, club_id FROM player")
            assert [tuple(row) for row in scores] == [(0, None)]  # dropped, then made again
