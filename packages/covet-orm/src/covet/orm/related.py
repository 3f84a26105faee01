"""Relations on an instance: what ``post.author``, ``author.posts`` and ``post.tags`` return.

``relations.py`` declares relations (the fields); this module is what they give back when
read from an instance:

- :class:`RelatedRef`: a single relation that no query loaded (``post.author`` before any
  ``select_related``/``prefetch_related``/``fetch()``);
- :class:`RelatedManager`: the rows pointing at an instance (``author.posts``);
- :class:`ManyRelatedManager`: the rows linked through a many-to-many table (``post.tags``).

What a query loaded is kept per instance in :func:`related_cache`; nothing here runs a query
unless it is awaited.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any

from covet.orm import errors
from covet.orm.query import key_of
from covet.orm.queryset import QuerySet
from covet.orm.transactions import atomic

if TYPE_CHECKING:
    from covet.orm.models import Model
    from covet.orm.relations import ForeignKey, ManyToManyField, OneToOneField

__all__ = [
    "ManyRelatedManager",
    "RelatedManager",
    "RelatedRef",
    "ReverseManyDescriptor",
    "ReverseManyToManyDescriptor",
    "ReverseOneDescriptor",
    "related_cache",
]

_CACHE = "_related_cache"
MISSING: Any = object()


def related_cache(instance: Model) -> dict[str, Any]:
    """The relations loaded on ``instance``: name -> instance, None, or a list."""
    cache: dict[str, Any] = instance.__dict__.setdefault(_CACHE, {})
    return cache


class RelatedRef:
    """A relation that is not loaded: its key is known, its row is not.

    ``ref.pk`` (and ``ref.id``) is the key; ``await ref.fetch()`` loads the row with one
    query and remembers it; any other attribute raises NotLoadedError with the ways to load it.
    """

    __slots__ = ("_hint", "_key", "_label", "_loader")

    def __init__(
        self,
        label: str,
        key: Any,
        loader: Callable[[], Coroutine[Any, Any, Any]],
        hint: str,
    ) -> None:
        self._label = label
        self._key = key
        self._loader = loader
        self._hint = hint

    def __repr__(self) -> str:
        return f"<RelatedRef {self._label} (not loaded), pk={self._key!r}>"

    @property
    def pk(self) -> Any:
        if self._key is MISSING:
            raise errors.NotLoadedError(self.message(".pk cannot be read"))
        return self._key

    @property
    def id(self) -> Any:
        return self.pk

    async def fetch(self) -> Any:
        """Load the related row (one query), remember it on the instance, and return it."""
        from covet.orm.tracking import fix_hint

        with fix_hint(self._hint):
            return await self._loader()

    def message(self, consequence: str) -> str:
        """The NotLoadedError text: what failed (``consequence``) and the ways to load it."""
        return (
            f"{self._label} is not loaded, so {consequence} (CovetPy runs no "
            f"hidden queries): load it in the query with {self._hint}, or with "
            f"`await {self._label.lower()}.fetch()` (one query)"
        )

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        raise errors.NotLoadedError(self.message(f".{attribute} cannot be read"))


class ReverseManyDescriptor:
    """``author.posts``: a RelatedManager over the posts whose ``author`` is this author."""

    def __init__(self, field: ForeignKey) -> None:
        self.field = field

    def __get__(self, instance: Model | None, owner: type[Any]) -> Any:
        if instance is None:
            return self
        return RelatedManager(instance, self.field)


class ReverseOneDescriptor:
    """``author.profile``: the one row pointing here, when loaded; a RelatedRef otherwise."""

    def __init__(self, field: OneToOneField) -> None:
        self.field = field

    def __get__(self, instance: Model | None, owner: type[Any]) -> Any:
        if instance is None:
            return self
        name = self.field.accessor_name
        cache = related_cache(instance)
        if name in cache:
            return cache[name]
        label = f"{type(instance).__name__}.{name}"
        return RelatedRef(
            label,
            MISSING,
            lambda: self.fetch_for(instance),
            f"{type(instance).__name__}.objects.select_related({name!r}) or "
            f".prefetch_related({name!r})",
        )

    async def fetch_for(self, instance: Model) -> Any:
        """The related row, or None when there is none."""
        assert self.field.model is not None
        queryset: QuerySet[Any] = QuerySet(self.field.model)
        obj = await queryset.filter(**{self.field.name: instance.pk}).first()
        related_cache(instance)[self.field.accessor_name] = obj
        return obj


def _loaded(instance: Model, name: str) -> list[Any]:
    """The rows ``prefetch_related(name)`` stored on ``instance``, or NotLoadedError."""
    cached = related_cache(instance).get(name)
    if cached is None:
        model = type(instance).__name__
        raise errors.NotLoadedError(
            f"{model}.{name} is not loaded (CovetPy runs no hidden queries): load it in the "
            f"query with {model}.objects.prefetch_related({name!r}), or read it with "
            f"`await {model.lower()}.{name}.all()` (one query)"
        )
    return list(cached)


class _RelatedRows:
    """What both related managers share: the rows of ``model`` whose ``lookup`` is
    ``instance``'s key, cached under ``name`` when ``prefetch_related`` loaded them."""

    instance: Model
    model: type[Model]
    name: str
    lookup: str

    def _queryset(self) -> QuerySet[Any]:
        queryset: QuerySet[Any] = QuerySet(self.model).filter(**{self.lookup: self.instance.pk})
        queryset.fix_hint = (
            f"{type(self.instance).__name__}.objects.prefetch_related({self.name!r})"
        )
        return queryset

    def all(self) -> QuerySet[Any]:
        queryset = self._queryset()
        cached = related_cache(self.instance).get(self.name)
        if cached is not None:
            queryset.result_cache = list(cached)
        return queryset

    def loaded(self) -> list[Any]:
        """The prefetched rows, without a query; NotLoadedError if none were prefetched."""
        return _loaded(self.instance, self.name)

    def filter(self, *conditions: Any, **lookups: Any) -> QuerySet[Any]:
        return self._queryset().filter(*conditions, **lookups)


