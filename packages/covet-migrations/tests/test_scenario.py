"""The whole life of a schema, on SQLite, PostgreSQL and MariaDB.

Seven versions of the models, one after the other: each change is autodetected, written as a
migration file, applied; then the introspected schema must equal the models exactly, and the
rows written before must still be there. The many-to-many table links a pair once (its
unique-together pair refuses a second row). Then the migrations are rolled back one at a time,
down to zero: after each, the introspected schema must equal the models of the version
before, and the rows must have survived (the values of a dropped column are gone: it comes
back holding its default). At the end everything is applied again from the files.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from covet.migrations import (
    MigrationRunner,
    ProjectState,
    check,
    introspect,
    load_migrations,
    make_migration,
    parse_renames,
    state_from_models,
)
from covet.orm.database import Database
from covet.orm.errors import IntegrityError
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


def v7() -> Models:  # two columns dropped: one with a default, one NOT NULL without one
    class Author(Model):
        __tablename__ = "author"
        name = CharField(max_length=100)

    class Tag(Model):
        __tablename__ = "tag"
        name = CharField(max_length=50, unique=True)

    class Book(Model):
        __tablename__ = "book"
        author = ForeignKey(Author, on_delete=CASCADE)
        tags = ManyToManyField(Tag, related_name="books")

    return [Author, Tag, Book]


async def rows(database: Database, sql: str) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in await database.fetch_all(sql))


async def assert_a_pair_links_once(database: Database) -> None:
    """The through table's unique-together pair refuses a second row for (book 1, tag 1)."""
    with pytest.raises(IntegrityError):
        await database.execute("INSERT INTO book_tags (book_id, tag_id) VALUES (1, 1)")


async def test_a_schema_evolves_rolls_back_to_zero_and_is_rebuilt(
    database: Database,
    migrations_dir: Path,
    schema_drift: Callable[[ProjectState], Awaitable[list[str]]],
) -> None:
    async def assert_schema_is(models: Models) -> None:
        assert await schema_drift(state_from_models(models)) == []
        assert await check(models, migrations_dir, database) == []

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
        if version is v7:
            # book.title is NOT NULL without a default: to roll its drop back, the rows need
            # a value. The file says which, written in before it is applied.
            text = path.read_text()
            assert 'DropColumn("book", "title")' in text
            path.write_text(
                text.replace(
                    'DropColumn("book", "title")',
                    'DropColumn("book", "title", reverse_default="(untitled)")',
                )
            )
        assert make_migration(models, migrations_dir) is None  # nothing left to detect
        runner = MigrationRunner(database, load_migrations(migrations_dir))
        assert [s.migration.name for s in await runner.apply()] == [path.stem]
        await assert_schema_is(models)

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
            assert 'unique_together=[("book_id", "tag_id")]' in path.read_text()
            await database.execute(f"INSERT INTO tag (name) VALUES ({p})", ["poetry"])
            await database.execute(
                f"INSERT INTO book_tags (book_id, tag_id) VALUES ({p}, {p})", [1, 1]
            )
            await assert_a_pair_links_once(database)
        else:
            assert await rows(database, "SELECT id, name FROM author") == [(1, "Ada"), (2, "Bob")]
            assert await rows(database, "SELECT book_id, tag_id FROM book_tags") == [(1, 1)]
            assert await rows(database, "SELECT id, author_id FROM book") == [(1, 1)]

    runner = MigrationRunner(database, load_migrations(migrations_dir))
    unknown = "unknown@example.com"
    for number in range(len(steps), 0, -1):
        target = f"{number - 1:04d}" if number > 1 else "zero"
        undone = await runner.rollback(target)
        assert [s.migration.name[:4] for s in undone] == [f"{number:04d}"]
        if number == 1:
            break
        assert await schema_drift(state_from_models(steps[number - 2][0]())) == []
        authors = await rows(database, "SELECT id, name FROM author")
        assert authors == [(1, "Ada"), (2, "Bob")]
        if number >= 5:  # contact: dropped by 0007, so back with its default for every row
            assert await rows(database, "SELECT contact FROM author") == [(unknown,), (unknown,)]
        elif number >= 3:  # 0004 renamed contact back to email, values kept
            assert await rows(database, "SELECT email FROM author") == [(unknown,), (unknown,)]
        if number >= 3:  # book.title: dropped by 0007, back with the migration's value
            assert await rows(database, "SELECT title, author_id FROM book") == [("(untitled)", 1)]
        if number == 7:
            assert await rows(database, "SELECT book_id, tag_id FROM book_tags") == [(1, 1)]
    assert await introspect(database) == {}
    assert await runner.applied() == {}

    again = await runner.apply()
    assert len(again) == 7
    await assert_schema_is(v7())
    await database.execute("INSERT INTO author (name) VALUES ('Ada')")
    await database.execute("INSERT INTO book (author_id) VALUES (1)")  # v7 has no title
    await database.execute("INSERT INTO tag (name) VALUES ('poetry')")
    await database.execute("INSERT INTO book_tags (book_id, tag_id) VALUES (1, 1)")
    await assert_a_pair_links_once(database)
    assert list(await runner.applied()) == [s.migration.name for s in again]
