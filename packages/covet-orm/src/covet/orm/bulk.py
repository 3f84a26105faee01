"""Writing many rows in few statements: the INSERTs of ``save()`` and ``bulk_create()``, and
the UPDATEs of ``bulk_update()``.

An INSERT carries many rows (``VALUES (?, ?), (?, ?), ...``, or on PostgreSQL one array per
column: ``Dialect.unnest_types``), batched so that one statement never binds more than the
dialect's ``max_params`` values (999 on MySQL and older SQLite). Rows whose key the database
generates are inserted apart from rows that carry their own key, and the generated keys are
read back where the database can say them: ``RETURNING`` (PostgreSQL, SQLite >= 3.35,
MariaDB >= 10.5), or the driver's ``lastrowid`` for a one-row INSERT (MySQL).
``bulk_update()`` compiles one UPDATE and runs it once per instance with ``executemany``, in
one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from covet.orm.compiler import SQLCompiler, compile_insert
from covet.orm.errors import FieldError, ValidationError
from covet.orm.expressions import Q
from covet.orm.query import Query
from covet.orm.queryset import database_for
from covet.orm.transactions import atomic

if TYPE_CHECKING:
    from covet.orm.database import Database
    from covet.orm.dialects import Dialect
    from covet.orm.fields import Field
    from covet.orm.models import Model

__all__ = ["insert_instances", "update_instances"]


async def insert_instances(
    model: type[Model], instances: Sequence[Model], *, batch_size: int | None = None
) -> None:
    """Validate and INSERT ``instances``; set generated keys where the database reports them."""
    if not instances:
        return
    meta = model._meta
    database, dialect = await database_for(model)
    pk = meta.pk
    # Rows that carry their own key are inserted with it; the others let the database pick.
    with_key = [obj for obj in instances if obj.pk is not None or not pk.auto_generated]
    without_key = [obj for obj in instances if obj.pk is None and pk.auto_generated]
    groups = [
        (group, fields, _cleaned_rows(group, fields, dialect))
        for group, fields in (
            (with_key, meta.fields),
            (without_key, [field for field in meta.fields if field is not pk]),
        )
    ]
    # Every instance is validated (above) before the first row is written.
    for group, fields, rows in groups:
        per_batch = batch_size or max(1, dialect.max_params // max(1, len(fields)))
        for start in range(0, len(group), per_batch):
            batch = group[start : start + per_batch]
            await _insert_batch(
                database,
                dialect,
                batch,
                fields,
                rows[start : start + per_batch],
                group is without_key,
            )


def _cleaned_rows(
    instances: Sequence[Model], fields: Sequence[Field], dialect: Dialect
) -> list[list[Any]]:
    """Validate each instance (as ``full_clean()`` does) and return its row of bound values.

    One pass per value: ``clean`` converts it (and the instance keeps the converted value),
    then ``adapt`` makes the driver's value of it. Calling ``full_clean()`` and then
    ``to_db`` converted every value twice, which was a third of bulk_create's Python time;
    ``to_db`` is ``adapt(to_python(value))`` and ``to_python`` of a cleaned value is the
    value itself, so the row is the same. The only field left out of ``fields`` is an
    auto-generated key whose value is None, which ``clean`` accepts: the checks are the same.
    """
    rows = []
    for obj in instances:
        row = []
        problems: dict[str, list[str]] = {}
        for field in fields:
            name = field.name
            given = getattr(obj, name)
            try:
                value = field.clean(given)
            except ValidationError as exc:
                problems[name] = [exc.message]
                continue
            if value is not given:  # converted ("7" -> 7): the instance keeps the result
                setattr(obj, name, value)
            row.append(None if value is None else field.adapt(value, dialect))
        if problems:
            raise ValidationError.from_problems(obj._meta.label, problems)
        rows.append(row)
    return rows


async def _insert_batch(
    database: Database,
    dialect: Dialect,
    batch: Sequence[Model],
    fields: Sequence[Field],
    rows: Sequence[Sequence[Any]],
    needs_key: bool,
) -> None:
    model = type(batch[0])
    pk = model._meta.pk
    returning = pk if needs_key else None
    sql, params = compile_insert(model, fields, rows, dialect, returning=returning)
    result = await database.execute(sql, params)
    if needs_key:
        if dialect.supports_returning:
            # An auto-generated key is a whole number, which every driver returns as an int
            # (``read_as_is``): stored as it comes, without a from_db() call per row.
            read_as_is = pk.db_type_field().read_as_is
            for obj, row in zip(batch, result.rows, strict=True):
                setattr(obj, pk.name, row[0] if read_as_is else pk.from_db(row[0], dialect))
        elif len(batch) == 1:
            batch[0].pk = result.lastrowid
    for obj in batch:
        obj._persisted = True


async def update_instances(
    model: type[Model],
    instances: Sequence[Any],
    fields: Sequence[str],
    *,
    batch_size: int | None = None,
) -> int:
    """UPDATE ``fields`` of each instance, in one transaction; returns rows matched."""
    meta = model._meta
    targets = [meta.get_field(name) for name in fields]
    if not targets or any(field.primary_key for field in targets):
        raise FieldError("bulk_update() needs field names, and not the primary key")
    if any(obj.pk is None for obj in instances):
        raise FieldError("bulk_update() needs instances that have a primary key")
    if not instances:
        return 0
    for obj in instances:
        obj.full_clean([field.name for field in targets])
    database, dialect = await database_for(model)
    assignments = [(field, None) for field in targets]
    query = Query(model)
    query.add_q(Q(pk=instances[0].pk))
    sql, _ = SQLCompiler(query, dialect).update(assignments)
    seq_of_params = [
        [field.to_db(getattr(obj, field.name), dialect) for field in targets]
        + [meta.pk.to_db(obj.pk, dialect)]
        for obj in instances
    ]
    per_batch = batch_size or len(seq_of_params)
    total = 0
    async with atomic(database):
        for start in range(0, len(seq_of_params), per_batch):
            result = await database.execute_many(sql, seq_of_params[start : start + per_batch])
            total += result.rowcount
    return total
