"""Models: a class per table, an instance per row.

::

    class User(Model):
        __tablename__ = "users"          # optional: derived from the class name ("user")
        name = CharField(max_length=100)
        age = IntegerField(default=18)

When Python creates the class ``User``, the metaclass :class:`ModelMeta` reads the fields off
the class body and builds ``User._meta`` (:class:`Options`): the table name, the fields in
declaration order, the primary key (an ``id = AutoField()`` is added unless a field says
``primary_key=True``). It also gives ``User`` its own ``User.DoesNotExist`` and
``User.MultipleObjectsReturned`` (catch them per model, or catch the base classes from
``covet.orm.errors`` for any model). ``User.objects`` is the :class:`~covet.orm.manager.Manager`.

An instance keeps its values as plain attributes (``user.age``). ``save()`` validates every
field, then INSERTs a new row or UPDATEs the row it came from; ``delete()`` and
``refresh_from_db()`` work on the row with the instance's primary key.

Class options (double-underscore names, so they cannot clash with a field):
``__tablename__``, ``__database__`` (the database alias, default ``"default"``),
``__abstract__ = True`` (no table: a base class that shares its fields),
``__unique_together__ = (("course", "student"),)`` (each tuple of fields is unique as a
whole: a ``UNIQUE (...)`` constraint in the table).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

from covet.orm import errors, signals
from covet.orm.bulk import insert_instances
from covet.orm.dialects import Dialect, check_identifier
from covet.orm.fields import AutoField, Field
from covet.orm.hydration import row_loader
from covet.orm.manager import Manager
from covet.orm.queryset import QuerySet
from covet.orm.relations import ForeignKey, ManyToManyField, PathInfo, contribute_relations

if TYPE_CHECKING:
    import pydantic

__all__ = ["Model", "ModelMeta", "Options"]


def table_name_for(class_name: str) -> str:
    """``BlogPost`` -> ``blog_post``: the table name when ``__tablename__`` is not given."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", class_name).lower()


class Options:
    """What the ORM knows about a model: ``User._meta``."""

    def __init__(
        self,
        model: type[Model],
        *,
        table_name: str,
        fields: list[Field],
        database: str,
        abstract: bool,
        unique_together: Sequence[Sequence[str]] = (),
    ) -> None:
        self.model = model
        self.table_name = table_name
        #: Every field, in declaration order (inherited ones first); the SELECT column order.
        self.fields = fields
        self.fields_by_name = {field.name: field for field in fields}
        #: Also ``author_id`` for the ForeignKey ``author``.
        self.fields_by_attname = {**self.fields_by_name, **{f.attname: f for f in fields}}
        #: (attname, name) of the fields whose attribute differs (``author_id``, ``author``):
        #: listed once here, so ``Model.__init__`` does not ask every field per instance.
        self.renamed_attnames = [(f.attname, f.name) for f in fields if f.attname != f.name]
        self.database = database
        self.abstract = abstract
        primary_keys = [field for field in fields if field.primary_key]
        if len(primary_keys) > 1 and not abstract:
            names = ", ".join(field.name for field in primary_keys)
            raise errors.FieldError(f"{model.__name__} declares several primary keys: {names}")
        # An abstract model may have no key yet: its concrete subclasses get one.
        self.pk: Field = primary_keys[0] if primary_keys else AutoField()
        # Filled by covet.orm.relations once the model exists (and by models defined later):
        #: relation name -> the JOIN hops it means (forward and reverse relations alike);
        self.relations: dict[str, list[PathInfo]] = {}
        #: the ForeignKeys of other models that point at this one (what deleting it affects);
        self.related_objects: list[ForeignKey] = []
        #: this model's ManyToManyFields.
        self.many_to_many: list[ManyToManyField] = []
        #: Groups of fields unique as a whole (``__unique_together__``), names checked here.
        self.unique_together = [
            tuple(self.get_field(name).name for name in names) for names in unique_together
        ]

    def __repr__(self) -> str:
        return f"<Options for {self.label}>"

    @property
    def label(self) -> str:
        return self.model.__name__

    def get_field(self, name: str) -> Field:
        """The field called ``name`` (``"pk"`` is the primary key), else a FieldError."""
        if name == "pk":
            return self.pk
        try:
            return self.fields_by_name[name]
        except KeyError:
            choices = ", ".join(["pk", *self.fields_by_name, *self.relations])
            raise errors.FieldError(
                f"{self.label} has no field {name!r}; choices are: {choices}"
            ) from None


