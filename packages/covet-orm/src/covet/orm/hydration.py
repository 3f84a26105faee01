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

__all__ = ["loader_source", "row_loader"]

#: Loaders remembered, one per (model, columns, dialect): a few per model in a program.
LOADER_CACHE_SIZE = 1024


def row_loader(
    model: type[Model], fields: Sequence[Field], dialect: Dialect, start: int = 0
) -> Callable[[Sequence[Any]], Any]:
    """The function building a ``model`` instance from the columns ``fields`` of a row.

    They are the row's columns from ``start`` on; the others are ignored, so each model of
    a ``select_related`` row reads its own columns without the row being sliced.
    """
    return _compiled_loader(model, tuple(fields), dialect, start)


def loader_source(fields: Sequence[Field], dialect: Dialect, start: int = 0) -> str:
    """The Python source of the loader for ``fields``: what :func:`row_loader` compiles.

    For ``Author`` (id, name, email, age: nothing to convert)::

        def load(values):
            instance = new(model)
            instance.__dict__ = {'id': values[0], 'name': values[1],
                                 'email': values[2], 'age': values[3]}
            return instance

    (on one line). A value that needs converting is read as ``from_db_3(values[3],
    dialect)``, with ``from_db_3`` the field's ``from_db``. With ``start=4`` the indexes are
    4 to 7. The names are attribute names, which were checked as plain identifiers when the
    model was defined, and are written as string literals (``repr``) anyway: nothing from a
    row or a request reaches this source.
    """
    items = []
    for index, field in enumerate(fields):
        value = f"values[{start + index}]"
        if not field.db_type_field().read_as_is:
            value = f"from_db_{index}({value}, dialect)"
        items.append(f"{field.attname!r}: {value}")
    return (
        "def load(values):\n"
        "    instance = new(model)\n"
        f"    instance.__dict__ = {{{', '.join(items)}}}\n"
        "    return instance\n"
    )


@functools.lru_cache(maxsize=LOADER_CACHE_SIZE)
def _compiled_loader(
    model: type[Model], fields: tuple[Field, ...], dialect: Dialect, start: int
) -> Callable[[Sequence[Any]], Any]:
    namespace: dict[str, Any] = {"new": model.__new__, "model": model, "dialect": dialect}
    namespace.update({f"from_db_{index}": field.from_db for index, field in enumerate(fields)})
    exec(loader_source(fields, dialect, start), namespace)
    load: Callable[[Sequence[Any]], Any] = namespace["load"]
    return load