class RelatedManager(_RelatedRows):
    """The rows of another model that point at ``instance``: ``author.posts``.

    ``all()`` gives the prefetched rows (no query) when ``prefetch_related`` loaded them.
    """

    def __init__(self, instance: Model, field: ForeignKey) -> None:
        if instance.pk is None:
            raise errors.OrmError(
                f"save the {type(instance).__name__} before using .{field.accessor_name}"
            )
        assert field.model is not None
        self.instance = instance
        self.field = field
        self.model = field.model
        self.name, self.lookup = field.accessor_name, field.name

    def exclude(self, *conditions: Any, **lookups: Any) -> QuerySet[Any]:
        return self._queryset().exclude(*conditions, **lookups)

    async def count(self) -> int:
        return await self._queryset().count()

    async def create(self, **values: Any) -> Any:
        """A new related row pointing at ``instance``."""
        return await QuerySet(self.model).create(**{self.field.name: self.instance, **values})


class ReverseManyToManyDescriptor:
    """``tag.posts``: the other side of a ManyToManyField."""

    def __init__(self, field: ManyToManyField) -> None:
        self.field = field

    def __get__(self, instance: Model | None, owner: type[Any]) -> Any:
        if instance is None:
            return self
        return ManyRelatedManager(instance, self.field, reverse=True)


class ManyRelatedManager(_RelatedRows):
    """``post.tags``: the rows linked to ``instance`` through the through table."""

    def __init__(self, instance: Model, field: ManyToManyField, *, reverse: bool) -> None:
        if instance.pk is None:
            raise errors.OrmError(
                f"save the {type(instance).__name__} before using its many-to-many relations"
            )
        assert field.through is not None
        assert field.model is not None
        self.instance = instance
        self.through = field.through
        if reverse:
            self.model = field.model
            self.name = field.accessor_name
            self.lookup = field.name
            self.own_key, self.other_key = field.target_fk, field.source_fk
        else:
            self.model = field.to
            self.name = field.name
            self.lookup = field.accessor_name
            self.own_key, self.other_key = field.source_fk, field.target_fk

    def _links(self) -> QuerySet[Any]:
        return QuerySet(self.through).filter(**{self.own_key.name: self.instance.pk})

    async def add(self, *objs: Any) -> None:
        """Link ``objs`` (instances or keys); links that exist already are left alone."""
        keys = list(dict.fromkeys([key_of(obj) for obj in objs]))
        if not keys:
            return
        other = self.other_key.name
        existing = set(
            await self._links().filter(**{f"{other}__in": keys}).values_list(other, flat=True)
        )
        links = [
            self.through(**{self.own_key.name: self.instance.pk, other: key})
            for key in keys
            if key not in existing
        ]
        through: QuerySet[Any] = QuerySet(self.through)
        await through.bulk_create(links)
        related_cache(self.instance).pop(self.name, None)

    async def remove(self, *objs: Any) -> None:
        """Unlink ``objs`` (instances or keys)."""
        keys = [key_of(obj) for obj in objs]
        await self._links().filter(**{f"{self.other_key.name}__in": keys}).delete()
        related_cache(self.instance).pop(self.name, None)

    async def clear(self) -> None:
        """Unlink every row."""
        await self._links().delete()
        related_cache(self.instance).pop(self.name, None)

    async def set(self, objs: Iterable[Any]) -> None:
        """Link exactly ``objs``: the others are unlinked, in one transaction."""
        keys = [key_of(obj) for obj in objs]
        async with atomic(self.through._meta.database):
            await self._links().exclude(**{f"{self.other_key.name}__in": keys}).delete()
            await self.add(*keys)
