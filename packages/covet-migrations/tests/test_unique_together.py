"""Unique-together groups (``__unique_together__``), from the models to a live database.

The state records a model's groups, the autodetector writes them (in CreateTable, or as
AddUniqueTogether/DropUniqueTogether), the editors make them on every backend (SQLite by
rebuilding the table, which keeps them through other changes too), and introspection reads
them back. On each backend the database must refuse a duplicate pair whenever a group says so,
and the live schema must equal what the models or migrations describe after every step.
"""

from __future__ import annotations

import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from covet.migrations import (
    AddUniqueTogether,
    AlterColumn,
    Column,
    CreateTable,
    DropColumn,
    DropUniqueTogether,
    MigrationError,
    MigrationRunner,
    ProjectState,
    RenameColumn,
    Renames,
    Table,
    check,
    detect_changes,
    introspect,
    load_migrations,
    make_migration,
    migration_sql,
    squash_migrations,
    state_after,
    state_from_models,
)
from covet.migrations.loader import described_state
from covet.migrations.schema_editor import unique_together_name
from covet.orm.database import Database
from covet.orm.errors import IntegrityError
from covet.orm.fields import CharField, IntegerField
from covet.orm.models import Model
from covet.orm.relations import CASCADE, ForeignKey, ManyToManyField
from covet.orm.schema import create_tables

Models = list[type[Model]]
Drift = Callable[[ProjectState], Awaitable[list[str]]]
Migrate = Callable[[Models], Awaitable[str]]
ID = Column("id", "AutoField", primary_key=True)
NUMBER = Column("", "IntegerField")


def school(*, together: bool) -> Models:
    """Courses, students and their enrolments; ``together``: a pair enrols once."""

    class Course(Model):
        __tablename__ = "course"
        code = CharField(max_length=10, unique=True)

    class Student(Model):
        __tablename__ = "student"
        name = CharField(max_length=50)

    class Enrolment(Model):
        __tablename__ = "enrolment"
        if together:
            __unique_together__ = (("course", "student"),)
        course = ForeignKey(Course, on_delete=CASCADE)
        student = ForeignKey(Student, on_delete=CASCADE)
        grade = IntegerField(null=True)

    return [Course, Student, Enrolment]


def marker(database: Database) -> str:
    return "?" if database.paramstyle == "qmark" else "%s"


async def enrol(database: Database, course: int, student: int) -> None:
    p = marker(database)
    await database.execute(
        f"INSERT INTO enrolment (course_id, student_id) VALUES ({p}, {p})", [course, student]
    )


@pytest.fixture
def migrate(database: Database, migrations_dir: Path, schema_drift: Drift) -> Migrate:
    """``await migrate(models)``: autodetect, write and apply the next migration, check that
    the live schema is the models', and return the migration's name."""

    async def run(models: Models) -> str:
        path = make_migration(models, migrations_dir)
        assert path is not None
        assert make_migration(models, migrations_dir) is None  # nothing left to detect
        runner = MigrationRunner(database, load_migrations(migrations_dir))
        assert [step.migration.name for step in await runner.apply()] == [path.stem]
        assert await schema_drift(state_from_models(models)) == []
        assert await check(models, migrations_dir, database) == []
        return path.stem

    return run


# --- the state, the autodetector, the files: no database -----------------------------------


def test_the_models_groups_become_state_and_a_create_table_that_renders_them() -> None:
    models = state_from_models(school(together=True))
    assert models.tables["enrolment"].unique_together == [("course_id", "student_id")]
    operations = detect_changes(ProjectState(), models)
    text = operations[-1].render()
    assert isinstance(operations[-1], CreateTable)
    assert '        unique_together=[("course_id", "student_id")],\n    )' in text

    class Solo(Model):  # a group of one column is that column's unique=True
        __tablename__ = "solo"
        __unique_together__ = (("code",), ("id",), ("code", "shelf"), ("code", "shelf"))
        code = CharField(max_length=5)
        shelf = IntegerField()

    solo = state_from_models([Solo]).tables["solo"]
    assert solo.unique_together == [("code", "shelf")]  # declared twice, one constraint
    assert solo.column("code").unique
    assert not solo.column("id").unique  # the primary key is unique already


