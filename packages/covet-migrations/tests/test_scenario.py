"""The whole life of a schema, on SQLite, PostgreSQL and MariaDB.

Seven versions of the models, one after the other: each change is autodetected, written as a
migration file, applied; then the introspected schema must equal the models exactly, and the
rows written before must still be there. At the end everything is rolled back to zero and
applied again from the files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from covet.migrations import (
    MigrationRunner,
    check,
    expected_schema,
    introspect,
    load_migrations,
    make_migration,
    parse_renames,
    schema_differences,
    state_from_models,
)
from covet.orm.database import Database
from covet.orm.dialects import dialect_for
from covet.orm.fields import CharField
from covet.orm.models import Model
from covet.orm.relations import CASCADE, ForeignKey, ManyToManyField

Models = list[type[Model]]


def v1() -> Models:
    class Author(Model):
        __tablename__ = "author"
        name = CharField(max_length=100)

    return [Author]


def v2() -> Models:  # a new model with a foreign key, and a nullable column
    class Author(Model):
        __tablename__ = "author"
        name = CharField(max_length=100)
        email = CharField(max_length=200, null=True)

    class Book(Model):
        __tablename__ = "book"
        title = CharField(max_length=200)
        author = ForeignKey(Author, on_delete=CASCADE)

    return [Author, Book]


def _book(writer: type[Model], *, indexed: bool) -> type[Model]:
    class Book(Model):
        __tablename__ = "book"
        title = CharField(max_length=200, index=indexed)
        author = ForeignKey(writer, on_delete=CASCADE)

    return Book


def v3() -> Models:  # email becomes NOT NULL, existing NULLs get the default
    class Author(Model):
        __tablename__ = "author"
        name = CharField(max_length=100)
        email = CharField(max_length=200, default="unknown@example.com")

    return [Author, _book(Author, indexed=False)]


def _author_with_contact() -> type[Model]:
    class Author(Model):
        __tablename__ = "author"
        name = CharField(max_length=100)
        contact = CharField(max_length=200, default="unknown@example.com")

    return Author


def v4() -> Models:  # email renamed to contact (said with --rename)
    author = _author_with_contact()
    return [author, _book(author, indexed=False)]


def v5() -> Models:  # an index on book.title
    author = _author_with_contact()
    return [author, _book(author, indexed=True)]


def _tagged_book(writer: type[Model]) -> Models:
    class Tag(Model):
        __tablename__ = "tag"
        name = CharField(max_length=50, unique=True)

    class Book(Model):
        __tablename__ = "book"
        title = CharField(max_length=200, index=True)
        author = ForeignKey(writer, on_delete=CASCADE)
        tags = ManyToManyField(Tag, related_name="books")

    return [Tag, Book]


def v6() -> Models:  # a many-to-many relation (a new model and the through table)
    author = _author_with_contact()
    return [author, *_tagged_book(author)]


def v7() -> Models:  # a column dropped
    class Author(Model):
        __tablename__ = "author"
        name = CharField(max_length=100)

    return [Author, *_tagged_book(Author)]


async def assert_schema_is(database: Database, models: Models, directory: Path) -> None:
    expected = expected_schema(state_from_models(models), await dialect_for(database))
    assert schema_differences(expected, await introspect(database)) == []
    assert await check(models, directory, database) == []


async def rows(database: Database, sql: str) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in await database.fetch_all(sql))


async def test_a_schema_evolves_rolls_back_to_zero_and_is_rebuilt(
    database: Database, migrations_dir: Path
) -> None:
    p = "?" if database.paramstyle == "qmark" else "%s"
    steps: list[tuple[Callable[[], Models], list[str]]] = [
        (v1, []),
        (v2, []),
        (v3, []),
        (v4, ["author.email:contact"]),
        (v5, []),
        (v6, []),
        (v7, []),
    ]
    for number, (version, renames) in enumerate(steps, start=1):
        models = version()
        path = make_migration(models, migrations_dir, renames=parse_renames(renames))
        assert path is not None
        assert path.name.startswith(f"{number:04d}_")
        assert make_migration(models, migrations_dir) is None  # nothing left to detect
        runner = MigrationRunner(database, load_migrations(migrations_dir))
        assert [s.migration.name for s in await runner.apply()] == [path.stem]
        await assert_schema_is(database, models, migrations_dir)

        if version is v1:
            await database.execute(f"INSERT INTO author (name) VALUES ({p})", ["Ada"])
        elif version is v2:
            assert await rows(database, "SELECT name, email FROM author") == [("Ada", None)]
            await database.execute(
                f"INSERT INTO author (name, email) VALUES ({p}, {p})", ["Bob", "bob@example.com"]
            )
            await database.execute(
                f"INSERT INTO book (title, author_id) VALUES ({p}, {p})", ["Notes", 1]
            )
        elif version is v3:
            assert await rows(database, "SELECT name, email FROM author") == [
                ("Ada", "unknown@example.com"),
                ("Bob", "bob@example.com"),
            ]
        elif version in (v4, v5):
            assert await rows(database, "SELECT name, contact FROM author") == [
                ("Ada", "unknown@example.com"),
                ("Bob", "bob@example.com"),
            ]
            assert await rows(database, "SELECT title, author_id FROM book") == [("Notes", 1)]
        elif version is v6:
            await database.execute(f"INSERT INTO tag (name) VALUES ({p})", ["poetry"])
            await database.execute(
                f"INSERT INTO book_tags (book_id, tag_id) VALUES ({p}, {p})", [1, 1]
            )
        else:
            assert await rows(database, "SELECT id, name FROM author") == [(1, "Ada"), (2, "Bob")]
            assert await rows(database, "SELECT book_id, tag_id FROM book_tags") == [(1, 1)]
            assert await rows(database, "SELECT title FROM book") == [("Notes",)]

    runner = MigrationRunner(database, load_migrations(migrations_dir))
    undone = await runner.rollback("zero")
    assert [s.migration.name[:4] for s in undone] == [
        "0007",
        "0006",
        "0005",
        "0004",
        "0003",
        "0002",
        "0001",
    ]
    assert await introspect(database) == {}
    assert await runner.applied() == {}

    again = await runner.apply()
    assert len(again) == 7
    await assert_schema_is(database, v7(), migrations_dir)
    assert list(await runner.applied()) == [s.migration.name for s in again]
