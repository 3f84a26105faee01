"""HTTP header fields: :class:`Headers` to read them, :class:`MutableHeaders` to build them.

A header name may occur several times and compares without regard to case, so neither a
``dict`` nor a ``dict`` of lists fits. Both classes keep what ASGI uses, a list of
``(bytes, bytes)`` pairs, and decode on lookup: the bytes a response sends are exactly the
ones these methods produced.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Self, TypeVar, overload

from covet.asgi.types import Scope

__all__ = ["Headers", "MutableHeaders", "request_header"]

_T = TypeVar("_T")
_ABSENT: Any = object()  # "no such field", where None could be a default passed in


@functools.lru_cache(maxsize=256)
def _field_name(key: str) -> bytes:
    """The stored form of a header name: latin-1 bytes, ASCII letters lower-cased.

    ``bytes.lower()`` is used on both sides (stored names and looked-up keys), so a lookup
    matches the bytes a server sent, whatever they are. A key with characters beyond latin-1
    cannot name a field; they become ``?``, which no valid field name contains.

    Cached: the keys are nearly always the same few names written in code ("host",
    "content-type", "vary"...), looked up several times a request, and the cache's hit
    costs less than the encoding call. Bounded, since a key may also come from a client.
    """
    return key.encode("latin-1", errors="replace").lower()


def request_header(scope: Scope, key: str) -> str | None:
    """The first value of the request header ``key``, read from the scope; ``None`` if absent.

    ``Headers(scope=scope).get(key)`` without the Headers: for middleware that reads one
    field of every request (``host``, ``origin``, ``accept-encoding``), building a
    lower-cased copy of every field to find one cost more than the rest of its work.
    """
    name = _field_name(key)
    size = len(name)
    for field, value in scope["headers"]:
        # Servers send names lower-cased (the ASGI specification asks them to): equal bytes
        # match at once, and only a field of the same length is lower-cased to compare.
        if field == name or (len(field) == size and field.lower() == name):
            found: str = value.decode("latin-1")
            return found
    return None


def _encode_header(name: str, value: str) -> tuple[bytes, bytes]:
    """Encode one header field for the wire, refusing what would corrupt the message.

    A CR or LF inside a value would let a caller end the header and start another one
    ("response splitting"), so such values are refused rather than sent.
    """
    for part in (name, value):
        if "\r" in part or "\n" in part or "\0" in part:
            raise ValueError(f"header {name!r} contains a CR, LF or NUL character: {part!r}")
    try:
        return name.encode("latin-1").lower(), value.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(
            f"header {name!r} has characters outside latin-1: {value!r}; "
            "HTTP headers carry bytes, so percent-encode such text first"
        ) from None


class Headers(Mapping[str, str]):
    """Immutable, case-insensitive HTTP header fields, where a name may appear several times.

    Build it from exactly one source::

        Headers({"Content-Type": "text/plain"})           # a mapping of str to str
        Headers(raw=[(b"accept", b"text/html")])          # the pairs ASGI sends and receives
        Headers(scope=scope)                               # a request's headers

    Names are stored lower-cased, so ``headers["Content-Type"]`` and ``headers["content-type"]``
    find the same field. Values are decoded as latin-1, the byte-for-byte encoding HTTP uses.

    A field can occur more than once (``Set-Cookie``, ``Accept`` sent twice...), hence:

    - ``headers[name]`` returns the **first** value, as most headers occur once;
    - ``headers.getlist(name)`` returns every value, in order;
    - iterating, ``len()``, ``keys()``, ``values()`` and ``items()`` go over **every** field,
      so a repeated name appears once per occurrence.
    """

    def __init__(
        self,
        headers: Mapping[str, str] | None = None,
        *,
        raw: Iterable[tuple[bytes, bytes]] | None = None,
        scope: Scope | None = None,
    ) -> None:
        # Counted by hand rather than with sum() over a generator: every request and every
        # response builds Headers, and the generator costs more than the rest of this check.
        if (headers is not None) + (raw is not None) + (scope is not None) > 1:
            raise TypeError("Headers takes only one of: a mapping, raw=, scope=")
        self._list: list[tuple[bytes, bytes]]
        if headers is not None:
            self._list = [_encode_header(name, value) for name, value in headers.items()]
        else:
            if scope is not None:
                raw = scope["headers"]
            # The ASGI spec lets servers keep the sender's case ("Header names should be
            # lowercased, but it is not required"), so lower-case here once for every lookup.
            self._list = [(name.lower(), value) for name, value in raw or ()]

    @classmethod
    def from_lowercase_raw(cls, raw: list[tuple[bytes, bytes]]) -> Self:
        """Headers over ``raw`` itself, whose names the caller has already lower-cased.

        ``Headers(raw=...)`` copies the pairs and lower-cases every name, since a server may
        send any case. CovetPy's responses build their first fields themselves, lower-case,
        for every response: this skips that pass. The list belongs to the headers after.
        """
        headers = cls.__new__(cls)
        headers._list = raw
        return headers

    @property
    def raw(self) -> list[tuple[bytes, bytes]]:
        """The fields as ``(name, value)`` byte pairs, names lower-cased: what ASGI sends."""
        return list(self._list)

    def getlist(self, key: str) -> list[str]:
        """Every value of the field ``key``, in the order received; ``[]`` if absent."""
        name = _field_name(key)
        return [value.decode("latin-1") for field, value in self._list if field == name]

    # A multi-valued mapping cannot honour the single-value views of Mapping, so these return
    # lists of every field instead (as Starlette's Headers do).
    def keys(self) -> list[str]:  # type: ignore[override]
        """Every field name, lower-cased, repeated names included."""
        return [name.decode("latin-1") for name, _ in self._list]

    def values(self) -> list[str]:  # type: ignore[override]
        """Every field value, in order."""
        return [value.decode("latin-1") for _, value in self._list]

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        """Every field as a ``(name, value)`` pair of strings, in order."""
        return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in self._list]

    def __getitem__(self, key: str) -> str:
        """The first value of ``key``; raises ``KeyError`` if the field is absent."""
        value = self.get(key, _ABSENT)
        if value is _ABSENT:
            raise KeyError(key)
        return value

    @overload
    def get(self, key: str) -> str | None: ...
    @overload
    def get(self, key: str, default: str | _T) -> str | _T: ...
    def get(self, key: str, default: Any = None) -> Any:
        """The first value of ``key``, or ``default`` if the field is absent.

        Written out rather than inherited: ``Mapping.get`` calls ``self[key]`` and catches
        the ``KeyError`` of an absent field, and raising costs more than the lookup itself;
        middleware asks for absent headers (``origin``, ``cookie``...) on every request.
        """
        name = _field_name(key)
        for field, value in self._list:
            if field == name:
                return value.decode("latin-1")
        return default

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        name = _field_name(key)
        # A loop, not any() over a generator: middleware asks "is this field there?" of
        # every response, and the generator object cost more than the comparisons.
        for field, _ in self._list:  # noqa: SIM110 - see above
            if field == name:
                return True
        return False

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._list)

    def __eq__(self, other: object) -> bool:
        # The order of different names carries no meaning in HTTP; the order of the values
        # of one name does. Sorting the pairs is stable, so it keeps that second order.
        if not isinstance(other, Headers):
            return NotImplemented
        return sorted(self._list, key=lambda pair: pair[0]) == sorted(
            other._list, key=lambda pair: pair[0]
        )

    def __repr__(self) -> str:
        cls = type(self).__name__
        as_dict = dict(self.items())
        if len(as_dict) == len(self):
            return f"{cls}({as_dict!r})"
        return f"{cls}(raw={self.raw!r})"


class MutableHeaders(Headers):
    """Header fields a response is still assembling; the same lookups as :class:`Headers`.

    Every change edits the list of ``(bytes, bytes)`` pairs that will be sent, so the bytes on
    the wire are exactly what these methods produced. Values containing CR or LF are refused
    with ``ValueError``: they would let a caller inject headers of their own.
    """

    def __setitem__(self, key: str, value: str) -> None:
        """Make ``value`` the only value of ``key``, kept at the position of the first one."""
        name, encoded = _encode_header(key, value)
        fields = self._list
        for index, (field, _) in enumerate(fields):
            if field == name:
                fields[index] = (name, encoded)
                # Any later value of the name goes: the one set is the only one.
                fields[index + 1 :] = [pair for pair in fields[index + 1 :] if pair[0] != name]
                return
        fields.append((name, encoded))

    def __delitem__(self, key: str) -> None:
        """Remove every value of ``key``; raises ``KeyError`` if there is none."""
        name = _field_name(key)
        kept = [(field, value) for field, value in self._list if field != name]
        if len(kept) == len(self._list):
            raise KeyError(key)
        self._list[:] = kept

    def append(self, key: str, value: str) -> None:
        """Add one more field, keeping any existing values (as ``Set-Cookie`` needs)."""
        self._list.append(_encode_header(key, value))

    def setdefault(self, key: str, value: str) -> str:
        """Return the first value of ``key``, first setting it to ``value`` if absent."""
        if key not in self:
            self.append(key, value)
            return value
        return self[key]

    def update(self, other: Mapping[str, str]) -> None:
        """Set every field of ``other``, each replacing the values of its name."""
        for key, value in other.items():
            self[key] = value