def test_added_and_dropped_groups_come_in_an_order_databases_accept() -> None:
    before = Table("t", [ID, NUMBER.replace(name="a"), NUMBER.replace(name="old")])
    before.unique_together.append(("a", "old"))
    after = Table("t", [ID, NUMBER.replace(name="a"), NUMBER.replace(name="new", null=True)])
    after.unique_together.append(("a", "new"))
    old, new = ProjectState({"t": before}), ProjectState({"t": after})
    operations = detect_changes(old, new, renames=Renames(no_more=True))
    assert [repr(o) for o in operations] == [
        "<DropUniqueTogether: Drop unique together t (a, old)>",
        "<AddColumn: Add column t.new>",
        "<AddUniqueTogether: Add unique together t (a, new)>",
        "<DropColumn: Drop column t.old>",
    ]
    assert operations[2].render() == 'AddUniqueTogether("t", ("a", "new"))'
    # Renamed, the column takes its place in the group: nothing else to do.
    renamed = detect_changes(old, new, renames=Renames(columns={("t", "old"): "new"}))
    assert [type(o) for o in renamed] == [RenameColumn, AlterColumn]  # (new is nullable)


def test_operations_refuse_groups_that_cannot_be() -> None:
    state = ProjectState()
    CreateTable(
        "t", [ID, NUMBER.replace(name="a"), NUMBER.replace(name="b")], [("a", "b")]
    ).state_forwards(state)
    with pytest.raises(MigrationError, match=r"t\.a is in the unique-together group \(a, b\)"):
        DropColumn("t", "a").state_forwards(state.clone())
    with pytest.raises(MigrationError, match=r"\(a, b\) is unique together already"):
        AddUniqueTogether("t", ["a", "b"]).state_forwards(state.clone())
    with pytest.raises(MigrationError, match="two or more columns"):
        AddUniqueTogether("t", ["a"]).state_forwards(state.clone())
    with pytest.raises(KeyError, match="has no column 'c'"):
        AddUniqueTogether("t", ["a", "c"]).state_forwards(state.clone())
    with pytest.raises(MigrationError, match=r"table t has no unique-together group \(b, a\)"):
        DropUniqueTogether("t", ["b", "a"]).state_forwards(state.clone())
    DropUniqueTogether("t", ["a", "b"]).state_forwards(state)
    DropColumn("t", "a").state_forwards(state)  # free of its group, the column can go
    assert state.tables["t"].unique_together == []


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql", "mysql"])
def test_the_sql_names_each_group_after_its_table_and_columns(tmp_path: Path, vendor: str) -> None:
    (tmp_path / "0001_initial.py").write_text(
        textwrap.dedent(
            """
            from covet.migrations import AddUniqueTogether, Column, CreateTable
            from covet.migrations import DropUniqueTogether

            dependencies = []
            operations = [
                CreateTable("p", [Column("id", "AutoField", primary_key=True)]),
                CreateTable("pair", [Column("id", "AutoField", primary_key=True),
                                     Column("p_id", "IntegerField", references=("p", "id")),
                                     Column("b", "IntegerField")],
                            unique_together=[("p_id", "b")]),
                DropUniqueTogether("pair", ("p_id", "b")),
                AddUniqueTogether("pair", ("b", "p_id")),
            ]
            """
        )
    )
    q = "`" if vendor == "mysql" else '"'
    forwards = migration_sql(load_migrations(tmp_path), vendor)
    made = f"CONSTRAINT {q}pair_p_id_b_uniq{q} UNIQUE ({q}p_id{q}, {q}b{q})"
    assert made in forwards
    assert f"CONSTRAINT {q}pair_b_p_id_uniq{q} UNIQUE ({q}b{q}, {q}p_id{q})" in forwards
    if vendor == "mysql":  # the foreign key keeps an index of its own
        assert (
            "ALTER TABLE `pair` ADD INDEX IF NOT EXISTS `pair_p_id_fk` (`p_id`), "
            "DROP INDEX `pair_p_id_b_uniq`;" in forwards
        )
    elif vendor == "postgresql":
        assert 'ALTER TABLE "pair" DROP CONSTRAINT "pair_p_id_b_uniq";' in forwards
    else:
        assert 'CREATE TABLE "new__pair"' in forwards  # SQLite rebuilds the table
    assert len(unique_together_name("t" * 40, ("c" * 20, "d" * 20))) <= 63


