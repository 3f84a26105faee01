"""Pydantic schemas from models: the same columns, described for an API.

An ORM model says what a row holds; an API needs the same description as a pydantic model, to
validate a request body and to document (OpenAPI) and serialize a response. Writing both by
hand means keeping two lists of fields in step. :func:`model_schema` (or ``User.schema()``)
builds the pydantic model from the ORM model instead::

    UserOut = User.schema()                      # every field, pk included: for responses
    UserIn = User.schema(for_="input")           # no database-generated pk: for request bodies
    UserPublic = User.schema(exclude={"email"})  # fewer fields (or include={...})

    body = UserIn.model_validate_json(raw)       # pydantic checks types and max_length...
    user = User.from_schema(body)                # ...an unsaved User
    await user.save()
    return user.to_schema(UserOut)               # = UserOut.model_validate(user)

How an ORM field becomes a pydantic field (:func:`field_definition`):

* the type, from :data:`PYTHON_TYPES` by the field's class (the nearest one in its MRO):
  ``CharField`` -> ``str`` with ``max_length``, ``IntegerField`` -> ``int`` within the 32-bit
  range, ``DecimalField`` -> ``Decimal`` with ``max_digits``/``decimal_places``,
  ``DateTimeField`` -> ``AwareDatetime`` (a naive datetime is refused, as the ORM refuses it),
  ``UUIDField`` -> ``UUID``, ``JSONField`` -> ``Any``, ``BinaryField`` -> ``bytes``...;
* ``choices`` -> ``Literal[...]`` of the values; ``null=True`` -> ``T | None``;
* the default, if the field has one (a callable default becomes a ``default_factory``);
  a nullable field without a default defaults to None;
* ``for_="input"`` leaves out a primary key the database generates (``AutoField``); a primary
  key the program gives (a ``UUIDField(primary_key=True, default=uuid4)``) stays, optional.

Schemas are cached: the same arguments give the same class, so ``User.schema()`` is cheap to
call in a handler's annotation and appears once in an OpenAPI document. Give ``name=`` when one
API uses several variants of a model's schema: the name is the OpenAPI component's name.

Relations (:func:`relation_definition`): a ForeignKey or OneToOneField appears as its key
column, ``<name>_id``, typed like the related model's primary key; this never needs the
related row. ``nested={"author": AuthorSchema}`` asks for the related object instead,
serialized with ``AuthorSchema``; ``nested={"tags": TagSchema}`` does the same for a
many-valued relation (a ManyToManyField, or a reverse one such as ``comments``) as a list.
A nested relation must have been loaded (``select_related``, ``prefetch_related``,
``fetch()``): converting an instance whose relation is not loaded raises NotLoadedError
saying how to load it, because a conversion never runs a hidden query. ``Post.from_schema()``
of a nested schema builds the related instances too, as if they had been loaded.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from covet.orm import fields as orm
from covet.orm.errors import FieldError, NotLoadedError
from covet.orm.extras import install_command
from covet.orm.related import ManyRelatedManager, RelatedManager, RelatedRef, related_cache
from covet.orm.relations import ForeignKey

try:
    import pydantic
except ImportError as exc:  # pragma: no cover - the extra is installed in every test env
    raise ImportError(
        "Model.schema() needs pydantic v2 (the 'pydantic' extra): " + install_command("pydantic")
    ) from exc

if TYPE_CHECKING:
    from covet.orm.models import Model

__all__ = [
    "PYTHON_TYPES",
    "field_definition",
    "instance_from_schema",
    "model_schema",
    "relation_definition",
]

Purpose = Literal["input", "output"]

#: The pydantic type of each field class; a subclass takes its nearest ancestor's entry.
PYTHON_TYPES: dict[type[orm.Field], Any] = {
    orm.Field: Any,
    orm.IntegerField: int,
    orm.FloatField: float,
    orm.DecimalField: decimal.Decimal,
    orm.TextField: str,
    orm.BooleanField: bool,
    orm.DateField: datetime.date,
    orm.DateTimeField: pydantic.AwareDatetime,
    orm.UUIDField: uuid.UUID,
    orm.JSONField: Any,
    orm.BinaryField: bytes,
}

_cache: dict[tuple[Any, ...], type[pydantic.BaseModel]] = {}


def python_type(field: orm.Field) -> Any:
    """The pydantic type for ``field``'s values (choices and null not applied yet)."""
    for cls in type(field).__mro__:
        if cls in PYTHON_TYPES:
            return PYTHON_TYPES[cls]
    raise TypeError(f"{field.label}: {type(field).__name__} is not a Field")  # pragma: no cover


