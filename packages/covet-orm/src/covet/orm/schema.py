"""Schema: ``CREATE TABLE`` for a model, and the embedded default's automatic tables.

:func:`create_table_sql` writes the DDL of a model for one dialect: a column per field
(type from :attr:`Dialect.column_types`, ``NOT NULL`` unless ``null=True``, ``UNIQUE``),
the primary key, a ``UNIQUE (a, b)`` per ``__unique_together__`` entry, a ``FOREIGN KEY`` per
ForeignKey, and an index per ``index=True`` field::

    CREATE TABLE IF NOT EXISTS "users" (
        "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        "name" VARCHAR(100) NOT NULL, ...)

Defaults are not written into the DDL: the model applies them in Python, so a default that
is a function (``default=uuid.uuid4``) works like a constant one.

Real databases get their tables from migrations (covet-migrations builds on this module).
The one exception is the zero-configuration SQLite file (``is_embedded_default``): there,
:func:`ensure_table` creates a model's table on first use and logs one line saying so, so
that a first program runs in an empty folder with nothing to set up.
"""

from __future__ import annotations

import hashlib
import logging
import weakref
from typing import TYPE_CHECKING

from covet.orm.dialects import Dialect, dialect_for

if TYPE_CHECKING:
    from covet.orm.database import Database
    from covet.orm.fields import Field
    from covet.orm.models import Model

__all__ = ["create_table_sql", "create_tables", "drop_table_sql", "drop_tables", "ensure_table"]

logger = logging.getLogger("covet.orm")


def column_sql(field: Field, dialect: Dialect) -> str:
    """One column definition: ``"age" INTEGER NOT NULL``."""
    sql = f"{dialect.quote(field.column)} {dialect.column_type(field.db_type_field())}"
    sql += " NULL" if field.null and not field.primary_key else " NOT NULL"
    if field.primary_key:
        sql += " PRIMARY KEY"
        if field.auto_generated:
            sql += dialect.autoincrement_sql
    elif field.unique:
        sql += " UNIQUE"
    return sql


def is_foreign_key(field: Field) -> bool:
    from covet.orm.relations import ForeignKey

    return isinstance(field, ForeignKey)


def foreign_key_sql(field: Field, dialect: Dialect) -> str:
    """``FOREIGN KEY ("author_id") REFERENCES "author" ("id") ON DELETE CASCADE``.

    A table constraint, not a column clause: MySQL ignores ``REFERENCES`` written on a column.
    """
    from covet.orm.relations import ON_DELETE_SQL, ForeignKey

    assert isinstance(field, ForeignKey)
    target = field.target._meta
    return (
        f"FOREIGN KEY ({dialect.quote(field.column)}) REFERENCES "
        f"{dialect.quote(target.table_name)} ({dialect.quote(target.pk.column)}) "
        f"ON DELETE {ON_DELETE_SQL[field.on_delete]}"
    )


def constraint_name(table: str, column: str, suffix: str) -> str:
    """``users_email_key``: a named index or constraint, shortened with a hash when over
    PostgreSQL's 63 characters (so the same table and column always give the same name)."""
    name = f"{table}_{column}_{suffix}"
    if len(name) > 63:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[: 53 - len(suffix)]}_{digest}_{suffix}"
    return name


def index_name(table: str, column: str) -> str:
    """``users_age_idx``: the name of a column's index."""
    return constraint_name(table, column, "idx")


def create_table_sql(
    model: type[Model], dialect: Dialect, *, if_not_exists: bool = True
) -> list[str]:
    """The statements that create ``model``'s table and indexes, in order."""
    meta = model._meta
    table = dialect.quote(meta.table_name)
    columns = [column_sql(field, dialect) for field in meta.fields]
    indexed = [f for f in meta.fields if f.index and not f.unique and not f.primary_key]
    if dialect.indexes_in_create_table:
        # MySQL has no CREATE INDEX IF NOT EXISTS; an index declared in the table is created
        # (or not) with it.
        columns += [
            f"INDEX {dialect.quote(index_name(meta.table_name, f.column))} "
            f"({dialect.quote(f.column)})"
            for f in indexed
        ]
        indexed = []
    columns += [
        f"UNIQUE ({', '.join(dialect.quote(meta.get_field(name).column) for name in names)})"
        for names in meta.unique_together
    ]
    columns += [foreign_key_sql(field, dialect) for field in meta.fields if is_foreign_key(field)]
    exists = " IF NOT EXISTS" if if_not_exists else ""
    statements = [
        f"CREATE TABLE{exists} {table} ({', '.join(columns)}){dialect.create_table_suffix()}"
    ]
    for field in indexed:
        name = dialect.quote(index_name(meta.table_name, field.column))
        statements.append(f"CREATE INDEX{exists} {name} ON {table} ({dialect.quote(field.column)})")
    return statements


def drop_table_sql(model: type[Model], dialect: Dialect) -> str:
    """``DROP TABLE IF EXISTS`` for ``model``'s table."""
    return f"DROP TABLE IF EXISTS {dialect.quote(model._meta.table_name)}"


async def create_tables(database: Database, *models: type[Model]) -> None:
    """Create the tables of ``models`` in ``database`` (those that exist are left alone)."""
    dialect = await dialect_for(database)
    for model in models:
        # A many-to-many field's automatic through table comes right after its model.
        for table_model in (model, *auto_through_models(model)):
            for statement in create_table_sql(table_model, dialect):
                await database.execute(statement)


def auto_through_models(model: type[Model]) -> list[type[Model]]:
    """The through tables ``model``'s ManyToManyFields made for themselves."""
    return [m2m.through for m2m in model._meta.many_to_many if m2m.auto_created and m2m.through]


async def drop_tables(database: Database, *models: type[Model]) -> None:
    """Drop the tables of ``models`` from ``database`` if they exist."""
    dialect = await dialect_for(database)
    for model in models:
        for table_model in (*auto_through_models(model), model):
            await database.execute(drop_table_sql(table_model, dialect))


# Tables already checked, per embedded database: the check runs once per table per process.
_ensured: weakref.WeakKeyDictionary[Database, set[str]] = weakref.WeakKeyDictionary()


async def ensure_table(model: type[Model], database: Database) -> None:
    """On the embedded default database only: create ``model``'s table if it is missing."""
    if not database.is_embedded_default:
        return
    checked = _ensured.setdefault(database, set())
    table = model._meta.table_name
    if table in checked:
        return
    row = await database.fetch_one(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
    )
    if row is None:
        await create_tables(database, model)
        logger.warning(
            "covet.orm: created table %r in the embedded SQLite database %s; "
            "this happens only with no database configured (real databases use migrations)",
            table,
            database.url.path,
        )
    checked.add(table)