class ModelMeta(type):
    """Builds ``_meta`` and the per-model exceptions when a model class is defined."""

    def __new__(
        mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any
    ) -> ModelMeta:
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        parents = [base for base in bases if isinstance(base, ModelMeta) and hasattr(base, "_meta")]
        if not parents and name == "Model" and namespace.get("__module__") == __name__:
            return cls  # the Model base class itself: no table

        model: type[Model] = cls  # type: ignore[assignment]
        abstract = bool(namespace.get("__abstract__", False))
        # Fields: the parents' (copied, so each model owns its Field objects), then this body's.
        fields: dict[str, Field] = {}
        for parent in parents:
            for field in parent._meta.fields:
                fields[field.name] = copy.copy(field)
        for attribute, value in namespace.items():
            if isinstance(value, Field):
                if "__" in attribute or attribute == "pk":
                    raise errors.FieldError(
                        f"{name}.{attribute}: a field name cannot be 'pk' or contain '__'"
                    )
                fields[attribute] = value
        if not abstract and not any(field.primary_key for field in fields.values()):
            fields = {"id": AutoField(), **fields}
            cls.id = fields["id"]  # type: ignore[attr-defined]
        for attribute, field in fields.items():
            field.contribute_to_class(model, attribute)

        table_name = namespace.get("__tablename__") or table_name_for(name)
        check_identifier(table_name, f"table name of {name}")
        database = namespace.get("__database__") or next(
            (parent._meta.database for parent in parents), "default"
        )
        model._meta = Options(
            model,
            table_name=table_name,
            fields=list(fields.values()),
            database=database,
            abstract=abstract,
            unique_together=namespace.get("__unique_together__", ()),
        )
        # User.DoesNotExist also is-a DoesNotExist of each concrete parent, as in Django.
        for error_name, base in (
            ("DoesNotExist", errors.DoesNotExist),
            ("MultipleObjectsReturned", errors.MultipleObjectsReturned),
        ):
            error_bases = tuple(
                getattr(parent, error_name) for parent in parents if not parent._meta.abstract
            ) or (base,)
            error_class = type(
                error_name,
                error_bases,
                {"__module__": model.__module__, "__qualname__": f"{name}.{error_name}"},
            )
            setattr(model, error_name, error_class)
        contribute_relations(model, namespace)
        return cls


