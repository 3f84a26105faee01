"""Converters: how a ``{param:type}`` turns URL text into a Python value, and back.

A converter answers three questions about one parameter:

* ``regex``: which text can this parameter match? (matched against the whole segment)
* ``to_python``: what value does that text stand for? (``"42"`` -> ``42``)
* ``to_string``: what text stands for this value, when building a URL? (``42`` -> ``"42"``)

``to_string`` must produce text that ``regex`` accepts and that ``to_python`` turns back into
an equal value: that round trip is what makes ``url_for`` trustworthy, and the tests check it
for every built-in converter.

The built-ins live in a global registry, in this order: ``str`` (the default), ``int``,
``float``, ``uuid``, ``path``. :func:`register_converter` adds your own; a :class:`Router`
can also be given converters of its own that no other router sees.
"""

from __future__ import annotations

import math
import re
import uuid
from decimal import Decimal
from typing import Any

from covet.router.errors import ConverterError

__all__ = [
    "Converter",
    "StringConverter",
    "IntegerConverter",
    "FloatConverter",
    "UUIDConverter",
    "PathConverter",
    "register_converter",
    "get_converter",
    "registered_converters",
    "validate_converter",
]


class Converter:
    """Base class of converters. Subclass it and set ``regex``; override the two methods.

    ``regex`` is matched with ``re.fullmatch`` against one path segment (or, when
    ``matches_slash`` is true, against the whole rest of the path, slashes included).
    Remember that ``.`` does not match a newline unless the regex starts with ``(?s)``.
    ``to_python`` may raise ``ValueError`` to say "this text does not match after all";
    the router then tries the next candidate route. ``to_string`` raises ``TypeError`` or
    ``ValueError`` for a value it cannot write; ``url_for`` reports that as a URLBuildError.
    The defaults pass strings through unchanged.
    """

    regex: str
    matches_slash: bool = False

    def to_python(self, value: str) -> Any:
        return value

    def to_string(self, value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError(f"expected a str, got {type(value).__name__}")
        return value

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class StringConverter(Converter):
    """``{name}`` or ``{name:str}``: one non-empty segment, as text.

    ``to_string`` also accepts an int or a UUID (written with ``str()``), because
    ``url_for("user", user_id=user.id)`` is too common to refuse. A ``/`` in the value is
    allowed and quoted as ``%2F``; note that ASGI servers decode ``%2F`` back to ``/`` in the
    path they hand over, so such a URL reaches a different route.
    """

    regex = "[^/]+"

    def to_string(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | uuid.UUID):
            raise TypeError(f"expected a str, int or UUID, got {type(value).__name__}")
        text = str(value)
        if not text:
            raise ValueError("an empty string cannot fill a path segment")
        return text


class IntegerConverter(Converter):
    """``{name:int}``: ASCII digits only, so no sign; the value is a non-negative ``int``."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        # int() also raises ValueError past sys.get_int_max_str_digits(): then no match.
        return int(value)

    def to_string(self, value: Any) -> str:
        # bool is a subclass of int, but /items/True is never what the caller meant.
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected an int, got {type(value).__name__}")
        if value < 0:
            raise ValueError(f"{value} is negative; the int converter matches digits only")
        return str(value)


class FloatConverter(Converter):
    """``{name:float}``: ``123`` or ``1.5`` (no sign, no exponent); the value is a ``float``."""

    regex = r"[0-9]+(\.[0-9]+)?"

    def to_python(self, value: str) -> float:
        number = float(value)
        if not math.isfinite(number):  # a 400-digit string overflows to inf
            raise ValueError(f"{value!r} is too large for a float")
        return number

    def to_string(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"expected a float or an int, got {type(value).__name__}")
        try:
            number = float(value)
        except OverflowError:
            raise ValueError(f"{value} is too large for a float") from None
        if not math.isfinite(number) or number < 0:
            raise ValueError(f"{value!r} is not a finite number >= 0")
        if isinstance(value, int):
            return str(value)
        # repr() is the shortest text that reads back as the same float, but it may use an
        # exponent ("1e+16") that the regex refuses; Decimal writes the same digits in full.
        return format(Decimal(repr(number + 0.0)), "f")  # + 0.0 turns -0.0 into 0.0


class UUIDConverter(Converter):
    """``{name:uuid}``: canonical 8-4-4-4-12 hex (either case); the value is a ``uuid.UUID``."""

    regex = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

    def to_python(self, value: str) -> uuid.UUID:
        return uuid.UUID(value)

    def to_string(self, value: Any) -> str:
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, str):
            return str(uuid.UUID(value))  # ValueError if it does not parse
        raise TypeError(f"expected a UUID or a str, got {type(value).__name__}")


class PathConverter(Converter):
    """``{name:path}``: the rest of the path, slashes included; may be empty.

    ``/static/{file:path}`` matches ``/static/`` (file ``""``) and ``/static/css/a.css``
    (file ``"css/a.css"``), but not ``/static``, as in Starlette. It must be the last segment.
    """

    regex = "(?s).*"  # (?s): "." also matches a newline, which a decoded %0A can put there
    matches_slash = True


_REGISTRY: dict[str, Converter] = {
    "str": StringConverter(),
    "int": IntegerConverter(),
    "float": FloatConverter(),
    "uuid": UUIDConverter(),
    "path": PathConverter(),
}


def validate_converter(name: str, converter: Converter) -> None:
    """Check a converter before it is registered (globally or on one router)."""
    if not isinstance(converter, Converter):
        raise TypeError(
            f"converter {name!r} must be an instance of covet.router.Converter, got {converter!r}"
        )
    if not isinstance(name, str) or not name.isidentifier():
        raise ConverterError(f"converter name {name!r} is not a valid identifier")
    regex = getattr(converter, "regex", None)
    if not isinstance(regex, str):
        raise ConverterError(f"converter {name!r} has no regex: set `regex = ...` on its class")
    try:
        re.compile(regex)
    except re.error as exc:
        raise ConverterError(f"converter {name!r} has an invalid regex {regex!r}: {exc}") from exc


def register_converter(name: str, converter: Converter, *, replace: bool = False) -> None:
    """Make ``{param:name}`` available to every router.

    Registering a name twice is an error unless ``replace=True``: two libraries quietly
    fighting over ``{x:slug}`` would change which URLs match. Register converters before
    the routes that use them; a route keeps the converter it was compiled with.
    """
    validate_converter(name, converter)
    if name in _REGISTRY and not replace:
        raise ConverterError(
            f"a converter named {name!r} is already registered ({_REGISTRY[name]!r}); "
            "pass replace=True to replace it"
        )
    _REGISTRY[name] = converter


def get_converter(name: str) -> Converter:
    """The globally registered converter called ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(_REGISTRY)
        raise ConverterError(f"no converter named {name!r}; registered: {known}") from None


def registered_converters() -> dict[str, Converter]:
    """A copy of the global registry, in registration order."""
    return dict(_REGISTRY)
