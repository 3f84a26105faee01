"""QuerySet: the query API of a model, lazy until awaited.

``User.objects`` (a :class:`~covet.orm.manager.Manager`) starts a :class:`QuerySet`. Methods that
*describe* a query (``filter``, ``exclude``, ``order_by``, ``values``, ``annotate``, slicing...)
return a new QuerySet at once, without touching the database, so they chain::

    adults = User.objects.filter(age__gte=18).exclude(name="Bob").order_by("-age")[:10]

Methods that *run* it are coroutines: ``await adults.all()`` (or ``await adults``) gives a
list, ``await adults.count()`` an int, ``async for user in adults`` streams rows from a
server-side cursor. Each run compiles the Query for the database's dialect
(``compiler.py``) and hands ``(sql, params)`` to :class:`~covet.orm.database.Database`.

Rows come back as model instances, or, after ``values()`` / ``values_list()``, as dicts,
tuples or single values. Every value goes through its field's ``from_db``, so a datetime is
a datetime on every backend.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Generator, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from covet.orm import signals
from covet.orm.compiler import SQLCompiler
from covet.orm.database import Database, get_database
from covet.orm.dialects import Dialect, PostgreSQLDialect, dialect_for
from covet.orm.errors import FieldError, IntegrityError
from covet.orm.expressions import Aggregate, Expression, OrderBy, Q
from covet.orm.query import Query
from covet.orm.schema import ensure_table
from covet.orm.transactions import atomic

if TYPE_CHECKING:
    from covet.orm.fields import Field
    from covet.orm.models import Model

__all__ = ["QuerySet", "database_for"]

T = TypeVar("T")

#: get() fetches at most this many rows to report "more than one" without loading a table.
MAX_GET_RESULTS = 21
#: ``async for`` reads this many rows per round trip (and prefetches per this many rows).
STREAM_CHUNK_SIZE = 500


async def database_for(model: type[Model]) -> tuple[Database, Dialect]:
    """The model's database and its dialect; on the embedded default, its table too."""
    database = get_database(model._meta.database)
    dialect = await dialect_for(database)
    await ensure_table(model, database)
    return database, dialect


