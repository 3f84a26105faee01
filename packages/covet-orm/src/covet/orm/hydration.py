"""Hydration: how a row (a tuple from the driver) becomes a model instance, fast.

Every query that returns instances turns each of its rows into one, so this is the loop an
ORM spends its time in: for 500 rows, turning them into objects can cost as much as
reading them from the database. :func:`row_loader` returns the function that does it for
one model and one list of columns; the QuerySet calls it once per row.

What it does, per row, is only what differs from row to row. Everything else is decided
once per query shape, here:

1. **Which values need converting.** Text and numbers arrive from every driver as the
   Python value already (``Field.read_as_is``); only dates, booleans on SQLite, JSON...
   go through the field's ``from_db``. That removes one Python call per value.
2. **How the instance is made.** ``Model.__new__`` and one ``__dict__``, given whole:
   no ``__init__`` (the row is the truth: no defaults to fill, nothing to validate), no
   ``setattr`` per field (for a ForeignKey, the raw key goes straight to ``author_id``,
   which is all ``ForeignKey.__set__`` stores for a key).
3. **The loop body itself is written for the columns.** The loader is Python source,
   compiled once per model, column list and dialect (and remembered), so that building
   the ``__dict__`` is a dict display, ``{"id": values[0], "name": values[1], ...}``,
   rather than ``dict(zip(names, values))``: about half the time per row, because no
   ``zip`` iterator is made and the dict is created at its final size. ``dataclasses``
   writes each ``__init__`` the same way.
4. **select_related instances come from the same call.** A book's loader also builds its
   author (with the author's own loader, from the author's columns of the same row) and
   puts it in the book's related cache, inside the same dict display: no per-row lookup
   of where the author's columns are or which instance it hangs on.

``loader_source(...)`` shows the source for a model; ``tests/test_hydration.py`` checks
that every kind of field comes back the same as through ``Field.from_db``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from covet.orm.dialects import Dialect
    from covet.orm.fields import Field
    from covet.orm.models import Model

__all__ = ["Related", "loader_source", "row_loader"]

#: Loaders remembered, one per model, columns, dialect and select_related: a few per model.
LOADER_CACHE_SIZE = 1024


#: A ``select_related`` instance to build from the same row: (relation name, index of its
#: key in the row, its own loader).
Related = tuple[str, int, Callable[[Sequence[Any]], Any]]


def row_loader(
    model: type[Model],
    fields: Sequence[Field],
    dialect: Dialect,
    start: int = 0,
    related: Sequence[Related] = (),
) -> Callable[[Sequence[Any]], Any]:
    """The function building a ``model`` instance from the columns ``fields`` of a row.

    They are the row's columns from ``start`` on; the others are ignored, so each model of
    a ``select_related`` row reads its own columns without the row being sliced. Each of
    ``related`` is built by its loader from the same row (None when its key is NULL: a LEFT
    JOIN that found nothing) and kept in the instance's related cache, where
    ``post.author`` finds it (``related.py``).
    """
    return _compiled_loader(model, tuple(fields), dialect, start, tuple(related))


def loader_source(
    fields: Sequence[Field], dialect: Dialect, start: int = 0, related: Sequence[Related] = ()
) -> str:
    """The Python source of the loader for ``fields``: what :func:`row_loader` compiles.

    For ``Author`` (id, name, email, age: nothing to convert)::

        def load(values):
            instance = new(model)
            instance.__dict__ = {'id': values[0], 'name': values[1],
                                 'email': values[2], 'age': values[3]}
            return instance

    (on one line). A value that needs converting is read as ``from_db_3(values[3],
    dialect)``, with ``from_db_3`` the field's ``from_db``. With ``start=4`` the indexes are
    4 to 7. For ``Book.objects.select_related("author")`` the book's dict also holds its
    related cache, ``'_related_cache': {'author': None if values[4] is None else
    related_0(values)}``, with ``related_0`` the author's loader. The names are attribute
    names, which were checked as plain identifiers when the model was defined, and are
    written as string literals (``repr``) anyway: nothing from a row or a request reaches
    this source.
    """
    items = []
    for index, field in enumerate(fields):
        value = f"values[{start + index}]"
        if not field.db_type_field().read_as_is:
            value = f"from_db_{index}({value}, dialect)"
        items.append(f"{field.attname!r}: {value}")
    if related:
        from covet.orm.related import _CACHE  # the attribute related_cache() reads

        loaded = [
            f"{name!r}: None if values[{key_index}] is None else related_{number}(values)"
            for number, (name, key_index, _) in enumerate(related)
        ]
        items.append(f"{_CACHE!r}: {{{', '.join(loaded)}}}")
    return (
        "def load(values):\n"
        "    instance = new(model)\n"
        f"    instance.__dict__ = {{{', '.join(items)}}}\n"
        "    return instance\n"
    )


@functools.lru_cache(maxsize=LOADER_CACHE_SIZE)
def _compiled_loader(
    model: type[Model],
    fields: tuple[Field, ...],
    dialect: Dialect,
    start: int,
    related: tuple[Related, ...],
) -> Callable[[Sequence[Any]], Any]:
    namespace: dict[str, Any] = {"new": model.__new__, "model": model, "dialect": dialect}
    namespace.update({f"from_db_{index}": field.from_db for index, field in enumerate(fields)})
    namespace.update({f"related_{number}": load for number, (_, _, load) in enumerate(related)})
    exec(loader_source(fields, dialect, start, related), namespace)
    load: Callable[[Sequence[Any]], Any] = namespace["load"]
    return load
