"""Raw SQL that comes back as model instances: ``User.objects.raw(sql, params)``.

The ORM cannot say everything SQL can (window functions, CTEs, vendor features). For those,
write the SELECT yourself and let the model turn its rows into instances, each value through
its field's ``from_db`` as for any query. Nothing is added to your SQL; the parameters are
bound, as everywhere else.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from covet.orm.errors import FieldError
from covet.orm.hydration import row_loader
from covet.orm.queryset import database_for

if TYPE_CHECKING:
    from covet.orm.models import Model

__all__ = ["RawQuerySet"]

M = TypeVar("M", bound="Model")


class RawQuerySet(Generic[M]):
    """``User.objects.raw(sql, params)``: your SQL, hydrated into model instances.

    The SQL is sent as written (placeholders in the database's style: ``?`` on SQLite,
    ``%s`` on PostgreSQL and MySQL), with ``params`` bound. It must select the model's
    columns in declaration order (``SELECT *`` on a table made by ``schema.py`` does).
    """

    def __init__(self, model: type[M], sql: str, params: Sequence[Any] = ()) -> None:
        self.model = model
        self.raw_sql = sql
        self.params = list(params)

    def __repr__(self) -> str:
        return f"<RawQuerySet of {self.model.__name__}: {self.raw_sql}>"

    def __await__(self) -> Generator[Any, None, list[M]]:
        return self._fetch_all().__await__()

    async def _fetch_all(self) -> list[M]:
        database, dialect = await database_for(self.model)
        rows = await database.fetch_all(self.raw_sql, self.params)
        fields = self.model._meta.fields
        load = row_loader(self.model, fields, dialect)
        instances = []
        for row in rows:
            if len(row) != len(fields):
                names = ", ".join(field.column for field in fields)
                raise FieldError(
                    f"raw() rows have {len(row)} columns; {self.model.__name__} needs "
                    f"{len(fields)}, in this order: {names}"
                )
            instances.append(load(row))
        return instances
