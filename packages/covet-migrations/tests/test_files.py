"""Migration files: loading and its errors, writing, squashing, and the offline SQL."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from covet.migrations import (
    Column,
    CreateTable,
    MigrationError,
    MigrationRunner,
    RunPython,
    RunSQL,
    Statement,
    load_migrations,
    migration_sql,
    squash_migrations,
)
from covet.migrations.loader import Migration, order_migrations, resolve_replacements
from covet.migrations.schema_editor import constraint_name, dialect_for_vendor, editor_for
from covet.migrations.writer import migration_name, render_migration
from covet.orm.database import Database

ID = Column("id", "AutoField", primary_key=True)


def write(directory: Path, name: str, source: str) -> None:
    directory.mkdir(exist_ok=True)
    (directory / f"{name}.py").write_text(textwrap.dedent(source))


def test_files_that_are_not_migrations_are_refused_or_ignored(tmp_path: Path) -> None:
    assert load_migrations(tmp_path / "missing") == []
    write(tmp_path, "__init__", "")
    write(tmp_path, "helpers", "x = 1")
    assert load_migrations(tmp_path) == []
    write(tmp_path, "0001_broken", "operations = [")
    with pytest.raises(
        MigrationError, match=r"cannot load migration .*0001_broken\.py: SyntaxError"
    ):
        load_migrations(tmp_path)
    write(tmp_path, "0001_broken", "operations = ['DROP TABLE x']")
    with pytest.raises(MigrationError, match="`operations` must be a list of operations"):
        load_migrations(tmp_path)


def test_the_graph_must_be_a_line_without_holes_or_cycles() -> None:
    def m(name: str, *dependencies: str) -> Migration:
        return Migration(name, [], list(dependencies))

    assert [x.name for x in order_migrations([m("0002_b", "0001_a"), m("0001_a")])] == [
        "0001_a",
        "0002_b",
    ]
    with pytest.raises(MigrationError, match="depends on 0000_x, which does not exist"):
        order_migrations([m("0001_a", "0000_x")])
    with pytest.raises(MigrationError, match="in a cycle: 0001_a, 0002_b"):
        order_migrations([m("0001_a", "0002_b"), m("0002_b", "0001_a")])
    with pytest.raises(MigrationError, match="0002_b and 0002_c both follow 0001_a"):
        order_migrations([m("0001_a"), m("0002_b", "0001_a"), m("0002_c", "0001_a")])


def test_names_and_rendering() -> None:
    create = CreateTable("t", [ID])
    assert migration_name(1, [create]) == "0001_initial"
    assert migration_name(2, [create]) == "0002_create_table_t"
    assert migration_name(2, [create, create]) == "0002_create_table_t_and_more"
    assert migration_name(3, []) == "0003_empty"
    assert migration_name(4, [], "Fill the slugs!") == "0004_fill_the_slugs"
    text = render_migration([create], dependencies=["0001_a"], replaces=["x"])
    assert "from covet.migrations import Column, CreateTable\n" in text
    assert 'replaces = ["x"]' in text
    with pytest.raises(MigrationError, match="written by hand"):
        RunPython(_noop).render()
    assert (
        RunSQL("SELECT 1", reverse_sql=RunSQL.NOOP).render()
        == 'RunSQL(["SELECT 1"], reverse_sql=[])'
    )
    long = RunSQL("UPDATE t SET " + "x = 1, " * 20)
    assert long.describe().endswith("...")


async def _noop(database: Database) -> None:
    pass


async def test_data_operations_without_a_reverse_say_so(database: Database) -> None:
    editor = editor_for(dialect_for_vendor(database.vendor))
    state = load_migrations(Path("/nonexistent"))  # no migrations: an empty list
    assert state == []
    from covet.migrations import ProjectState

    empty = ProjectState()
    with pytest.raises(MigrationError, match="no reverse_code"):
        await RunPython(_noop).run(database, editor, empty, empty, backwards=True)
    with pytest.raises(MigrationError, match="no reverse_sql"):
        RunSQL("SELECT 1").sql(editor, empty, empty, backwards=True)


def test_statements_render_their_parameters_as_literals() -> None:
    statement = Statement(
        "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", (None, True, 2, 1.5, b"\x00", "it's")
    )
    assert statement.render() == "INSERT INTO t VALUES (NULL, 1, 2, 1.5, X'00', 'it''s');"
    assert Statement("UPDATE t SET a = %s", ("x",)).render() == "UPDATE t SET a = 'x';"
    long = constraint_name("t" * 40, "c" * 40, "idx")
    assert len(long) <= 63
    assert long.endswith("_idx")
    with pytest.raises(MigrationError, match="no schema editor for 'oracle'"):
        editor_for(type("Oracle", (), {"vendor": "oracle"})())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown field kind 'Nope'"):
        Column("x", "Nope").to_field()


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql", "mysql"])
def test_sql_is_written_offline_for_each_vendor(tmp_path: Path, vendor: str) -> None:
    write(
        tmp_path,
        "0001_initial",
        """
        from covet.migrations import Column, CreateTable, RunPython

        async def hello(database):
            pass

        dependencies = []
        operations = [
            CreateTable("t", [Column("id", "AutoField", primary_key=True),
                              Column("v", "CharField", max_length=9, unique=True, index=True)]),
            RunPython(hello, hello),
        ]
        """,
    )
    forwards = migration_sql(load_migrations(tmp_path), vendor)
    backwards = migration_sql(load_migrations(tmp_path), vendor, "0001", backwards=True)
    quote = "`" if vendor == "mysql" else '"'
    assert f"CREATE TABLE {quote}t{quote}" in forwards
    assert f"CONSTRAINT {quote}t_v_key{quote} UNIQUE" in forwards
    assert f"CREATE INDEX {quote}t_v_idx{quote}" in forwards
    assert "-- (Python code: it runs with apply, it has no SQL to show)" in forwards
    assert f"DROP TABLE {quote}t{quote};" in backwards
    assert ("BEGIN;" in forwards) is (vendor != "mysql")


SQUASH_SOURCES = {
    "0001_a": """
        from covet.migrations import Column, CreateTable, RunSQL
        dependencies = []
        operations = [
            CreateTable("t", [Column("id", "AutoField", primary_key=True),
                              Column("a", "IntegerField", null=True)]),
            RunSQL("UPDATE t SET a = 1", reverse_sql=RunSQL.NOOP),
        ]
    """,
    "0002_b": """
        from covet.migrations import RenameColumn
        dependencies = ["0001_a"]
        operations = [RenameColumn("t", "a", "b")]
    """,
    "0003_c": """
        from covet.migrations import Column, RenameColumn, RenameTable, AddColumn
        dependencies = ["0002_b"]
        operations = [RenameColumn("t", "b", "c"), RenameTable("t", "u"),
                      AddColumn("u", Column("d", "IntegerField", null=True))]
    """,
    "0004_d": """
        from covet.migrations import RenameColumn
        dependencies = ["0003_c"]
        operations = [RenameColumn("u", "d", "e")]
    """,
}


async def test_squashed_migrations_replace_their_originals_as_the_history_allows(
    database: Database, migrations_dir: Path
) -> None:
    for name, source in SQUASH_SOURCES.items():
        write(migrations_dir, name, source)
    runner = MigrationRunner(database, load_migrations(migrations_dir))
    await runner.apply("0001")  # this database stops half way through the range
    with pytest.raises(MigrationError, match="two or more"):
        squash_migrations(migrations_dir, "0002", "0002")
    path = squash_migrations(migrations_dir, "0001", "0003")
    text = path.read_text()
    assert path.name == "0003_squashed_0001_0003.py"
    assert 'replaces = ["0001_a", "0002_b", "0003_c"]' in text
    assert "- Run SQL UPDATE t SET a = 1" in text  # named, not carried over
    assert 'CreateTable(\n        "u"' in text  # the table as it ends up, made once
    migrations = load_migrations(migrations_dir)
    # Half applied: the originals finish the job; 0004 then follows 0003_c.
    runner = MigrationRunner(database, migrations)
    assert [s.migration.name for s in await runner.apply()] == ["0002_b", "0003_c", "0004_d"]
    with pytest.raises(MigrationError, match="holds a squashed migration"):
        squash_migrations(migrations_dir, "0003_squashed", "0004")
    # A new database: the squashed migration alone.
    await runner.rollback("zero")
    assert [s.migration.name for s in await runner.apply()] == [
        "0003_squashed_0001_0003",
        "0004_d",
    ]
    await runner.rollback("zero")
    # All originals applied: the squashed one counts as applied.
    applied_originals = [m for m in migrations if not m.replaces]
    everything = MigrationRunner(database, applied_originals)
    await everything.apply()
    assert await MigrationRunner(database, migrations).plan() == []
    steps = await MigrationRunner(database, migrations).rollback("zero")
    assert [s.migration.name for s in steps] == ["0004_d", "0003_squashed_0001_0003"]
    assert await runner.applied() == {}


def test_a_half_applied_squash_needs_the_original_files() -> None:
    squashed = Migration("0002_squashed", [], [], replaces=["0001_a", "0002_b"])
    with pytest.raises(MigrationError, match="only 0001_a are applied"):
        resolve_replacements([squashed], {"0001_a"})
