"""JSON encoding and decoding with one behaviour, whichever library does the work.

CovetPy uses orjson when it is installed (``pip install covet-asgi[orjson]``): it is several
times faster than the standard library. Without it, the stdlib ``json`` module does the job.
An application must not behave differently depending on what happens to be installed, so both
paths here produce the *same bytes* for the types a web API sends:

====================  ===================================================================
Python value          JSON
====================  ===================================================================
dict, list, tuple     object, array (dict keys of type int, float, bool, None become
                      strings, as the stdlib does)
str (any language)    string, written as UTF-8, not as ``\\u`` escapes
int, float, bool      number, ``true``/``false``; ``None`` is ``null``
datetime, date, time  ISO 8601 string: ``value.isoformat()``
uuid.UUID             its canonical string, ``"12345678-1234-5678-1234-567812345678"``
decimal.Decimal       a *string*, ``"12.50"``: a JSON number would be read back as a binary
                      float by most clients (JavaScript's ``JSON.parse`` for one) and lose
                      the exactness that is the reason to use Decimal
enum.Enum             its ``value``
dataclass instance    an object of its fields, in declaration order
anything else         ``TypeError`` naming the type
====================  ===================================================================

How parity is reached: orjson is told to *pass through* datetimes and dataclasses (it formats
some time zones and dataclasses its own way), so they reach the same :func:`default` hook the
stdlib path uses. Known differences that remain, both outside valid JSON data:

- float spelling of very small or large numbers: orjson writes ``1e16``, the stdlib ``1e+16``.
  The value read back is identical.
- Integers beyond 64 bits: orjson raises ``TypeError``, the stdlib writes them.

NaN and Infinity have no JSON spelling: both paths write ``null``.

Decoding: :func:`loads` accepts ``bytes`` (which must be UTF-8, as RFC 8259 requires) or
``str``, and every malformed input raises :class:`json.JSONDecodeError` (orjson's error is a
subclass of it), whose ``lineno`` and ``colno`` say where the document broke. Both backends
refuse the same documents with the *same message*: when orjson refuses one, the standard
library path is run on it to word the error, and that path refuses what orjson refuses beyond
the grammar: numbers that do not fit a double (``1e999``, an integer of 400 digits), strings
with a lone surrogate (``"\\ud800"``) and nesting deeper than the interpreter can follow
(``"[" * 100000``; the standard library stops near 1,000 levels, orjson at 1,024, so a
document nested between the two is accepted by orjson only). One difference remains on valid
input: orjson reads an integer beyond 64 bits as a float, the standard library as an int.

``stdlib_dumps`` and ``stdlib_loads`` are importable so tests and benchmarks can run the
fallback even where orjson is installed.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import json
import math
import re
import uuid
from collections.abc import Callable
from typing import Any, NoReturn

__all__ = ["BACKEND", "default", "dumps", "loads", "stdlib_dumps", "stdlib_loads"]


def default(obj: Any) -> Any:
    """Turn a value neither encoder knows into one it does; both backends call this hook.

    Returns a JSON-ready replacement (which may itself contain values needing this hook, such
    as a dataclass holding a datetime). Raises ``TypeError`` naming the type otherwise.
    """
    if isinstance(obj, datetime.date | datetime.time):  # datetime is a subclass of date
        return obj.isoformat()
    if isinstance(obj, uuid.UUID | decimal.Decimal):
        return str(obj)
    if isinstance(obj, enum.Enum):
        return obj.value
    # is_dataclass() is also true of the class itself; only instances hold data.
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        # Shallow on purpose: the encoder recurses into the field values itself, and
        # dataclasses.asdict() would deep-copy every value on the way.
        return {field.name: getattr(obj, field.name) for field in dataclasses.fields(obj)}
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


# --- the standard library path -------------------------------------------------------------

_ENCODER = json.JSONEncoder(
    ensure_ascii=False,  # UTF-8 text on the wire, as orjson writes it
    separators=(",", ":"),  # no spaces: the compact form orjson writes
    allow_nan=False,  # NaN/Infinity are not JSON: raise, and stdlib_dumps writes null
    default=default,
)

# Skips string literals (which may contain the word "NaN") and captures a bare constant.
_CONSTANT_OUTSIDE_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


# The same encoder, but writing NaN and Infinity (as the non-JSON tokens) for stdlib_dumps to
# replace with null.
_NAN_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=True, default=default
)


def stdlib_dumps(obj: Any) -> bytes:
    """Encode ``obj`` as compact UTF-8 JSON with the standard library.

    NaN and infinities are written as ``null``, as orjson writes them: they have no JSON
    spelling, and a value a client sent (a pydantic float field accepts ``"1e999"``) must not
    make the response fail with one backend and not the other.
    """
    try:
        return _ENCODER.encode(obj).encode("utf-8")
    except ValueError:
        # Only a non-finite float (or a circular reference, which raises again here) gets
        # this far, so the common case pays nothing for it.
        text = _NAN_ENCODER.encode(obj)
        return _CONSTANT_OUTSIDE_STRINGS.sub(_null_for_constant, text).encode("utf-8")


def _null_for_constant(match: re.Match[str]) -> str:
    return "null" if match.group(1) else match.group(0)


def stdlib_loads(data: bytes | str) -> Any:
    """Decode JSON with the standard library, as strictly as orjson does.

    Gaps in ``json.loads`` are closed so both backends reject the same documents, always with
    :class:`json.JSONDecodeError`: bytes that are not UTF-8 (``json.loads`` would raise
    ``UnicodeDecodeError``), the non-standard literals ``NaN``, ``Infinity`` and ``-Infinity``
    (which it accepts), numbers beyond a double's range (it reads ``1e999`` as infinity, and
    past 4,300 digits ``int()`` raises ``ValueError``), lone surrogates, and nesting deep
    enough to raise ``RecursionError``.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            document = raw.decode("utf-8", errors="replace")
            raise json.JSONDecodeError("Invalid UTF-8 byte", document, exc.start) from None
    else:
        text = data
    # parse_int costs a Python call per integer, so it is set only when a long one is present.
    parse_int = _int_in_double_range(text) if _LONG_DIGITS.search(text) else None
    try:
        value = json.loads(
            text,
            parse_constant=lambda name: _reject_constant(name, text),
            parse_float=lambda literal: _finite_float(literal, text),
            parse_int=parse_int,
        )
    except RecursionError:
        raise json.JSONDecodeError("Nesting is too deep", text, 0) from None
    surrogate = _SURROGATE_ESCAPE.search(text)
    if surrogate is not None and _has_lone_surrogate(value):
        raise json.JSONDecodeError("Lone surrogate in string", text, surrogate.start())
    return value


