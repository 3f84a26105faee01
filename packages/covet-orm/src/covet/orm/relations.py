"""Relations: ForeignKey, OneToOneField, ManyToManyField, and what they add to instances.

::

    class Post(Model):
        author = ForeignKey(Author, on_delete=CASCADE, related_name="posts")
        tags = ManyToManyField(Tag, related_name="posts")

A ``ForeignKey`` is a column (``author_id``) *and* a descriptor:

- ``post.author_id`` is the raw key, always there;
- ``post.author`` is the ``Author`` when a query loaded it (``select_related``,
  ``prefetch_related``, or an earlier ``fetch()``), else a ``RelatedRef`` (``related.py``):
  its ``.pk`` works, ``await post.author.fetch()`` loads it with one query, and any other
  attribute raises
  :class:`~covet.orm.errors.NotLoadedError` saying how to load it. Reading a relation never
  runs a hidden query: in async Python a hidden query cannot even be awaited.

The other side gets an accessor named by ``related_name``: ``author.posts`` is a
``RelatedManager`` (``await author.posts.all()``, ``.filter(...)``, ``.create(...)``).
A ``ManyToManyField`` is no column: it is a through table (made automatically, or a model
given as ``through=``) with one ForeignKey to each side, and ``post.tags`` is a
``ManyRelatedManager`` with ``add``, ``remove``, ``set``, ``clear``, ``all``, ``filter``.

Each relation also registers its *path* on both models (``_meta.relations``): the list of
:class:`PathInfo` hops that ``query.py`` turns into JOINs for ``filter(author__name=...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from covet.orm import errors
from covet.orm.fields import (
    COMPARISON_LOOKUPS,
    AutoField,
    BigAutoField,
    BigIntegerField,
    Field,
    IntegerField,
)
from covet.orm.queryset import QuerySet
from covet.orm.related import (
    MISSING,
    ManyRelatedManager,
    RelatedRef,
    ReverseManyDescriptor,
    ReverseManyToManyDescriptor,
    ReverseOneDescriptor,
    related_cache,
)

if TYPE_CHECKING:
    from covet.orm.models import Model

__all__ = [
    "CASCADE",
    "PROTECT",
    "RESTRICT",
    "SET_NULL",
    "ForeignKey",
    "ManyToManyField",
    "OneToOneField",
    "PathInfo",
]

#: Delete the referencing rows too (the database does it: ``ON DELETE CASCADE``).
CASCADE = "CASCADE"
#: Set the referencing column to NULL (``ON DELETE SET NULL``; the field needs ``null=True``).
SET_NULL = "SET_NULL"
#: Refuse the delete with a ProtectedError (checked by the ORM; ``ON DELETE RESTRICT`` too).
PROTECT = "PROTECT"
#: Refuse the delete with a RestrictedError (checked by the ORM; ``ON DELETE RESTRICT`` too).
RESTRICT = "RESTRICT"
#: Each rule and the ``ON DELETE`` action the table's constraint gets.
ON_DELETE_SQL = {
    CASCADE: "CASCADE",
    SET_NULL: "SET NULL",
    PROTECT: "RESTRICT",
    RESTRICT: "RESTRICT",
}


@dataclass(frozen=True)
class PathInfo:
    """One JOIN hop: rows of ``to_model`` whose ``to_field`` equals ``from_field``."""

    from_model: type[Model]
    to_model: type[Model]
    from_field: Field
    to_field: Field
    #: True when one row on the left may match many on the right (reverse FK, M2M).
    many: bool


class ForeignKey(Field):
    """A many-to-one relation: a column holding the key of a row of ``to``.

    ``on_delete`` is one of CASCADE, SET_NULL (needs ``null=True``), PROTECT, RESTRICT.
    ``related_name`` names the accessor on ``to`` (default ``<model>_set``; ``"+"``: none);
    it is also the name lookups use from that side (``Author.objects.filter(posts__...)``).
    """

    kind = "ForeignKey"
    lookups = COMPARISON_LOOKUPS
    unique_target = False

    def __init__(
        self,
        to: type[Model] | str,
        *,
        on_delete: str,
        related_name: str | None = None,
        **options: Any,
    ) -> None:
        if on_delete not in ON_DELETE_SQL:
            raise ValueError(f"on_delete must be one of {', '.join(ON_DELETE_SQL)}")
        if on_delete == SET_NULL and not options.get("null"):
            raise ValueError("on_delete=SET_NULL needs null=True")
        super().__init__(**options)
        self._to = to
        self.on_delete = on_delete
        self.related_name = related_name

    @property
    def target(self) -> type[Model]:
        """The model this key points at."""
        if isinstance(self._to, str):
            if self._to != "self":
                raise errors.FieldError(f"{self.label}: use the model class or 'self'")
            assert self.model is not None
            return self.model
        return self._to

    @property
    def target_field(self) -> Field:
        return self.target._meta.pk

    @property
    def attname(self) -> str:
        return f"{self.name}_id"

    @property
    def column(self) -> str:
        return self.db_column or self.attname

    @property
    def accessor_name(self) -> str:
        assert self.model is not None
        return self.related_name or f"{self.model.__name__.lower()}_set"

    def db_type_field(self) -> Field:
        """The field whose column type this column takes: the target key, minus AUTOINCREMENT."""
        target = self.target_field
        if isinstance(target, BigAutoField):
            return BigIntegerField()
        if isinstance(target, AutoField):
            return IntegerField()
        return target

    def type_parameters(self) -> dict[str, Any]:
        return self.target_field.type_parameters()

    # --- values: an instance, a RelatedRef or a raw key all become the key ------------------

    def to_python(self, value: Any) -> Any:
        if isinstance(value, RelatedRef):
            value = value.pk
        elif hasattr(type(value), "_meta"):
            if not isinstance(value, self.target):
                raise self.error(f"expected a {self.target.__name__}, got {value!r}")
            if value.pk is None:
                raise self.error(f"save the {self.target.__name__} before referring to it")
            value = value.pk
        return self.target_field.to_python(value)

    def adapt(self, value: Any, dialect: Any) -> Any:
        return self.target_field.adapt(value, dialect)

    def convert(self, value: Any, dialect: Any) -> Any:
        return self.target_field.convert(value, dialect)

    # --- the descriptor: post.author --------------------------------------------------------

    def __get__(self, instance: Model | None, owner: type[Any]) -> Any:
        if instance is None:
            return self
        key = instance.__dict__.get(self.attname)
        cached = related_cache(instance).get(self.name, MISSING)
        if cached is not MISSING and cached is not None and cached.pk == key:
            return cached  # (an unsaved instance too: save() then says to save it first)
        if key is None:
            return None
        return RelatedRef(
            f"{type(instance).__name__}.{self.name}",
            key,
            lambda: self.fetch_for(instance),
            f"{type(instance).__name__}.objects.select_related({self.name!r}) or "
            f".prefetch_related({self.name!r})",
        )

    def __set__(self, instance: Model, value: Any) -> None:
        cache = related_cache(instance)
        if isinstance(value, RelatedRef):
            key = value.pk
        elif hasattr(type(value), "_meta"):
            key = value.pk
            cache[self.name] = value
        else:
            key = value
        cached = cache.get(self.name)
        if cached is not None and cached.pk != key:
            del cache[self.name]
        instance.__dict__[self.attname] = key

    async def fetch_for(self, instance: Model) -> Any:
        queryset: QuerySet[Any] = QuerySet(self.target)
        obj = await queryset.get(pk=instance.__dict__[self.attname])
        related_cache(instance)[self.name] = obj
        return obj

    def paths(self) -> list[PathInfo]:
        assert self.model is not None
        return [PathInfo(self.model, self.target, self, self.target_field, False)]

    def reverse_paths(self) -> list[PathInfo]:
        assert self.model is not None
        many = not self.unique_target
        return [PathInfo(self.target, self.model, self.target_field, self, many)]


class OneToOneField(ForeignKey):
    """A ForeignKey whose column is unique: ``profile.author`` and ``author.profile``."""

    kind = "OneToOneField"
    unique_target = True

    def __init__(self, to: type[Model] | str, *, on_delete: str, **options: Any) -> None:
        options["unique"] = True
        super().__init__(to, on_delete=on_delete, **options)

    @property
    def accessor_name(self) -> str:
        assert self.model is not None
        return self.related_name or self.model.__name__.lower()


class ManyToManyField:
    """A many-to-many relation through a table with a ForeignKey to each side.

    ``through`` names a model of your own (with exactly one ForeignKey to each side);
    otherwise ``<model>_<name>`` is made, with CASCADE keys. ``related_name`` names the
    accessor on ``to`` (default ``<model>_set``).
    """

    def __init__(
        self,
        to: type[Model],
        *,
        related_name: str | None = None,
        through: type[Model] | str | None = None,
    ) -> None:
        self.to = to
        self.related_name = related_name
        #: A through model named by a string is defined after this model: wired up then.
        self.through_name = through if isinstance(through, str) else None
        self.through: type[Model] | None = None if isinstance(through, str) else through
        self.auto_created = through is None
        self.name = ""
        self.model: type[Model] | None = None

    def __repr__(self) -> str:
        owner = self.model.__name__ if self.model is not None else "?"
        return f"<ManyToManyField: {owner}.{self.name}>"

    def __get__(self, instance: Model | None, owner: type[Any]) -> Any:
        if instance is None:
            return self
        return ManyRelatedManager(instance, self, reverse=False)

    @property
    def accessor_name(self) -> str:
        assert self.model is not None
        return self.related_name or f"{self.model.__name__.lower()}_set"

    def contribute(self, model: type[Model], name: str) -> None:
        from covet.orm.models import Model, ModelMeta

        self.model, self.name = model, name
        if self.through is None:
            source, target = model.__name__.lower(), self.to.__name__.lower()
            if source == target:
                target = f"to_{target}"
            namespace: dict[str, Any] = {
                "__module__": model.__module__,
                "__tablename__": f"{model._meta.table_name}_{name}",
                "__database__": model._meta.database,
                # A pair is linked once: the database refuses a second row for it.
                "__unique_together__": ((source, target),),
                source: ForeignKey(model, on_delete=CASCADE, related_name="+"),
                target: ForeignKey(self.to, on_delete=CASCADE, related_name="+"),
            }
            self.through = ModelMeta(f"{model.__name__}_{name}", (Model,), namespace)  # type: ignore[assignment]
        assert self.through is not None
        self.source_fk = self._key_to(model, first=True)
        self.target_fk = self._key_to(self.to, first=self.to is not model)
        through_paths = self.source_fk.reverse_paths()
        model._meta.relations[name] = [*through_paths, *self.target_fk.paths()]
        self.to._meta.relations[self.accessor_name] = [
            *self.target_fk.reverse_paths(),
            *self.source_fk.paths(),
        ]
        model._meta.many_to_many.append(self)
        setattr(self.to, self.accessor_name, ReverseManyToManyDescriptor(self))

    def _key_to(self, model: type[Model], *, first: bool) -> ForeignKey:
        assert self.through is not None
        keys = [
            f for f in self.through._meta.fields if isinstance(f, ForeignKey) and f.target is model
        ]
        if not keys:
            raise errors.FieldError(
                f"{self.through.__name__} has no ForeignKey to {model.__name__}"
            )
        return keys[0] if first else keys[-1]


def contribute_relations(model: type[Model], namespace: dict[str, Any]) -> None:
    """Called by ModelMeta once ``model._meta`` exists: register paths and accessors."""
    meta = model._meta
    if meta.abstract:
        return
    for field in meta.fields:
        if not isinstance(field, ForeignKey):
            continue
        target = field.target
        meta.relations[field.name] = field.paths()
        target._meta.related_objects.append(field)
        if field.related_name == "+":
            continue
        accessor = field.accessor_name
        target._meta.relations[accessor] = field.reverse_paths()
        descriptor: Any = (
            ReverseOneDescriptor(field)
            if isinstance(field, OneToOneField)
            else ReverseManyDescriptor(field)
        )
        setattr(target, accessor, descriptor)
    for attribute, value in namespace.items():
        if isinstance(value, ManyToManyField):
            if value.through_name is not None:
                _waiting_for_through.append((model, attribute, value))
            else:
                value.contribute(model, attribute)
    for waiting in list(_waiting_for_through):
        owner, attribute, m2m = waiting
        if m2m.through_name == model.__name__:
            _waiting_for_through.remove(waiting)
            m2m.through = model
            m2m.contribute(owner, attribute)


#: ManyToManyFields whose ``through`` model (given by name) is not defined yet.
_waiting_for_through: list[tuple[type[Model], str, ManyToManyField]] = []
