"""Loading: rows into objects, and relations up front (``select_related``, ``prefetch_related``).

:func:`row_converter` is where a row of the SELECT becomes what the QuerySet yields: an
instance (with its annotations and ``select_related`` instances), a dict, a tuple or a value.
:func:`stream` does the same for ``async for``, a chunk of rows at a time.

``select_related("author__profile")`` adds JOINs and columns to the one SELECT
(``query.py``); :func:`instance_loader` makes the function that cuts each row into the
instances and hangs each on its parent (``hydration.py`` writes it). ``prefetch_related``
runs one more query per level instead, for relations of any kind:

``Post.objects.prefetch_related("tags", "comments__author")`` runs, after the posts' own
SELECT:

1. the tags: one query on the through table, JOINed to the tags
   (``... WHERE post_id IN (1, 2, 3)``), grouped per post;
2. the comments: ``SELECT ... FROM comment WHERE post_id IN (1, 2, 3)``, grouped per post;
3. the comments' authors: ``SELECT ... FROM author WHERE id IN (...)``, the keys of step 2.

Each result is stored on its instance (``related.related_cache``), where the descriptor
(``post.author``) or manager (``post.tags.all()``) finds it without a query. A level shared
by two paths (``"comments"``, ``"comments__author"``) is loaded once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from covet.orm.compiler import SQLCompiler
from covet.orm.errors import FieldError
from covet.orm.hydration import row_loader
from covet.orm.query import LOOKUP_SEPARATOR, Query, RelatedSelection
from covet.orm.queryset import QuerySet, database_for
from covet.orm.related import (
    ReverseManyDescriptor,
    ReverseManyToManyDescriptor,
    ReverseOneDescriptor,
    related_cache,
)
from covet.orm.relations import ForeignKey, ManyToManyField

if TYPE_CHECKING:
    from covet.orm.dialects import Dialect
    from covet.orm.models import Model

__all__ = [
    "check_prefetch_path",
    "instance_loader",
    "prefetch_related_objects",
    "row_converter",
    "stream",
]


def row_converter(queryset: QuerySet[Any], dialect: Dialect) -> Callable[[Sequence[Any]], Any]:
    """A function turning one raw row into what ``queryset`` yields."""
    query = queryset.query
    if queryset.row_kind == "model":  # the usual case: ask nothing of the other kinds
        return instance_loader(queryset.model, query, dialect)
    items = query.select_items()
    names = [name for name, _ in items]
    converters = [expression.convert for _, expression in items]
    # A row may end with columns the compiler added for ORDER BY (DISTINCT): not read.
    width = len(items)

    def values(row: Sequence[Any]) -> list[Any]:
        return [
            convert(value, dialect) for convert, value in zip(converters, row[:width], strict=True)
        ]

    if queryset.row_kind == "dict":
        return lambda row: dict(zip(names, values(row), strict=True))
    if queryset.row_kind == "tuple":
        return lambda row: tuple(values(row))
    return lambda row: converters[0](row[0], dialect)  # "flat"


async def stream(queryset: QuerySet[Any], chunk_size: int) -> AsyncIterator[Any]:
    """``async for``: rows from a server-side cursor, ``chunk_size`` per round trip.

    With ``prefetch_related``, rows are held back until a chunk is full, its relations are
    loaded (one query per level), then the chunk is yielded: memory holds one chunk, and
    the number of queries is one per level and chunk instead of one per row. (Inside
    ``atomic()`` on MySQL, the one connection cannot run the prefetch queries while its
    cursor streams, so the rest of the rows is read into memory first.)
    """
    if queryset.result_cache is not None:  # a relation's prefetched rows: no query
        for obj in queryset.result_cache:
            yield obj
        return
    database, dialect = await database_for(queryset.model)
    sql, params = SQLCompiler(queryset.query, dialect).select()
    convert = row_converter(queryset, dialect)
    prefetch = queryset.query.prefetch if queryset.row_kind == "model" else []
    chunk: list[Any] = []
    async with aclosing(database.iterate(sql, params, chunk_size=chunk_size)) as rows:
        async for row in rows:
            if not prefetch:
                yield convert(row)
                continue
            chunk.append(convert(row))
            if len(chunk) == chunk_size:
                await prefetch_related_objects(chunk, prefetch)
                for obj in chunk:
                    yield obj
                chunk = []
    if chunk:
        await prefetch_related_objects(chunk, prefetch)
        for obj in chunk:
            yield obj


def check_prefetch_path(model: type[Model], path: str) -> None:
    """Raise FieldError unless every name of ``path`` is a relation (checked at the call)."""
    for name in path.split(LOOKUP_SEPARATOR):
        hops = model._meta.relations.get(name)
        if hops is None:
            raise FieldError(
                f"{model.__name__} has no relation {name!r} to prefetch; choices are: "
                f"{', '.join(model._meta.relations)}"
            )
        model = hops[-1].to_model


async def prefetch_related_objects(instances: list[Any], paths: list[str]) -> None:
    """Load ``paths`` for ``instances`` (all of one model), one query per new level."""
    done: dict[tuple[str, ...], list[Any]] = {}
    for path in paths:
        level = instances
        parts = path.split(LOOKUP_SEPARATOR)
        for index in range(len(parts)):
            key = tuple(parts[: index + 1])
            if key not in done:
                done[key] = await _prefetch_one(level, parts[index]) if level else []
            level = done[key]


async def _prefetch_one(objs: list[Any], name: str) -> list[Any]:
    """Load relation ``name`` of ``objs``; returns the loaded rows (the next level)."""
    model = type(objs[0])
    descriptor = getattr(model, name)
    cache = related_cache
    if isinstance(descriptor, ForeignKey):
        keys = {obj.__dict__[descriptor.attname] for obj in objs} - {None}
        targets: QuerySet[Any] = QuerySet(descriptor.target)
        found = await targets.filter(pk__in=list(keys)).all() if keys else []
        by_key = {row.pk: row for row in found}
        for obj in objs:
            cache(obj)[name] = by_key.get(obj.__dict__[descriptor.attname])
        return found
    if isinstance(descriptor, ReverseManyDescriptor | ReverseOneDescriptor):
        field = descriptor.field
        assert field.model is not None
        related: QuerySet[Any] = QuerySet(field.model)
        rows = await related.filter(**{f"{field.name}__in": _pks(objs)}).all()
        groups: dict[Any, list[Any]] = defaultdict(list)
        parents = {obj.pk: obj for obj in objs}
        for row in rows:
            key = row.__dict__[field.attname]
            groups[key].append(row)
            cache(row)[field.name] = parents[key]  # comment.post is loaded too
        single = isinstance(descriptor, ReverseOneDescriptor)
        for obj in objs:
            group = groups.get(obj.pk, [])
            cache(obj)[name] = (group[0] if group else None) if single else group
        return rows
    assert isinstance(descriptor, ManyToManyField | ReverseManyToManyDescriptor)
    m2m = descriptor if isinstance(descriptor, ManyToManyField) else descriptor.field
    own, other = (
        (m2m.source_fk, m2m.target_fk)
        if isinstance(descriptor, ManyToManyField)
        else (m2m.target_fk, m2m.source_fk)
    )
    assert m2m.through is not None
    links: list[Any] = (
        await QuerySet(m2m.through)
        .filter(**{f"{own.name}__in": _pks(objs)})
        .select_related(other.name)
        .order_by("pk")
        .all()
    )
    linked: dict[Any, list[Any]] = defaultdict(list)
    unique: dict[Any, Any] = {}
    for link in links:
        target = cache(link)[other.name]
        target = unique.setdefault(target.pk, target)
        linked[link.__dict__[own.attname]].append(target)
    for obj in objs:
        cache(obj)[name] = linked.get(obj.pk, [])
    return list(unique.values())


def _pks(objs: list[Any]) -> list[Any]:
    return [obj.pk for obj in objs]


def instance_loader(
    model: type[Model], query: Query, dialect: Dialect
) -> Callable[[Sequence[Any]], Model]:
    """The function turning one row of ``query`` into a ``model`` instance.

    The row holds the model's columns, then each annotation, then the columns of each
    ``select_related`` model, in the order ``Query.select_items()`` lists them. The
    selected instances are built by the same loader (``hydration.py``), each hung on its
    parent, so a row costs one call per instance and nothing more. Every value is read by
    its index, so columns the compiler adds at the end for ORDER BY (with DISTINCT) are
    simply not read.
    """
    fields = model._meta.fields
    annotations = list(query.annotations.items())
    # Where each selected model's columns start: after the model's own and the annotations.
    starts: dict[tuple[str, ...], int] = {}
    start = len(fields) + len(annotations)
    for selection in query.related_selections:
        starts[selection.path] = start
        start += len(selection.model._meta.fields)
    load = _tree_loader(model, 0, (), query.related_selections, starts, dialect)
    if not annotations:
        return load  # the common case: no per-row work besides the instances themselves
    first_annotation = len(fields)

    def instance(row: Sequence[Any]) -> Model:
        obj: Model = load(row)
        for index, (name, expression) in enumerate(annotations, first_annotation):
            setattr(obj, name, expression.convert(row[index], dialect))
        return obj

    return instance


def _tree_loader(
    model: type[Model],
    start: int,
    path: tuple[str, ...],
    selections: Sequence[RelatedSelection],
    starts: dict[tuple[str, ...], int],
    dialect: Dialect,
) -> Callable[[Sequence[Any]], Any]:
    """The loader of the instance at ``path`` (``()``: the row's model) and its selections."""
    related = []
    for selection in selections:
        if selection.path[:-1] == path:  # selected through this instance: build it here
            meta = selection.model._meta
            child_start = starts[selection.path]
            key_index = child_start + meta.fields.index(meta.pk)
            child = _tree_loader(
                selection.model, child_start, selection.path, selections, starts, dialect
            )
            related.append((selection.path[-1], key_index, child))
    return row_loader(model, model._meta.fields, dialect, start, related)