def constraints(field: orm.Field) -> dict[str, Any]:
    """The checks pydantic can make itself: lengths, ranges, digits."""
    if isinstance(field, orm.CharField):
        return {"max_length": field.max_length}
    if isinstance(field, orm.IntegerField):
        return {"ge": field.min_value, "le": field.max_value}
    if isinstance(field, orm.DecimalField):
        return {"max_digits": field.max_digits, "decimal_places": field.decimal_places}
    return {}


def field_definition(field: orm.Field, *, required: bool = False) -> tuple[Any, Any]:
    """``(type, FieldInfo)`` for :func:`pydantic.create_model`: see the module docstring.

    ``required=True`` ignores the field's default (used for the output schema's key).
    """
    annotation: Any = python_type(field)
    checks = constraints(field)
    if field.choices is not None:
        annotation = Literal[tuple(field.choices)]
        checks = {}  # the listed values are the whole truth
    if field.null:
        annotation = annotation | None
    if required:
        info = pydantic.Field(**checks)
    elif callable(field.default):
        info = pydantic.Field(default_factory=field.default, **checks)
    elif field.has_default() or field.null:
        info = pydantic.Field(default=field.get_default(), **checks)
    else:
        info = pydantic.Field(**checks)
    return annotation, info


def _selected(model: type[Model], names: Iterable[str] | None) -> frozenset[str] | None:
    """Field names checked against the model (``pk`` -> the key's name); None stays None."""
    if names is None:
        return None
    if isinstance(names, str):
        raise TypeError("include/exclude take a collection of field names, not one string")
    return frozenset(model._meta.get_field(name).name for name in names)


def model_schema(
    model: type[Model],
    *,
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
    for_: Purpose = "output",
    name: str | None = None,
    nested: Mapping[str, type[pydantic.BaseModel]] | None = None,
) -> type[pydantic.BaseModel]:
    """A pydantic v2 model describing ``model``'s fields (cached per set of arguments).

    ``include``/``exclude``: field names to keep / to leave out. ``for_="output"`` (every
    selected field, the primary key required) or ``"input"`` (no database-generated key).
    ``name``: the class name (default ``UserSchema`` / ``UserInputSchema``). ``nested``: for
    relations, a schema to use instead of the related key (see the module docstring).
    Instances validate from ORM objects: ``model_config`` has ``from_attributes=True``.
    """
    if for_ not in ("input", "output"):
        raise ValueError(f"for_ must be 'input' or 'output', not {for_!r}")
    kept, dropped = _selected(model, include), _selected(model, exclude)
    nested = dict(nested or {})
    key = (model, kept, dropped, for_, name, tuple(sorted(nested.items())))
    if key in _cache:
        return _cache[key]

    meta = model._meta
    if nested and for_ == "input":
        raise ValueError(
            "nested= describes loaded related rows, for output; an input schema takes the "
            "related keys (<name>_id)"
        )
    schema_name = name or f"{meta.label}{'Input' if for_ == 'input' else ''}Schema"
    definitions: dict[str, Any] = {}
    for field in meta.fields:
        if (kept is not None and field.name not in kept) or (dropped and field.name in dropped):
            continue
        if field.primary_key and field.auto_generated and for_ == "input":
            continue
        if isinstance(field, ForeignKey):
            definitions.update(
                relation_definition(field, nested.pop(field.name, None), schema_name)
            )
            continue
        required = field.primary_key and for_ == "output"
        definitions[field.name] = field_definition(field, required=required)
    # What is left in nested= names relations that are no column: reverse and many-to-many.
    for relation, related_schema in nested.items():
        definitions[relation] = _many_or_reverse_definition(
            model, relation, related_schema, schema_name
        )

    schema: type[pydantic.BaseModel] = pydantic.create_model(
        schema_name,
        __config__=pydantic.ConfigDict(from_attributes=True, protected_namespaces=()),
        __doc__=f"The fields of {meta.label} ({for_}), built by covet.orm.schemas.",
        __module__=model.__module__,
        **definitions,
    )
    _cache[key] = schema
    return schema