class Model(metaclass=ModelMeta):
    """The base class of every model. See the module docstring for the options."""

    _meta: ClassVar[Options]
    #: True once the row exists in the database: save() then UPDATEs instead of INSERTing.
    #: ``__init__`` sets it False on each new instance; an instance loaded from a row never
    #: runs ``__init__`` and finds True here, which saves storing it once per row.
    _persisted: bool = True
    objects: Manager[Any] = Manager()
    DoesNotExist: ClassVar[type[errors.DoesNotExist]] = errors.DoesNotExist
    MultipleObjectsReturned: ClassVar[type[errors.MultipleObjectsReturned]] = (
        errors.MultipleObjectsReturned
    )

    def __init__(self, **values: Any) -> None:
        meta = self._meta
        if meta.abstract:
            raise TypeError(f"{type(self).__name__} is abstract: make a subclass of it")
        if "pk" in values:
            values[meta.pk.name] = values.pop("pk")
        for attname, name in meta.renamed_attnames:  # author_id=3 as well as author=ann
            if attname in values:
                values[name] = values.pop(attname)
        for field in meta.fields:
            name = field.name
            setattr(self, name, values.pop(name) if name in values else field.get_default())
        if values:
            unknown = ", ".join(sorted(values))
            choices = ", ".join(["pk", *meta.fields_by_name])
            raise errors.FieldError(
                f"{meta.label} has no field(s) {unknown}; choices are: {choices}"
            )
        self._persisted = False  # a new instance: save() INSERTs it

    @classmethod
    def from_db(cls, fields: Sequence[Field], values: Sequence[Any], dialect: Dialect) -> Self:
        """Build an instance from a row (no defaults, no validation: the row is the truth).

        A query builds many: it asks :func:`covet.orm.hydration.row_loader` for the
        function once, then calls it per row.
        """
        instance: Self = row_loader(cls, fields, dialect)(values)
        return instance

    @property
    def pk(self) -> Any:
        """The primary key's value, whatever the key field is called."""
        return getattr(self, self._meta.pk.name)

    @pk.setter
    def pk(self, value: Any) -> None:
        setattr(self, self._meta.pk.name, value)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: pk={self.pk!r}>"

    def __eq__(self, other: object) -> bool:
        """Two instances are equal when they are the same row: same model, same primary key."""
        if not isinstance(other, Model) or type(other)._meta is not self._meta:
            return NotImplemented
        if self.pk is None:
            return self is other
        return bool(self.pk == other.pk)

    def __hash__(self) -> int:
        if self.pk is None:
            raise TypeError("a model instance without a primary key is unhashable")
        return hash((type(self), self.pk))

    # --- validation -----------------------------------------------------------------------

    def full_clean(self, fields: Iterable[str] | None = None) -> None:
        """Validate (and convert) each field's value; one ValidationError lists every problem."""
        meta = self._meta
        # Every field (the usual case, and each row of a bulk_create): the list itself,
        # without looking each name up again.
        chosen = meta.fields if fields is None else [meta.get_field(name) for name in fields]
        problems: dict[str, list[str]] = {}
        for field in chosen:
            try:
                setattr(self, field.name, field.clean(getattr(self, field.name)))
            except errors.ValidationError as exc:
                problems[field.name] = [exc.message]
        if problems:
            raise errors.ValidationError.from_problems(meta.label, problems)

    # --- persistence ----------------------------------------------------------------------

    async def save(self, *, update_fields: Iterable[str] | None = None) -> None:
        """Validate, then INSERT (a new instance) or UPDATE (one that came from the database).

        ``update_fields`` limits the UPDATE to those fields (and their validation).
        ``pre_save`` and ``post_save`` are sent around the write (``signals.py``).
        """
        # --- signals (signals.py): pre_save and post_save around the write ---
        names = (
            None if update_fields is None else [self._meta.get_field(n).name for n in update_fields]
        )
        model, created = type(self), not self._persisted
        sent = {"instance": self, "created": created, "update_fields": None}
        if names is not None:
            sent["update_fields"] = frozenset(names)
        async with signals.atomic_if_observed(model, signals.pre_save, signals.post_save):
            await signals.pre_save.send(model, **sent)
            await self._save_row(update_fields=names)
            await signals.post_save.send(model, **sent)
        # --- end of signals ---

    async def _save_row(self, *, update_fields: Iterable[str] | None = None) -> None:
        """The INSERT or UPDATE of :meth:`save`, without signals."""
        meta = self._meta
        queryset: QuerySet[Self] = QuerySet(type(self))
        if update_fields is not None:
            names = [meta.get_field(name).name for name in update_fields]
            if meta.pk.name in names:
                raise errors.FieldError(
                    f"{meta.label}: update_fields cannot contain the primary key"
                )
            self.full_clean(names)
            if not self._persisted:
                raise errors.OrmError(
                    f"{meta.label}: save(update_fields=...) on an unsaved instance"
                )
            if names:
                await queryset.filter(pk=self.pk).update(
                    **{name: getattr(self, name) for name in names}
                )
            return
        self.full_clean()
        if self._persisted:
            values = {f.name: getattr(self, f.name) for f in meta.fields if f is not meta.pk}
            await queryset.filter(pk=self.pk).update(**values)
        else:
            await insert_instances(type(self), [self])

    async def delete(self) -> None:
        """DELETE this instance's row; the instance stays usable, with ``pk`` set to None.

        ``pre_delete`` and ``post_delete`` are sent around the DELETE (``signals.py``).
        """
        if self.pk is None:
            raise errors.OrmError(f"cannot delete a {self._meta.label} that has no primary key")
        # --- signals (signals.py): pre_delete and post_delete around the DELETE ---
        model = type(self)
        async with signals.atomic_if_observed(model, signals.pre_delete, signals.post_delete):
            await signals.pre_delete.send(model, instance=self)
            await QuerySet(model).filter(pk=self.pk).delete_rows()
            await signals.post_delete.send(model, instance=self)
        # --- end of signals ---
        self.pk = None
        self._persisted = False

    async def refresh_from_db(self) -> None:
        """Reload every field from the row (DoesNotExist if it is gone)."""
        queryset: QuerySet[Self] = QuerySet(type(self))
        fresh = await queryset.get(pk=self.pk)
        for field in self._meta.fields:
            setattr(self, field.name, getattr(fresh, field.name))
        self._persisted = True

    # --- pydantic schemas (schemas.py; needs the covet-orm[pydantic] extra) -----------------

    @classmethod
    def schema(
        cls,
        *,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        for_: Literal["input", "output"] = "output",
        name: str | None = None,
        nested: Mapping[str, type[pydantic.BaseModel]] | None = None,
    ) -> type[pydantic.BaseModel]:
        """A pydantic model of this model's fields: :func:`covet.orm.schemas.model_schema`."""
        from covet.orm.schemas import model_schema

        return model_schema(
            cls, include=include, exclude=exclude, for_=for_, name=name, nested=nested
        )

    def to_schema(self, schema: type[pydantic.BaseModel] | None = None) -> pydantic.BaseModel:
        """This instance as ``schema`` (default: ``type(self).schema()``), validated."""
        from covet.orm.schemas import to_schema

        return to_schema(self, schema or type(self).schema())

    @classmethod
    def from_schema(cls, data: pydantic.BaseModel | Mapping[str, Any]) -> Self:
        """A new, unsaved instance from a schema instance (or a dict): ``save()`` INSERTs it."""
        from covet.orm.schemas import instance_from_schema

        instance: Self = instance_from_schema(cls, data)
        return instance
