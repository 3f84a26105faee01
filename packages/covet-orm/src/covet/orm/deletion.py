"""Deletion: what ``on_delete`` means, and who enforces it.

The database does the work wherever it can: every ForeignKey column gets a ``FOREIGN KEY
... ON DELETE`` constraint (``schema.py``), so CASCADE and SET_NULL happen inside the one
DELETE statement, atomically, on SQLite, PostgreSQL and MySQL alike, and even for rows
deleted with raw SQL. PROTECT and RESTRICT become ``ON DELETE RESTRICT``: the database
refuses too, but its error names a constraint, not your rows.

So before a DELETE that could be refused, the ORM looks first (:func:`check_deletable`):
for each ForeignKey pointing at the model with PROTECT or RESTRICT, and down every CASCADE
chain that could reach one, one query finds the referencing rows; if there are any, a
:class:`~covet.orm.errors.ProtectedError` (or ``RestrictedError``) names them and nothing is
deleted. Models that no such rule can reach skip the check: their delete is one statement.

:func:`delete_rows` is that path (``QuerySet.delete()`` and ``Model.delete()`` end in it);
:func:`delete_each` is the one ``QuerySet.delete()`` takes when delete signals have
receivers: each row is deleted as an instance, with its signals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from covet.orm.compiler import SQLCompiler
from covet.orm.errors import FieldError, ProtectedError, RestrictedError
from covet.orm.queryset import QuerySet, database_for
from covet.orm.relations import CASCADE, PROTECT, RESTRICT, SET_NULL
from covet.orm.transactions import atomic

if TYPE_CHECKING:
    from covet.orm.models import Model

__all__ = ["check_deletable", "delete_each", "delete_rows", "is_guarded"]

#: How many referencing rows a ProtectedError lists.
MAX_REPORTED = 20


def is_guarded(model: type[Model], seen: set[type[Model]] | None = None) -> bool:
    """Could deleting rows of ``model`` be refused by a PROTECT or RESTRICT rule?"""
    seen = set() if seen is None else seen
    if model in seen:
        return False
    seen.add(model)
    for field in model._meta.related_objects:
        assert field.model is not None
        if field.on_delete in (PROTECT, RESTRICT):
            return True
        if field.on_delete == CASCADE and is_guarded(field.model, seen):
            return True
    return False


async def check_deletable(model: type[Model], keys: list[Any]) -> None:
    """Raise ProtectedError/RestrictedError if deleting these rows of ``model`` is refused."""
    if not keys:
        return
    for field in model._meta.related_objects:
        assert field.model is not None
        if field.on_delete == SET_NULL:
            continue
        referencing: QuerySet[Any] = QuerySet(field.model).filter(**{f"{field.name}__in": keys})
        if field.on_delete in (PROTECT, RESTRICT):
            found = await referencing.order_by("pk")[:MAX_REPORTED].all()
            if found:
                error = ProtectedError if field.on_delete == PROTECT else RestrictedError
                shown = ", ".join(repr(obj) for obj in found)
                raise error(
                    f"cannot delete {model.__name__} (pk {', '.join(map(str, keys[:20]))}): "
                    f"{field.label} has on_delete={field.on_delete} and these rows point at "
                    f"it: {shown}. Nothing was deleted; delete or change them first",
                    found,
                )
        elif is_guarded(field.model):
            await check_deletable(field.model, await referencing.values_list("pk", flat=True))


async def delete_rows(queryset: QuerySet[Any]) -> int:
    """``DELETE`` the rows of ``queryset`` in one statement, PROTECT/RESTRICT checked first."""
    database, dialect = await database_for(queryset.model)
    sql, params = SQLCompiler(queryset.query, dialect).delete()
    if not is_guarded(queryset.model):
        return (await database.execute(sql, params)).rowcount
    async with atomic(database):
        keys = await queryset.values_list("pk", flat=True)
        await check_deletable(queryset.model, keys)
        return (await database.execute(sql, params)).rowcount


async def delete_each(queryset: QuerySet[Any]) -> int:
    """Delete the rows of ``queryset`` one by one, so each instance gets its signals."""
    if queryset.query.is_sliced:
        raise FieldError("delete() cannot be used on a sliced query")
    model = queryset.model
    query = queryset.query.clone()
    query.values_fields = None  # whatever values() said, the rows become instances
    async with atomic(model._meta.database):
        instances: list[Model] = await QuerySet(model, query).select_for_update().all()
        for obj in instances:
            await obj.delete()
    return len(instances)