def relation_definition(
    field: ForeignKey, nested: type[pydantic.BaseModel] | None, schema_name: str
) -> dict[str, Any]:
    """``{"author_id": (key type, info)}`` by default; ``{"author": (nested, info)}`` on request."""
    if nested is not None:
        annotation: Any = nested | None if field.null else nested
        checked = Annotated[annotation, pydantic.BeforeValidator(_loaded_one(schema_name))]
        return {field.name: (checked, pydantic.Field(default=None) if field.null else ...)}
    key_type: Any = python_type(field.target._meta.pk)
    if field.null:
        key_type = key_type | None
    default = pydantic.Field(default=None) if field.null else pydantic.Field()
    return {field.attname: (key_type, default)}


def _many_or_reverse_definition(
    model: type[Model], name: str, nested: type[pydantic.BaseModel], schema_name: str
) -> tuple[Any, Any]:
    """``tags: list[TagSchema]`` (many-valued) or ``profile: ProfileSchema | None``."""
    meta = model._meta
    hops = meta.relations.get(name)
    if hops is None or name in meta.fields_by_name:
        reason = "is left out by include/exclude" if hops is not None else "is not one"
        raise FieldError(
            f"{meta.label}: nested= names relations; {name} {reason} (relations: "
            f"{', '.join(meta.relations) or 'none'})"
        )
    # Types built at run time from a class in a variable: typed Any for the type checker.
    if any(hop.many for hop in hops):
        item: Any = nested
        rows: Any = list[item]
        return Annotated[rows, pydantic.BeforeValidator(_loaded_many)], pydantic.Field(
            default_factory=list
        )
    one: Any = nested | None
    return Annotated[one, pydantic.BeforeValidator(_loaded_one(schema_name))], pydantic.Field(
        default=None
    )


def _loaded_one(schema_name: str) -> Callable[[Any], Any]:
    """A check run on ``post.author`` before validation: a RelatedRef means "not loaded"."""

    def check(value: Any) -> Any:
        if isinstance(value, RelatedRef):
            raise NotLoadedError(value.message(f"{schema_name} cannot include it"))
        return value

    return check


def _loaded_many(value: Any) -> Any:
    """``post.tags`` (a manager) -> its prefetched rows, or NotLoadedError; lists pass."""
    if isinstance(value, RelatedManager | ManyRelatedManager):
        return value.loaded()
    return value


def to_schema(instance: Model, schema: type[pydantic.BaseModel]) -> pydantic.BaseModel:
    """``schema`` filled from ``instance``'s attributes (pydantic validates them)."""
    return schema.model_validate(instance, from_attributes=True)


def instance_from_schema(model: type[Model], data: pydantic.BaseModel | Mapping[str, Any]) -> Any:
    """A new, unsaved ``model`` instance from a schema instance (or a mapping).

    Nested relations become instances too, stored as loaded (``post.author``,
    ``post.tags.loaded()``), so converting back with the same schema gives the same data.
    """
    values = data.model_dump() if isinstance(data, pydantic.BaseModel) else dict(data)
    meta = model._meta
    loaded: dict[str, Any] = {}
    for name in [name for name in values if name in meta.relations]:
        related = meta.relations[name][-1].to_model
        field = meta.fields_by_name.get(name)
        if isinstance(field, ForeignKey):
            values[name] = _related_instance(related, values[name])
        elif isinstance(values[name], list):
            loaded[name] = [_related_instance(related, item) for item in values.pop(name)]
        else:
            loaded[name] = _related_instance(related, values.pop(name))
    instance = model(**values)
    related_cache(instance).update(loaded)
    return instance


def _related_instance(model: type[Model], value: Any) -> Any:
    """Nested data -> an instance of ``model``; an instance, a key or None stays as it is."""
    if isinstance(value, Mapping):
        return instance_from_schema(model, value)
    return value
