"""Turning request text into the typed values a handler asks for.

A handler declares what it needs with ordinary annotations::

    async def list_users(request, team_id: int, page: int = 1, tag: list[str] = []): ...

Path and query values arrive as text. This module holds one small converter
per supported annotation and :func:`converter_for`, which picks the converter
once, when the route is registered; per request only the converter runs.
"""

from __future__ import annotations

import math
import re
import sys
import types
import typing
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

__all__ = ["ConversionError", "ValueConverter", "converter_for"]


class ConversionError(ValueError):
    """A text value that does not fit the annotation; ``kind`` names the failure."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class ValueConverter:
    """How to turn one piece of request text into the annotated type.

    ``many`` is true for ``list[X]``: the converter then receives every value
    given for the name (``?tag=a&tag=b``) instead of the last one.
    ``optional`` is true for ``X | None``.
    """

    convert: Callable[[str], Any]
    many: bool = False
    optional: bool = False
    type_name: str = "str"


_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _to_str(value: str) -> str:
    return value


def _to_int(value: str) -> int:
    # int() alone would also accept " 7 " and "1_000"; a URL value is exact.
    if not _INT.fullmatch(value):
        raise ConversionError(f"Input should be a valid integer, got {value!r}", "int_parsing")
    try:
        return int(value)
    except ValueError:  # longer than sys.get_int_max_str_digits() (4,300 by default)
        raise ConversionError(
            f"Input should be an integer of at most {sys.get_int_max_str_digits()} digits, "
            f"got {len(value)} characters",
            "int_parsing_size",
        ) from None


def _to_float(value: str) -> float:
    # float() would also take "nan", "inf", " 1 " and "1_0"; none is a number a client means.
    if not _FLOAT.fullmatch(value):
        raise ConversionError(f"Input should be a valid number, got {value!r}", "float_parsing")
    result = float(value)
    if not math.isfinite(result):  # "1e999": well-formed, but beyond a double
        raise ConversionError(f"Input should be a finite number, got {value!r}", "finite_number")
    return result


def _to_bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConversionError(
        f"Input should be a valid boolean (true/false, 1/0, yes/no, on/off), got {value!r}",
        "bool_parsing",
    )


def _to_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ConversionError(
            f"Input should be a valid UUID, got {value!r}", "uuid_parsing"
        ) from None


def _to_decimal(value: str) -> Decimal:
    try:
        result = Decimal(value)
    except InvalidOperation:
        result = Decimal("NaN")
    if not result.is_finite():
        raise ConversionError(f"Input should be a valid decimal, got {value!r}", "decimal_parsing")
    return result


def _enum_converter(enum_type: type[Enum]) -> Callable[[str], Any]:
    choices = {str(member.value): member for member in enum_type}

    def convert(value: str) -> Enum:
        try:
            return choices[value]
        except KeyError:
            expected = ", ".join(repr(choice) for choice in choices)
            raise ConversionError(
                f"Input should be one of {expected}, got {value!r}", "enum"
            ) from None

    return convert


_SCALARS: dict[Any, Callable[[str], Any]] = {
    str: _to_str,
    int: _to_int,
    float: _to_float,
    bool: _to_bool,
    uuid.UUID: _to_uuid,
    Decimal: _to_decimal,
}


def _scalar(annotation: Any) -> Callable[[str], Any] | None:
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _enum_converter(annotation)
    return None


def _type_name(annotation: Any) -> str:
    return getattr(annotation, "__name__", repr(annotation))


def converter_for(annotation: Any) -> ValueConverter | None:
    """The converter for ``annotation``, or ``None`` when it is not supported.

    Supported: no annotation (text as is), ``str``, ``int``, ``float``,
    ``bool``, ``uuid.UUID``, ``Decimal``, any ``Enum``, ``X | None`` and
    ``list[X]`` of those.
    """
    optional = False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(members) != 1 or len(typing.get_args(annotation)) != 2:
            return None
        optional = True
        annotation = members[0]
        origin = typing.get_origin(annotation)
    if annotation is Any:
        annotation = str
    if annotation is list or origin is list:
        (item,) = typing.get_args(annotation) or (str,)
        convert = _scalar(item)
        if convert is None:
            return None
        return ValueConverter(
            convert, many=True, optional=optional, type_name=f"list[{_type_name(item)}]"
        )
    convert = _scalar(annotation)
    if convert is None:
        return None
    return ValueConverter(convert, optional=optional, type_name=_type_name(annotation))
