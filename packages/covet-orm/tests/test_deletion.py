"""deletion.py: each on_delete rule, with the same result on SQLite, PostgreSQL and MariaDB.

A small library: a Shelf's books go with it (CASCADE), an Editor's books lose their editor
(SET_NULL), a reviewer cannot go while a book names them (RESTRICT), a Book on loan cannot go
(PROTECT). The blog's own rules are tested in test_relations.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from covet.orm import (
    CASCADE,
    PROTECT,
    RESTRICT,
    SET_NULL,
    CharField,
    Database,
    ForeignKey,
    IntegrityError,
    Model,
    ProtectedError,
    RestrictedError,
    create_tables,
    get_database,
)


class Shelf(Model):
    __tablename__ = "lib_shelf"
    name = CharField(max_length=30)


class Editor(Model):
    __tablename__ = "lib_editor"
    name = CharField(max_length=30)


class Book(Model):
    __tablename__ = "lib_book"
    title = CharField(max_length=30)
    shelf = ForeignKey(Shelf, on_delete=CASCADE, related_name="books")
    editor = ForeignKey(Editor, on_delete=SET_NULL, null=True, related_name="edited")
    reviewer = ForeignKey(Editor, on_delete=RESTRICT, null=True, related_name="reviewed")


class Loan(Model):
    __tablename__ = "lib_loan"
    book = ForeignKey(Book, on_delete=PROTECT, related_name="loans")


@pytest.fixture
async def library(database: Database) -> dict[str, Any]:
    await create_tables(database, Shelf, Editor, Book, Loan)
    shelf = await Shelf.objects.create(name="A")
    eve = await Editor.objects.create(name="Eve")
    rex = await Editor.objects.create(name="Rex")
    lent = await Book.objects.create(title="Lent", shelf=shelf, editor=eve, reviewer=rex)
    free = await Book.objects.create(title="Free", shelf=shelf, editor=eve)
    loan = await Loan.objects.create(book=lent)
    return {"shelf": shelf, "eve": eve, "rex": rex, "lent": lent, "free": free, "loan": loan}


async def counts() -> tuple[int, int, int, int]:
    return (
        await Shelf.objects.count(),
        await Editor.objects.count(),
        await Book.objects.count(),
        await Loan.objects.count(),
    )


async def test_on_delete_cascade_and_set_null(library: dict[str, Any]) -> None:
    await library["loan"].delete()
    await library["eve"].delete()
    assert await Book.objects.filter(editor__isnull=True).count() == 2  # SET_NULL
    await Book.objects.filter(title="Lent").update(reviewer=None)
    await library["shelf"].delete()
    assert await counts() == (0, 1, 0, 0)  # CASCADE took both books


async def test_protect_and_restrict_refuse_and_leave_every_row(library: dict[str, Any]) -> None:
    before = await counts()
    with pytest.raises(ProtectedError) as protected:
        await library["lent"].delete()
    assert "cannot delete Book" in str(protected.value)
    assert "Loan.book has on_delete=PROTECT" in str(protected.value)
    assert protected.value.objects == [library["loan"]]
    # Through a CASCADE: the shelf's books would go, and one of them is on loan.
    with pytest.raises(ProtectedError, match=r"Loan\.book has on_delete=PROTECT"):
        await library["shelf"].delete()
    with pytest.raises(
        RestrictedError, match=r"Book\.reviewer has on_delete=RESTRICT"
    ) as restricted:
        await Editor.objects.filter(name="Rex").delete()
    assert [b.title for b in restricted.value.objects] == ["Lent"]
    assert await counts() == before
    assert library["lent"].pk is not None
    await library["free"].delete()  # nothing points at it: deleted
    assert await Book.objects.count() == 1


async def test_the_database_enforces_protect_too(library: dict[str, Any]) -> None:
    db = get_database()
    table = "`lib_book`" if db.vendor == "mysql" else '"lib_book"'
    with pytest.raises(IntegrityError):
        await db.execute(f"DELETE FROM {table}")
    assert await Book.objects.count() == 2
