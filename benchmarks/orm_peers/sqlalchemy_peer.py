"""SQLAlchemy 2's async ORM: mapped classes and an ``AsyncSession`` per operation.

As its documentation does it: ``create_async_engine`` (``sqlite+aiosqlite``,
``postgresql+psycopg``), ``async_sessionmaker(expire_on_commit=False)``, one session per
unit of work (a request, in an application), ``select()`` for reads, ``joinedload`` for the
JOIN, an ORM bulk ``insert()`` with a list of dicts for the insert (no objects are made and
no keys are read back, where CovetPy's ``bulk_create`` validates each instance and reads its
key back) and an ORM-enabled ``update()`` for the UPDATE.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ForeignKey, String, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, joinedload, mapped_column, relationship

from benchmarks.orm_peers.base import NewAuthor, OrmPeer, Target

__all__ = ["Author", "Book", "SQLAlchemyPeer"]


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "author"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(255))
    age: Mapped[int]


class Book(Base):
    __tablename__ = "book"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    pages: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"))
    author: Mapped[Author] = relationship()


class SQLAlchemyPeer(OrmPeer):
    name = "sqlalchemy"
    title = "SQLAlchemy 2 (async ORM)"

    def __init__(self) -> None:
        self.engine: AsyncEngine | None = None

    async def open(self, target: Target) -> None:
        scheme = "sqlite+aiosqlite" if target.vendor == "sqlite" else "postgresql+psycopg"
        self.engine = create_async_engine(target.url(scheme))
        self.session = async_sessionmaker(self.engine, expire_on_commit=False)

    async def close(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()
            self.engine = None

    async def get_by_pk(self, key: int) -> Any:
        async with self.session() as session:
            return await session.get(Author, key)

    async def filter_rows(self, age: int) -> Sequence[Any]:
        async with self.session() as session:
            return (await session.scalars(select(Author).where(Author.age == age))).all()

    async def fetch_rows(self, last_id: int) -> Sequence[Any]:
        async with self.session() as session:
            return (await session.scalars(select(Author).where(Author.id <= last_id))).all()

    async def select_related(self, last_id: int) -> Sequence[Any]:
        query = select(Book).options(joinedload(Book.author)).where(Book.id <= last_id)
        async with self.session() as session:
            return (await session.scalars(query)).all()

    async def bulk_insert(self, rows: Sequence[NewAuthor]) -> None:
        # SQLAlchemy's bulk path ("ORM Bulk INSERT Statements"): a list of dicts, one
        # executemany. session.add_all() of 1,000 objects, the unit-of-work path, took about
        # 30 times longer on aiosqlite and 3 times longer on psycopg in this suite.
        values = [{"name": name, "email": email, "age": age} for name, email, age in rows]
        async with self.session() as session, session.begin():
            await session.execute(insert(Author), values)

    async def update_rows(self, last_id: int) -> int:
        statement = update(Book).where(Book.id <= last_id).values(pages=Book.pages + 1)
        async with self.session() as session, session.begin():
            result = await session.execute(statement)
        return int(result.rowcount)  # type: ignore[attr-defined]