def _reject_constant(name: str, document: str) -> NoReturn:
    # json calls parse_constant without saying where the constant was; find its position.
    matches = _CONSTANT_OUTSIDE_STRINGS.finditer(document)
    position = next((m.start(1) for m in matches if m.group(1) == name), 0)
    raise json.JSONDecodeError(f"{name} is not valid JSON", document, position)


# An integer this long may not fit a double (whose largest value has 309 digits). The
# look-behind starts a match only where a run of digits starts, so the search stays linear.
_LONG_DIGITS = re.compile(r"(?<![0-9])[0-9]{309}")
# \uD800 to \uDFFF: half of a surrogate pair, which json.loads lets stand alone.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _too_large(literal: str, document: str) -> NoReturn:
    position = max(document.find(literal), 0)
    raise json.JSONDecodeError("Number is too large", document, position)


def _finite_float(literal: str, document: str) -> float:
    value = float(literal)
    if math.isinf(value):
        _too_large(literal, document)
    return value


def _int_in_double_range(document: str) -> Callable[[str], int]:
    def parse_int(literal: str) -> int:
        try:
            value = int(literal)  # ValueError past sys.get_int_max_str_digits()
            float(value)  # OverflowError beyond a double, where orjson refuses the number
        except (ValueError, OverflowError):
            _too_large(literal, document)
        return value

    return parse_int


def _has_lone_surrogate(value: Any) -> bool:
    """Whether any string (or key) in the decoded ``value`` holds an unpaired surrogate."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


# --- choose the backend --------------------------------------------------------------------

try:
    import orjson
except ImportError:
    _HAVE_ORJSON = False
else:
    _HAVE_ORJSON = True

BACKEND: str = "orjson" if _HAVE_ORJSON else "json"
"""Which library encodes and decodes: ``"orjson"`` or ``"json"``."""

if _HAVE_ORJSON:
    _ORJSON_OPTIONS = (
        orjson.OPT_NON_STR_KEYS  # {1: "a"} -> {"1":"a"}, as the stdlib does
        | orjson.OPT_PASSTHROUGH_DATETIME  # let default() write ISO 8601 for every time zone
        | orjson.OPT_PASSTHROUGH_DATACLASS  # let default() write dataclasses, as above
    )

    def dumps(obj: Any) -> bytes:
        """Encode ``obj`` as compact UTF-8 JSON bytes (orjson backend).

        orjson writes at most 254 levels of nesting, while both decoders read about 1,000: a
        handler echoing a client's deeply nested document would fail with this backend
        only, so such a document is written by the stdlib path instead.
        """
        try:
            return orjson.dumps(obj, default=default, option=_ORJSON_OPTIONS)
        except orjson.JSONEncodeError as exc:
            if str(exc) != "Recursion limit reached":
                raise
            return stdlib_dumps(obj)

    def loads(data: bytes | str) -> Any:
        """Decode a JSON document; raises :class:`json.JSONDecodeError` (orjson backend).

        The error is worded by the standard library path, so it reads the same whichever
        backend is installed; only a document that path accepts keeps orjson's own message.
        """
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            stdlib_loads(data)  # raises the same document's error, worded as the stdlib path
            raise exc from None

else:

    def dumps(obj: Any) -> bytes:
        """Encode ``obj`` as compact UTF-8 JSON bytes (stdlib backend)."""
        return stdlib_dumps(obj)

    def loads(data: bytes | str) -> Any:
        """Decode a JSON document; raises :class:`json.JSONDecodeError` (stdlib backend)."""
        return stdlib_loads(data)