def test_squashing_keeps_the_groups(tmp_path: Path) -> None:
    sources = {
        "0001_a": """
            from covet.migrations import Column, CreateTable
            dependencies = []
            operations = [CreateTable("t", [Column("id", "AutoField", primary_key=True),
                                            Column("a", "IntegerField"),
                                            Column("b", "IntegerField")])]
        """,
        "0002_b": """
            from covet.migrations import AddUniqueTogether
            dependencies = ["0001_a"]
            operations = [AddUniqueTogether("t", ("a", "b"))]
        """,
        "0003_c": """
            from covet.migrations import RenameColumn
            dependencies = ["0002_b"]
            operations = [RenameColumn("t", "b", "c")]
        """,
    }
    for name, source in sources.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    whole = squash_migrations(tmp_path, "0001", "0003").read_text()
    assert 'unique_together=[("a", "c")]' in whole
    whole_path = tmp_path / "0003_squashed_0001_0003.py"
    whole_path.unlink()
    tail = squash_migrations(tmp_path, "0002", "0003").read_text()
    assert 'RenameColumn("t", "b", "c"),\n    AddUniqueTogether("t", ("a", "c")),' in tail
    final = described_state(load_migrations(tmp_path))  # squashed: the same state
    assert final.tables["t"].unique_together == [("a", "c")]


# --- on a live database, each backend -------------------------------------------------------


async def test_a_group_is_made_refuses_duplicates_rolls_back_and_is_made_again(
    database: Database, migrations_dir: Path, migrate: Migrate, schema_drift: Drift
) -> None:
    first = await migrate(school(together=True))
    assert 'unique_together=[("course_id", "student_id")]' in (
        (migrations_dir / f"{first}.py").read_text()
    )
    p = marker(database)
    await database.execute(f"INSERT INTO course (code) VALUES ({p})", ["CS101"])
    await database.execute(f"INSERT INTO student (name) VALUES ({p})", ["Ada"])
    await enrol(database, 1, 1)
    with pytest.raises(IntegrityError):
        await enrol(database, 1, 1)

    runner = MigrationRunner(database, load_migrations(migrations_dir))
    await runner.rollback("zero")
    assert await introspect(database) == {}
    await runner.apply()
    assert await schema_drift(state_from_models(school(together=True))) == []
    assert await check(school(together=True), migrations_dir, database) == []
    await database.execute(f"INSERT INTO course (code) VALUES ({p})", ["CS101"])
    await database.execute(f"INSERT INTO student (name) VALUES ({p})", ["Ada"])
    await enrol(database, 1, 1)
    with pytest.raises(IntegrityError):
        await enrol(database, 1, 1)

    # Made with its table, the group can go (on MySQL the foreign key on course_id was
    # using the group's index: it gets one of its own).
    dropped = await migrate(school(together=False))
    assert dropped.endswith("_drop_unique_together_enrolment_course_id_student_id")
    await enrol(database, 1, 1)
    assert len(await database.fetch_all("SELECT * FROM enrolment")) == 2


async def test_a_group_is_added_to_a_table_with_rows_then_dropped(
    database: Database, migrations_dir: Path, migrate: Migrate, schema_drift: Drift
) -> None:
    await migrate(school(together=False))
    p = marker(database)
    for code in ("CS101", "MA201"):
        await database.execute(f"INSERT INTO course (code) VALUES ({p})", [code])
    await database.execute(f"INSERT INTO student (name) VALUES ({p})", ["Ada"])
    await enrol(database, 1, 1)
    await enrol(database, 2, 1)

    added = await migrate(school(together=True))
    assert added == "0002_add_unique_together_enrolment_course_id_student_id"
    rows = "SELECT course_id, student_id FROM enrolment ORDER BY course_id"
    assert [tuple(r) for r in await database.fetch_all(rows)] == [(1, 1), (2, 1)]
    with pytest.raises(IntegrityError):
        await enrol(database, 2, 1)

    await migrate(school(together=False))
    await enrol(database, 2, 1)  # allowed again
    await database.execute("DELETE FROM enrolment WHERE id > 2")  # the duplicate

    runner = MigrationRunner(database, load_migrations(migrations_dir))
    await runner.rollback("0002")  # the group is back
    assert await schema_drift(state_from_models(school(together=True))) == []
    with pytest.raises(IntegrityError):
        await enrol(database, 2, 1)
    await runner.rollback("0001")
    assert await schema_drift(state_from_models(school(together=False))) == []
    await runner.apply()
    assert [tuple(r) for r in await database.fetch_all(rows)] == [(1, 1), (2, 1)]


async def test_check_reads_the_groups_of_a_schema_made_by_covet_orm(
    database: Database, migrations_dir: Path
) -> None:
    # covet-orm's create_tables writes an unnamed UNIQUE (a, b) for a through table: the
    # migrations' check must see it, and see it missing or different when it is.
    class Tag(Model):
        __tablename__ = "tag"
        name = CharField(max_length=20)

    class Post(Model):
        __tablename__ = "post"
        tags = ManyToManyField(Tag, related_name="posts")

    assert make_migration([Post, Tag], migrations_dir) is not None
    await create_tables(database, Tag, Post)
    await MigrationRunner(database, load_migrations(migrations_dir)).apply(fake=True)
    actual = await introspect(database)
    assert actual["post_tags"].unique_together == {("post_id", "tag_id")}
    assert await check([Post, Tag], migrations_dir, database) == []

    await database.execute("DROP TABLE post_tags")
    await database.execute(
        "CREATE TABLE post_tags (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL, "
        "tag_id INTEGER NOT NULL, UNIQUE (tag_id, post_id))"
    )
    problems = await check([Post, Tag], migrations_dir, database)
    assert "database: post_tags: (post_id, tag_id) should be unique together" in problems
    assert "database: post_tags: (tag_id, post_id) should not be unique together" in problems


