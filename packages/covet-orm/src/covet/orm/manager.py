"""The Manager: ``User.objects``, where every query of a model starts.

A Manager holds no state of its own beyond its model: each method makes a fresh
:class:`~covet.orm.queryset.QuerySet` and calls the same method on it, so
``User.objects.filter(age__gte=18)`` is ``QuerySet(User).filter(age__gte=18)``.

It is a *descriptor*: ``Model`` declares ``objects = Manager()`` once, and reading
``User.objects`` (``__get__``) hands out a Manager bound to ``User``. Subclass it to add
query methods of your own, or to narrow :meth:`Manager.get_queryset`::

    class ActiveManager(Manager["User"]):
        def get_queryset(self) -> QuerySet["User"]:
            return super().get_queryset().filter(active=True)

    class User(Model):
        active = BooleanField(default=True)
        objects = Manager()
        active_users = ActiveManager()
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from covet.orm.expressions import Aggregate, Expression, OrderBy, Q
from covet.orm.queryset import QuerySet
from covet.orm.raw import RawQuerySet

if TYPE_CHECKING:
    from covet.orm.models import Model

__all__ = ["Manager"]

M = TypeVar("M", bound="Model")
#: The model class a Manager is read from (``User.objects`` -> ``Manager[User]``).
Owner = TypeVar("Owner", bound="Model")


class Manager(Generic[M]):
    """``Model.objects``: where queries start. Subclass it to add your own query methods.

    Each method starts a fresh :class:`QuerySet` (see :meth:`get_queryset`), so
    ``User.objects.filter(...)`` is ``QuerySet(User).filter(...)``.
    """

    def __init__(self) -> None:
        self.model: type[M] | None = None

    @overload
    def __get__(self, instance: None, owner: type[Owner]) -> Manager[Owner]: ...
    @overload
    def __get__(self, instance: object, owner: type[Any]) -> Manager[M]: ...
    def __get__(self, instance: object, owner: type[Any]) -> Manager[Any]:
        if instance is not None:
            raise AttributeError("a Manager is reached through the model class: User.objects")
        bound = type(self).__new__(type(self))
        bound.__dict__.update(self.__dict__)
        bound.model = owner
        return bound

    def get_queryset(self) -> QuerySet[M]:
        """The QuerySet every other method starts from; override to narrow it."""
        assert self.model is not None
        return QuerySet(self.model)

    def raw(self, sql: str, params: Sequence[Any] = ()) -> RawQuerySet[M]:
        """Run your own SELECT and get instances back (see :class:`RawQuerySet`)."""
        assert self.model is not None
        return RawQuerySet(self.model, sql, params)

    # The QuerySet API, one line each.
    def all(self) -> QuerySet[M]:
        return self.get_queryset()

    def filter(self, *conditions: Q, **lookups: Any) -> QuerySet[M]:
        return self.get_queryset().filter(*conditions, **lookups)

    def exclude(self, *conditions: Q, **lookups: Any) -> QuerySet[M]:
        return self.get_queryset().exclude(*conditions, **lookups)

    def order_by(self, *names: str | OrderBy) -> QuerySet[M]:
        return self.get_queryset().order_by(*names)

    def distinct(self) -> QuerySet[M]:
        return self.get_queryset().distinct()

    def select_related(self, *names: str) -> QuerySet[M]:
        return self.get_queryset().select_related(*names)

    def prefetch_related(self, *names: str) -> QuerySet[M]:
        return self.get_queryset().prefetch_related(*names)

    async def explain(self) -> str:
        return await self.get_queryset().explain()

    def select_for_update(self) -> QuerySet[M]:
        return self.get_queryset().select_for_update()

    def annotate(self, **annotations: Expression) -> QuerySet[M]:
        return self.get_queryset().annotate(**annotations)

    def values(self, *names: str) -> QuerySet[dict[str, Any]]:
        return self.get_queryset().values(*names)

    def values_list(self, *names: str, flat: bool = False) -> QuerySet[Any]:
        return self.get_queryset().values_list(*names, flat=flat)

    async def get(self, *conditions: Q, **lookups: Any) -> M:
        return await self.get_queryset().get(*conditions, **lookups)

    async def first(self) -> M | None:
        return await self.get_queryset().first()

    async def last(self) -> M | None:
        return await self.get_queryset().last()

    async def count(self) -> int:
        return await self.get_queryset().count()

    async def exists(self) -> bool:
        return await self.get_queryset().exists()

    async def aggregate(self, *aggregates: Aggregate, **named: Expression) -> dict[str, Any]:
        return await self.get_queryset().aggregate(*aggregates, **named)

    async def in_bulk(
        self, id_list: Iterable[Any] | None = None, *, field_name: str = "pk"
    ) -> dict[Any, M]:
        return await self.get_queryset().in_bulk(id_list, field_name=field_name)

    async def update(self, **values: Any) -> int:
        return await self.get_queryset().update(**values)

    # No delete() here, as in Django: deleting every row takes an explicit .all().delete().

    async def create(self, **values: Any) -> M:
        return await self.get_queryset().create(**values)

    async def bulk_create(self, objs: Iterable[M], *, batch_size: int | None = None) -> list[M]:
        return await self.get_queryset().bulk_create(objs, batch_size=batch_size)

    async def bulk_update(
        self, objs: Iterable[M], fields: Sequence[str], *, batch_size: int | None = None
    ) -> int:
        return await self.get_queryset().bulk_update(objs, fields, batch_size=batch_size)

    async def get_or_create(
        self, defaults: dict[str, Any] | None = None, **lookups: Any
    ) -> tuple[M, bool]:
        return await self.get_queryset().get_or_create(defaults, **lookups)

    async def update_or_create(
        self, defaults: dict[str, Any] | None = None, **lookups: Any
    ) -> tuple[M, bool]:
        return await self.get_queryset().update_or_create(defaults, **lookups)
