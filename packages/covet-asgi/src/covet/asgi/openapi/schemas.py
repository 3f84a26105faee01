"""JSON Schemas for parameter and body types.

Plain types get a schema written here (no dependency); types that pydantic
validates get pydantic's schema, with model definitions moved into the
document's ``components/schemas`` so every model is described once and
referenced with ``$ref``.
"""

from __future__ import annotations

import enum
import types
import typing
import uuid
from decimal import Decimal
from typing import Any

from covet.asgi.validation import is_pydantic_model

__all__ = ["SchemaRegistry", "converter_schema", "plain_schema"]

_PLAIN: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    uuid.UUID: {"type": "string", "format": "uuid"},
    Decimal: {"type": "string", "format": "decimal"},
}

# Route converters (covet-router) described as schemas, for path parameters a
# handler does not annotate.
_CONVERTERS: dict[str, dict[str, Any]] = {
    "int": {"type": "integer", "minimum": 0},
    "float": {"type": "number", "minimum": 0},
    "uuid": {"type": "string", "format": "uuid"},
    "path": {"type": "string"},
    "str": {"type": "string"},
}


def converter_schema(converter_name: str) -> dict[str, Any]:
    """The schema of a path parameter known only by its route converter."""
    return dict(_CONVERTERS.get(converter_name, {"type": "string"}))


def plain_schema(annotation: Any) -> dict[str, Any]:
    """The schema of a type ``params.py`` converts (``X | None`` and ``list[X]`` included)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return plain_schema(inner[0])
    if annotation is list or origin is list:
        (item,) = typing.get_args(annotation) or (str,)
        return {"type": "array", "items": plain_schema(item)}
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return {"enum": [member.value for member in annotation]}
    return dict(_PLAIN.get(annotation, {"type": "string"}))


class SchemaRegistry:
    """Collects model schemas for ``components/schemas`` while operations are built."""

    REF = "#/components/schemas/{model}"

    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def schema_for(self, annotation: Any, adapter: Any) -> dict[str, Any]:
        """pydantic's schema for ``annotation``; a model becomes a ``$ref``."""
        schema: dict[str, Any] = adapter.json_schema(ref_template=self.REF)
        self.components.update(schema.pop("$defs", {}))
        if is_pydantic_model(annotation):
            self.components[annotation.__name__] = schema
            return {"$ref": self.REF.format(model=annotation.__name__)}
        return schema