class QuerySet(Generic[T]):
    """A lazy, chainable query over one model; ``T`` is what each row becomes."""

    def __init__(self, model: type[Model], query: Query | None = None) -> None:
        if model._meta.abstract:
            raise TypeError(f"{model.__name__} is abstract: it has no table to query")
        self.model = model
        self.query = query if query is not None else Query(model)
        #: "model" (instances), "dict" (values()), "tuple" or "flat" (values_list()).
        self.row_kind = "model"
        #: Rows already known (a relation's prefetched rows): awaiting returns them, no query.
        self.result_cache: list[Any] | None = None
        #: For the N+1 guard: the call that would load these rows up front.
        self.fix_hint: str | None = None

    def __repr__(self) -> str:
        return f"<QuerySet of {self.model.__name__}: {self.sql(PostgreSQLDialect())[0]}>"

    def _chain(self, row_kind: str | None = None) -> QuerySet[Any]:
        clone: QuerySet[Any] = QuerySet(self.model, self.query.clone())
        clone.row_kind = row_kind or self.row_kind
        clone.fix_hint = self.fix_hint
        return clone

    def _check_not_sliced(self, method: str) -> None:
        if self.query.is_sliced:
            raise TypeError(f"cannot use {method}() once a slice has been taken")

    def sql(self, dialect: Dialect) -> tuple[str, list[Any]]:
        """The SELECT this QuerySet would run on ``dialect``: for reading and for tests."""
        return SQLCompiler(self.query, dialect).select()

    # --- building (each returns a new QuerySet) -------------------------------------------

    def all(self) -> QuerySet[T]:
        """A copy of this QuerySet; ``await qs.all()`` returns the list of rows."""
        return self._chain()

    def filter(self, *conditions: Q, **lookups: Any) -> QuerySet[T]:
        """Keep the rows matching every condition: ``filter(age__gte=18, name="Ann")``."""
        return self._filter(Q(*conditions, **lookups), "filter")

    def exclude(self, *conditions: Q, **lookups: Any) -> QuerySet[T]:
        """Drop the rows matching all the conditions (rows with NULL there are kept)."""
        return self._filter(~Q(*conditions, **lookups), "exclude")

    def _filter(self, q: Q, method: str) -> QuerySet[T]:
        self._check_not_sliced(method)
        clone = self._chain()
        clone.query.add_q(q)
        return clone

    def order_by(self, *names: str | OrderBy) -> QuerySet[T]:
        """Sort by fields, ``-name`` for descending; replaces any earlier order."""
        self._check_not_sliced("order_by")
        clone = self._chain()
        clone.query.add_ordering(names)
        return clone

    def distinct(self) -> QuerySet[T]:
        """``SELECT DISTINCT``: identical rows once (useful with ``values()``)."""
        clone = self._chain()
        clone.query.distinct = True
        return clone

    def select_related(self, *names: str) -> QuerySet[T]:
        """Load single-valued relations in the same query, by JOIN: ``select_related("author")``.

        Paths nest: ``select_related("author__profile")``. Each loaded instance is then
        reachable without I/O (``post.author.name``).
        """
        clone = self._chain()
        clone.query.add_select_related(names)
        return clone

    def prefetch_related(self, *names: str) -> QuerySet[T]:
        """Load relations of any kind after the rows, with one ``IN`` query per path level.

        ``prefetch_related("tags", "comments__author")`` runs the posts' query, then one
        for the tags, one for the comments and one for the comments' authors, whatever
        the number of posts. ``await post.tags.all()`` then returns them without a query.
        """
        from covet.orm.loading import check_prefetch_path

        for name in names:
            check_prefetch_path(self.model, name)
        clone = self._chain()
        clone.query.prefetch += [name for name in names if name not in clone.query.prefetch]
        return clone

    async def explain(self) -> str:
        """The database's plan for this query (``EXPLAIN``; SQLite: ``EXPLAIN QUERY PLAN``)."""
        database, dialect = await database_for(self.model)
        sql, params = SQLCompiler(self.query, dialect).select()
        rows = await database.fetch_all(f"{dialect.explain_prefix} {sql}", params)
        return "\n".join(
            " ".join("" if value is None else str(value) for value in row) for row in rows
        )

    def select_for_update(self) -> QuerySet[T]:
        """Lock the selected rows until the transaction ends (``FOR UPDATE``).

        On PostgreSQL and MySQL other transactions wait to change (or lock) these rows. SQLite
        has no row locks and adds nothing: there a writing transaction already holds the
        whole database, so the effect (nobody changes the rows meanwhile) is the same.
        Use it inside ``atomic()``; outside, the lock ends with the statement.
        """
        clone = self._chain()
        clone.query.select_for_update = True
        return clone

    def annotate(self, **annotations: Expression) -> QuerySet[T]:
        """Add computed values: ``annotate(n=Count("id"))``, ``annotate(next=F("age") + 1)``.

        After ``values("age")``, an aggregate is computed per distinct ``age`` (GROUP BY).
        """
        clone = self._chain()
        clone.query.add_annotations(annotations)
        return clone

    def values(self, *names: str) -> QuerySet[dict[str, Any]]:
        """Rows as dicts of the named fields (all fields when no name is given)."""
        clone = self._chain("dict")
        clone.query.set_values(names)
        return clone

    @overload
    def values_list(self, name: str, /, *, flat: bool) -> QuerySet[Any]: ...
    @overload
    def values_list(self, *names: str) -> QuerySet[tuple[Any, ...]]: ...
    def values_list(self, *names: str, flat: bool = False) -> QuerySet[Any]:
        """Rows as tuples; with ``flat=True`` and one name, the bare values."""
        if flat and len(names) != 1:
            raise TypeError("values_list(flat=True) takes exactly one field name")
        clone = self._chain("flat" if flat else "tuple")
        clone.query.set_values(names)
        return clone

    @overload
    def __getitem__(self, index: int) -> Coroutine[Any, Any, T]: ...
    @overload
    def __getitem__(self, index: slice) -> QuerySet[T]: ...
    def __getitem__(self, index: int | slice) -> QuerySet[T] | Coroutine[Any, Any, T]:
        """``qs[10:20]`` -> LIMIT 10 OFFSET 10 (lazy); ``await qs[3]`` -> one row or IndexError."""
        if isinstance(index, slice):
            start, stop = index.start, index.stop
            if index.step not in (None, 1):
                raise ValueError("QuerySet slicing does not support a step")
            if (start is not None and start < 0) or (stop is not None and stop < 0):
                raise ValueError("negative indexing is not supported on a QuerySet")
            clone = self._chain()
            clone.query.set_limits(start, stop)
            return clone
        if not isinstance(index, int) or isinstance(index, bool):
            raise TypeError(f"QuerySet indices must be ints or slices, not {type(index).__name__}")
        if index < 0:
            raise ValueError("negative indexing is not supported on a QuerySet")
        return self._one_at(index)

    async def _one_at(self, index: int) -> T:
        rows = await self[index : index + 1].all()
        if not rows:
            raise IndexError(f"{self.model.__name__} query has no row at index {index}")
        return rows[0]

    # --- running: rows ----------------------------------------------------------------------

    def __await__(self) -> Generator[Any, None, list[T]]:
        """``await qs``: the list of rows (the same as ``await qs.all()``)."""
        return self._fetch_all().__await__()

    async def _fetch_all(self) -> list[T]:
        if self.result_cache is not None:
            return list(self.result_cache)
        from covet.orm.loading import prefetch_related_objects, row_converter
        from covet.orm.tracking import fix_hint

        database, dialect = await database_for(self.model)
        sql, params = SQLCompiler(self.query, dialect).select()
        convert = row_converter(self, dialect)
        with fix_hint(self.fix_hint):
            rows = [convert(row) for row in await database.fetch_all(sql, params)]
        if self.query.prefetch and self.row_kind == "model":
            await prefetch_related_objects(rows, self.query.prefetch)
        return rows

    def __aiter__(self) -> AsyncIterator[T]:
        """``async for row in qs``: the same as ``async for row in qs.iterator()``."""
        return self.iterator()

    def iterator(self, chunk_size: int = STREAM_CHUNK_SIZE) -> AsyncIterator[T]:
        """Stream the rows from a server-side cursor, ``chunk_size`` at a time.

        Memory stays flat however many rows there are. With ``prefetch_related``, the
        related rows are loaded once per chunk (one ``IN`` query per level and chunk), as
        Django's ``iterator(chunk_size=...)`` does.
        """
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
        from covet.orm.loading import stream

        return stream(self, chunk_size)

    async def get(self, *conditions: Q, **lookups: Any) -> T:
        """The one row matching: else ``Model.DoesNotExist`` / ``Model.MultipleObjectsReturned``."""
        queryset = self.filter(*conditions, **lookups) if conditions or lookups else self[:]
        # filter() (or [:]) made a copy that only this call sees, so the limit may go on it in
        # place: slicing would copy the query once more, for nothing, on every get().
        queryset.query.set_limits(None, MAX_GET_RESULTS)  # as [:MAX_GET_RESULTS]
        rows = await queryset  # awaited as it is: no copy by .all()
        if len(rows) == 1:
            return rows[0]
        name = self.model.__name__
        where = f" ({', '.join(f'{k}={v!r}' for k, v in lookups.items())})" if lookups else ""
        if not rows:
            raise self.model.DoesNotExist(f"no {name} matches the query{where}")
        count = "more than 20" if len(rows) == MAX_GET_RESULTS else str(len(rows))
        raise self.model.MultipleObjectsReturned(
            f"get() expected one {name} but found {count}{where}"
        )

    async def first(self) -> T | None:
        """The first row (by primary key unless ordered), or None."""
        queryset = self if self.query.order_by else self.order_by("pk")
        rows = await queryset[:1].all()
        return rows[0] if rows else None

    async def last(self) -> T | None:
        """The last row (by primary key unless ordered), or None."""
        self._check_not_sliced("last")
        clone = self._chain() if self.query.order_by else self.order_by("pk")
        clone.query.order_by = [order.reversed() for order in clone.query.order_by]
        rows = await clone[:1].all()
        return rows[0] if rows else None

    async def in_bulk(
        self, id_list: Iterable[Any] | None = None, *, field_name: str = "pk"
    ) -> dict[Any, T]:
        """``{key: instance}`` for the given keys (or every row), keyed by a unique field."""
        field = self.model._meta.get_field(field_name)
        if not (field.primary_key or field.unique):
            raise FieldError(f"in_bulk() needs a unique field; {field.label} is not unique")
        queryset: QuerySet[Any] = self
        if id_list is not None:
            keys = list(id_list)
            if not keys:
                return {}
            queryset = self.filter(**{f"{field_name}__in": keys})
        return {getattr(obj, field.name): obj for obj in await queryset.all()}

    # --- running: numbers -----------------------------------------------------------------

    async def count(self) -> int:
        """``SELECT COUNT(*)``: how many rows match."""
        database, dialect = await database_for(self.model)
        row = await database.fetch_one(*SQLCompiler(self.query, dialect).count())
        return int(row[0]) if row else 0

    async def exists(self) -> bool:
        """Whether any row matches (the database stops at the first one)."""
        database, dialect = await database_for(self.model)
        return await database.fetch_one(*SQLCompiler(self.query, dialect).exists()) is not None

    async def aggregate(self, *aggregates: Aggregate, **named: Expression) -> dict[str, Any]:
        """``aggregate(Sum("age"), oldest=Max("age"))`` -> ``{"age__sum": 90, "oldest": 40}``."""
        expressions: dict[str, Expression] = {a.default_alias(): a for a in aggregates}
        expressions.update(named)
        if not expressions:
            raise TypeError("aggregate() needs at least one aggregate")
        resolved = {}
        for alias, expression in expressions.items():
            resolved[alias] = expression.resolve(self.query)
            if not resolved[alias].contains_aggregate:
                raise TypeError(f"aggregate({alias}=...) needs an aggregate, got {expression!r}")
        database, dialect = await database_for(self.model)
        row = await database.fetch_one(*SQLCompiler(self.query, dialect).aggregate(resolved))
        assert row is not None  # an aggregate query always returns one row
        return {
            alias: expression.convert(value, dialect)
            for (alias, expression), value in zip(resolved.items(), row, strict=True)
        }

    # --- running: changes -----------------------------------------------------------------

    async def update(self, **values: Any) -> int:
        """``UPDATE ... SET``: values are validated; ``F()`` expressions run in the database.

        Returns the number of rows matched.
        """
        if not values:
            raise TypeError("update() needs at least one field=value")
        meta = self.model._meta
        assignments: list[tuple[Field, Any]] = []
        # Expressions are resolved on a copy: a refused F("author__name") must not leave its
        # JOIN behind in this QuerySet's query.
        scratch = self.query.clone()
        for name, value in values.items():
            field = meta.get_field(name)
            if isinstance(value, Expression):
                given, value = value, value.resolve(scratch)
                # UPDATE ... SET has no JOIN and no GROUP BY: such a value would be invalid
                # SQL on every backend, so it is refused here, naming the field.
                if value.contains_aggregate:
                    raise FieldError(
                        f"{meta.label}: update({name}={given!r}) cannot use an aggregate"
                    )
                if value.uses_join:
                    raise FieldError(
                        f"{meta.label}: update({name}={given!r}) can only read columns of "
                        f"{meta.label}'s own table, not of a related model"
                    )
            else:
                value = field.clean(value)
            assignments.append((field, value))
        database, dialect = await database_for(self.model)
        result = await database.execute(*SQLCompiler(self.query, dialect).update(assignments))
        return result.rowcount

    async def delete(self) -> int:
        """``DELETE`` the matching rows; returns how many were deleted.

        When the model has ``pre_delete``/``post_delete`` receivers, the rows are read first
        and deleted one by one, each with its signals, in one transaction (``signals.py``).
        """
        from covet.orm.deletion import delete_each

        # --- signals (signals.py): per-row pre_delete/post_delete, only if someone listens ---
        if signals.pre_delete.has_receivers(self.model) or signals.post_delete.has_receivers(
            self.model
        ):
            return await delete_each(self)
        # --- end of signals ---
        return await self.delete_rows()

    async def delete_rows(self) -> int:
        """``DELETE`` the matching rows in one statement, sending no signals.

        Rows pointing at them follow their ``on_delete`` rule. PROTECT and RESTRICT are
        checked first (also through CASCADE chains): a ProtectedError/RestrictedError names
        the referencing rows, and nothing is deleted (``deletion.py``).
        """
        from covet.orm.deletion import delete_rows

        return await delete_rows(self)

    async def create(self, **values: Any) -> T:
        """Make an instance, validate it, INSERT it; returns it with its primary key set."""
        obj = self.model(**values)
        await obj.save()
        return obj  # type: ignore[return-value]

    async def bulk_create(self, objs: Iterable[T], *, batch_size: int | None = None) -> list[T]:
        """INSERT many instances with few statements (validated first).

        Primary keys are set where the database returns them (PostgreSQL, SQLite >= 3.35,
        MariaDB >= 10.5); on MySQL, as in Django, they stay None.
        """
        instances: list[Any] = list(objs)
        for obj in instances:
            if not isinstance(obj, self.model):
                raise TypeError(f"bulk_create() takes {self.model.__name__} instances, not {obj!r}")
        # bulk.py holds every batched write (it imports this module, hence the late import).
        from covet.orm.bulk import insert_instances

        await insert_instances(self.model, instances, batch_size=batch_size)
        return instances

    async def bulk_update(
        self, objs: Iterable[T], fields: Sequence[str], *, batch_size: int | None = None
    ) -> int:
        """UPDATE ``fields`` of each instance, in one transaction; returns rows matched."""
        from covet.orm.bulk import update_instances

        return await update_instances(self.model, list(objs), fields, batch_size=batch_size)

    async def get_or_create(
        self, defaults: dict[str, Any] | None = None, **lookups: Any
    ) -> tuple[T, bool]:
        """The row matching ``lookups``, or a new one made from them plus ``defaults``.

        Returns ``(instance, created)``. If another task creates the same row in the meantime
        (a unique field refuses ours), the existing row is returned instead.
        """
        try:
            return await self.get(**lookups), False
        except self.model.DoesNotExist:
            pass
        values = {key: value for key, value in lookups.items() if "__" not in key}
        values.update(defaults or {})
        try:
            # A savepoint: inside an outer transaction, the failed INSERT must not spoil it.
            async with atomic(self.model._meta.database):
                return await self.create(**values), True
        except IntegrityError:
            try:
                return await self.get(**lookups), False
            except self.model.DoesNotExist:
                pass
            raise

    async def update_or_create(
        self, defaults: dict[str, Any] | None = None, **lookups: Any
    ) -> tuple[T, bool]:
        """Update the row matching ``lookups`` with ``defaults``, or create it.

        The row is locked (``select_for_update``) between reading and writing it.
        """
        defaults = defaults or {}
        async with atomic(self.model._meta.database):
            try:
                obj: Any = await self.select_for_update().get(**lookups)
            except self.model.DoesNotExist:
                return await self.get_or_create(defaults, **lookups)
            for name, value in defaults.items():
                self.model._meta.get_field(name)
                setattr(obj, name, value)
            await obj.save()
            return obj, False
