"""The autodetector: the right operations, in an order databases accept, renames never guessed."""

from __future__ import annotations

import pytest

from covet.migrations import (
    AddColumn,
    AddIndex,
    AlterColumn,
    AmbiguousRenameError,
    Column,
    CreateTable,
    DropColumn,
    DropIndex,
    DropTable,
    MigrationError,
    ProjectState,
    RenameColumn,
    Renames,
    RenameTable,
    Table,
    detect_changes,
    parse_renames,
    state_from_models,
)
from covet.migrations.state import source
from covet.orm.fields import CharField, IntegerField
from covet.orm.models import Model
from covet.orm.relations import CASCADE, ForeignKey

ID = Column("id", "AutoField", primary_key=True)


def state(*tables: Table) -> ProjectState:
    return ProjectState({table.name: table for table in tables})


def names(operations: list[object]) -> list[str]:
    return [repr(operation) for operation in operations]


def test_new_tables_come_after_the_tables_they_point_at_and_drops_before() -> None:
    class Country(Model):
        __tablename__ = "country"
        name = CharField(max_length=50)

    class City(Model):
        __tablename__ = "city"
        country = ForeignKey(Country, on_delete=CASCADE)
        population = IntegerField(default=0, index=True)

    models = state_from_models([City])  # Country comes along: City points at it
    assert set(models.tables) == {"city", "country"}
    city = models.tables["city"]
    assert city.column("country_id") == Column(
        "country_id", "IntegerField", references=("country", "id"), on_delete="CASCADE"
    )
    assert city.column("population") == Column("population", "IntegerField", default=0, index=True)
    created = detect_changes(ProjectState(), models)
    assert names(created) == [
        "<CreateTable: Create table country>",
        "<CreateTable: Create table city>",
    ]
    dropped = detect_changes(models, ProjectState())
    assert names(dropped) == ["<DropTable: Drop table city>", "<DropTable: Drop table country>"]


def test_column_changes_become_add_alter_index_and_drop_operations() -> None:
    before = state(
        Table(
            "t",
            [
                ID,
                Column("a", "IntegerField"),
                Column("b", "IntegerField"),
                Column("gone", "TextField", null=True),
            ],
        )
    )
    after = state(
        Table(
            "t",
            [
                ID,
                Column("a", "BigIntegerField"),
                Column("b", "IntegerField", index=True),
                Column("new", "TextField", null=True),
            ],
        )
    )
    operations = detect_changes(before, after, renames=Renames(no_more=True))
    assert [type(o) for o in operations] == [AlterColumn, AddIndex, AddColumn, DropColumn]
    back = detect_changes(after, before, renames=Renames(no_more=True))
    assert [type(o) for o in back] == [AlterColumn, DropIndex, AddColumn, DropColumn]


def test_a_possible_rename_is_refused_without_an_answer() -> None:
    before = state(Table("author", [ID, Column("email", "TextField", null=True)]))
    after = state(Table("author", [ID, Column("contact", "TextField", null=True)]))
    with pytest.raises(AmbiguousRenameError) as refused:
        detect_changes(before, after)
    assert "column(s) author.email disappeared and contact appeared" in str(refused.value)
    assert "--rename author.email:contact" in str(refused.value)

    renamed = detect_changes(before, after, renames=parse_renames(["author.email:contact"]))
    assert names(renamed) == ["<RenameColumn: Rename column author.email to contact>"]
    not_renamed = detect_changes(before, after, renames=parse_renames([], no_more=True))
    assert [type(o) for o in not_renamed] == [AddColumn, DropColumn]


def test_a_terminal_answers_the_rename_questions() -> None:
    text = Column("", "TextField", null=True)
    before = state(Table("author", [ID, text.replace(name="a"), text.replace(name="b")]))
    after = state(Table("author", [ID, text.replace(name="x"), text.replace(name="y")]))
    questions: list[str] = []

    def ask(question: str) -> bool:
        questions.append(question)
        return question.startswith("Was column author.b renamed to author.y")

    operations = detect_changes(before, after, ask=ask)
    assert names(operations)[0] == "<RenameColumn: Rename column author.b to y>"
    assert [type(o) for o in operations[1:]] == [AddColumn, DropColumn]
    assert len(questions) == 4  # a->x, a->y, b->x, then b->y: yes


def test_table_renames_are_declared_or_asked_and_keep_foreign_keys_pointing() -> None:
    before = state(
        Table("writer", [ID]),
        Table("book", [ID, Column("w_id", "IntegerField", references=("writer", "id"))]),
    )
    after = state(
        Table("author", [ID]),
        Table("book", [ID, Column("w_id", "IntegerField", references=("author", "id"))]),
    )
    with pytest.raises(AmbiguousRenameError, match="--rename writer:author"):
        detect_changes(before, after)
    operations = detect_changes(before, after, renames=parse_renames(["writer:author"]))
    assert names(operations) == ["<RenameTable: Rename table writer to author>"]
    asked = detect_changes(before, after, ask=lambda question: True)
    assert names(asked) == ["<RenameTable: Rename table writer to author>"]
    refused = detect_changes(before, after, ask=lambda question: False)
    assert [type(o) for o in refused] == [CreateTable, AlterColumn, DropTable]


def test_renames_are_parsed_or_refused_with_the_syntax() -> None:
    renames = parse_renames(["a.b:c", "old:new"], no_more=True)
    assert renames == Renames({"old": "new"}, {("a", "b"): "c"}, no_more=True)
    for bad in ("a.b", "a.b:c.d", ":x", "x:"):
        with pytest.raises(MigrationError, match=r"table\.old_column:new_column"):
            parse_renames([bad])


def test_a_default_only_change_is_an_alter_with_no_sql() -> None:
    from covet.migrations.schema_editor import dialect_for_vendor, editor_for

    old, new = Column("n", "IntegerField"), Column("n", "IntegerField", default=5)
    (operation,) = detect_changes(state(Table("t", [ID, old])), state(Table("t", [ID, new])))
    assert isinstance(operation, AlterColumn)
    for vendor in ("sqlite", "postgresql", "mysql"):
        editor = editor_for(dialect_for_vendor(vendor))
        if vendor != "sqlite":  # (SQLite rebuilds the table: harmless, and the same rows)
            assert editor.alter_column(Table("t", [ID, old]), old, new) == []
    assert RenameColumn("t", "a", "b").render() == 'RenameColumn("t", "a", "b")'
    assert RenameTable("a", "b").render() == 'RenameTable("a", "b")'
    assert Column("c", "TextField", references=("t", "id")).render() == (
        'Column("c", "TextField", references=("t", "id"))'
    )
    assert source(("x",)) == '("x",)'
    assert source('say "hi"\n') == '"say \\"hi\\"\\n"'


def test_a_new_not_null_column_needs_a_default_to_fill_existing_rows() -> None:
    before = state(Table("t", [ID]))
    after = state(Table("t", [ID, Column("n", "IntegerField")]))
    with pytest.raises(MigrationError, match=r"t\.n is new and NOT NULL without a default"):
        detect_changes(before, after)
    filled = state(Table("t", [ID, Column("n", "IntegerField", default=0)]))
    assert [type(o) for o in detect_changes(before, filled)] == [AddColumn]
    # In a new table there are no rows to fill.
    assert [type(o) for o in detect_changes(ProjectState(), after)] == [CreateTable]