# --- hand-written steps, forwards and backwards (the style of test_alterations.py) ----------
#
# The groups must live through other changes (SQLite rebuilds the table for each of 0002's)
# and follow renames: 0004 drops a group by the name 0003's renames gave it, and rolling
# back 0002 drops (row, number, note) by the name it had before 0003 renamed it and back.

IMPORTS = (
    "from covet.migrations import AddColumn, AddUniqueTogether, AlterColumn, Column, "
    "CreateTable, DropUniqueTogether, RenameColumn, RenameTable\n"
)

STEPS = {
    "0001_seats": """
        operations = [
            CreateTable("seat", [Column("id", "AutoField", primary_key=True),
                                 Column("hall", "CharField", max_length=20),
                                 Column("row", "IntegerField"),
                                 Column("number", "IntegerField"),
                                 Column("note", "CharField", max_length=20, null=True)],
                        unique_together=[("hall", "row", "number")]),
        ]
    """,
    "0002_other_columns": """
        operations = [
            AlterColumn("seat", Column("note", "CharField", max_length=80, null=True)),
            AlterColumn("seat", Column("hall", "CharField", max_length=40)),
            AddColumn("seat", Column("price", "IntegerField", default=0)),
            AddUniqueTogether("seat", ("row", "number", "note")),
        ]
    """,
    "0003_renames": """
        operations = [
            RenameColumn("seat", "row", "line"),
            RenameTable("seat", "place"),
        ]
    """,
    "0004_regroup": """
        operations = [
            DropUniqueTogether("place", ("hall", "line", "number")),
            AddUniqueTogether("place", ("line", "number")),
        ]
    """,
}


async def test_groups_survive_column_and_table_changes_forwards_and_backwards(
    database: Database,
    migrations_dir: Path,
    write_chain: Callable[[str, dict[str, str]], None],
    schema_drift: Drift,
) -> None:
    write_chain(IMPORTS, STEPS)
    runner = MigrationRunner(database, load_migrations(migrations_dir))
    p = marker(database)

    async def matches(upto: int) -> None:
        described = state_after(load_migrations(migrations_dir)[:upto])
        assert await schema_drift(described) == [], f"after {upto}"

    def seat(upto: int) -> Callable[[str, int, int], str]:
        """INSERT of a seat for the schema after migration ``upto`` (price from 0002)."""
        table, row = ("place", "line") if upto >= 3 else ("seat", "row")
        price = (", price", ", 5") if upto >= 2 else ("", "")

        def insert(hall: str, line: int, number: int) -> str:
            values = f"'{hall}', {line}, {number}{price[1]}"
            return f"INSERT INTO {table} (hall, {row}, number{price[0]}) VALUES ({values})"

        return insert

    async def refused(sql: str) -> None:
        with pytest.raises(IntegrityError):
            await database.execute(sql)

    await runner.apply("0001")
    await matches(1)
    await database.execute(
        f"INSERT INTO seat (hall, row, number, note) VALUES ({p}, {p}, {p}, {p})",
        ["A", 1, 1, "aisle"],
    )
    for upto in (2, 3, 4):
        await runner.apply(list(STEPS)[upto - 1])
        await matches(upto)
        insert = seat(upto)
        await refused(insert("A", 1, 1))  # every step keeps a group that forbids it
        table = "place" if upto >= 3 else "seat"
        assert [tuple(r) for r in await database.fetch_all(f"SELECT hall, note FROM {table}")] == [
            ("A", "aisle")
        ]
    await refused(seat(4)("B", 1, 1))  # (line, number) alone now
    for upto in (3, 2, 1):
        await runner.rollback(list(STEPS)[upto - 1])
        await matches(upto)
        await refused(seat(upto)("A", 1, 1))
        await database.execute(seat(upto)("B", 1, 1))  # the wider group allows it
        table = "place" if upto >= 3 else "seat"
        await database.execute(f"DELETE FROM {table} WHERE hall = 'B'")
    await runner.rollback("zero")
    assert await introspect(database) == {}
