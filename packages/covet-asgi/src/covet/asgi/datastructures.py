"""The small value types a request and a response are made of.

- :class:`Headers` / :class:`MutableHeaders`: HTTP header fields, case-insensitive and
  multi-valued, stored as the ``(bytes, bytes)`` pairs ASGI uses.
- :class:`QueryParams`: the ``?a=1&b=2`` part of a URL, multi-valued.
- :class:`URL`: a URL and its parts, built from a string or from an ASGI scope.
- :class:`Address`: a ``(host, port)`` pair, such as the client's.
- :class:`State`: a bag of attributes for application or request state.

Each one is built from what ASGI hands over (a scope, raw header pairs, a query string), so it
is always clear where a value came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple, Self, TypeVar, overload
from urllib.parse import SplitResult, quote, unquote_plus, urlencode, urlsplit

from covet.asgi.types import Scope

__all__ = [
    "URL",
    "Address",
    "Headers",
    "MutableHeaders",
    "QueryParams",
    "State",
    "parse_query_string",
]


# --- headers -------------------------------------------------------------------------------

_T = TypeVar("_T")
_ABSENT: Any = object()  # "no such field", where None could be a default passed in


def _field_name(key: str) -> bytes:
    """The stored form of a header name: latin-1 bytes, ASCII letters lower-cased.

    ``bytes.lower()`` is used on both sides (stored names and looked-up keys), so a lookup
    matches the bytes a server sent, whatever they are. A key with characters beyond latin-1
    cannot name a field; they become ``?``, which no valid field name contains.
    """
    return key.encode("latin-1", errors="replace").lower()


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
        return any(field == name for field, _ in self._list)

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
        result: list[tuple[bytes, bytes]] = []
        placed = False
        for field, old in self._list:
            if field != name:
                result.append((field, old))
            elif not placed:
                result.append((name, encoded))
                placed = True
        if not placed:
            result.append((name, encoded))
        self._list[:] = result

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


# --- query parameters ----------------------------------------------------------------------


def _decode_query_text(text: str) -> str:
    # Most names and values hold no escape at all; only those that do go through unquote_plus.
    return unquote_plus(text) if "%" in text or "+" in text else text


def parse_query_string(query: str) -> list[tuple[str, str]]:
    """``"a=1&b=&c"`` -> ``[("a", "1"), ("b", ""), ("c", "")]``, decoding ``+`` and ``%XX``.

    The same pairs as ``urllib.parse.parse_qsl(query, keep_blank_values=True)`` (a property
    test holds the two together), about three times faster for a typical query string:
    parse_qsl makes several calls per name and per value even when there is nothing to
    decode, and every request with a query parameter pays for it.
    """
    pairs = []
    for field in query.split("&"):
        if field:
            name, _, value = field.partition("=")
            pairs.append((_decode_query_text(name), _decode_query_text(value)))
    return pairs


class QueryParams(Mapping[str, str]):
    """The query string of a URL as an immutable, multi-valued mapping.

    Build it from a query string (``"a=1&a=2&b="``, ``str`` or the ``bytes`` of
    ``scope["query_string"]``), from a list of pairs, or from a mapping. Percent-escapes are
    decoded as UTF-8 and blank values are kept (``?flag=`` gives ``{"flag": ""}``).

    - ``params[key]`` returns the **last** value, as Django does: the later occurrence is the
      one a form or a link builder most likely meant to win;
    - ``params.getlist(key)`` returns every value, in order;
    - ``keys()``, ``items()``, ``len()`` treat each name once; ``multi_items()`` has them all.

    ``str(params)`` encodes it back into a query string.
    """

    def __init__(
        self,
        params: str | bytes | Iterable[tuple[str, str]] | Mapping[str, str] | None = None,
    ) -> None:
        if params is None:
            pairs: list[tuple[str, str]] = []
        elif isinstance(params, bytes):
            # A query string is ASCII on the wire; latin-1 maps any stray byte to one char
            # instead of failing, then the %-escapes are decoded as UTF-8.
            pairs = parse_query_string(params.decode("latin-1"))
        elif isinstance(params, str):
            pairs = parse_query_string(params)
        elif isinstance(params, QueryParams):
            pairs = params.multi_items()
        elif isinstance(params, Mapping):
            pairs = [(str(key), str(value)) for key, value in params.items()]
        else:
            pairs = [(str(key), str(value)) for key, value in params]
        self._list = pairs
        self._dict = dict(pairs)  # a later pair overwrites an earlier one: last one wins

    def getlist(self, key: str) -> list[str]:
        """Every value given for ``key``, in order; ``[]`` if absent."""
        return [value for name, value in self._list if name == key]

    def multi_items(self) -> list[tuple[str, str]]:
        """Every ``(name, value)`` pair, repeated names included, in order."""
        return list(self._list)

    def __getitem__(self, key: str) -> str:
        """The last value given for ``key``; raises ``KeyError`` if absent."""
        return self._dict[key]

    def __contains__(self, key: object) -> bool:
        return key in self._dict

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __eq__(self, other: object) -> bool:
        # Stable sort by name only: the order of one name's values decides params[name].
        if not isinstance(other, QueryParams):
            return NotImplemented
        return sorted(self._list, key=lambda pair: pair[0]) == sorted(
            other._list, key=lambda pair: pair[0]
        )

    def __str__(self) -> str:
        return urlencode(self._list)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


# --- URL -----------------------------------------------------------------------------------

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

# RFC 3986 lets these appear unescaped in a path; everything else in a decoded path (spaces,
# non-ASCII letters, a literal "%") is percent-encoded when a URL is built from a scope.
_PATH_SAFE = "/:@!$&'()*+,;="


class URL:
    """A URL, with its parts as properties. It compares equal to its string form.

    ``URL("https://example.com:8443/a?b=1")`` parses a string. ``URL(scope=scope)`` rebuilds
    the URL a request was made to: scheme from the scope, host from the ``Host`` header (or the
    server address), then path and query string. The path is percent-encoded there, so the
    result is always a valid URL; the decoded path is ``scope["path"]``.

    URLs are immutable; :meth:`replace` and :meth:`include_query_params` return new ones.
    """

    def __init__(self, url: str = "", *, scope: Scope | None = None) -> None:
        if scope is not None:
            if url:
                raise TypeError("URL takes a string or scope=, not both")
            url = self._from_scope(scope)
        self._url = url
        self._parts: SplitResult | None = None

    @staticmethod
    def _from_scope(scope: Scope) -> str:
        scheme: str = scope.get("scheme", "http")
        # The ASGI spec has "path" include "root_path" (the mount prefix); some older servers
        # strip it, so add it back only when it is missing.
        root_path: str = scope.get("root_path", "")
        path: str = scope["path"]
        if root_path and not path.startswith(root_path):
            path = root_path + path
        url = quote(path, safe=_PATH_SAFE)
        query_string: bytes = scope.get("query_string", b"")
        if query_string:
            url += "?" + query_string.decode("latin-1")

        host = Headers(scope=scope).get("host") if "headers" in scope else None
        if host:
            return f"{scheme}://{host}{url}"
        server = scope.get("server")
        if server is None:
            return url  # no host known: a relative URL is the honest answer
        hostname, port = server
        if ":" in hostname:  # an IPv6 address needs brackets in a URL
            hostname = f"[{hostname}]"
        if port is None or port == _DEFAULT_PORTS.get(scheme):
            return f"{scheme}://{hostname}{url}"
        return f"{scheme}://{hostname}:{port}{url}"

    @property
    def _split(self) -> SplitResult:
        if self._parts is None:
            self._parts = urlsplit(self._url)
        return self._parts

    @property
    def scheme(self) -> str:
        """``"https"`` in ``https://example.com/``; ``""`` for a relative URL."""
        return self._split.scheme

    @property
    def netloc(self) -> str:
        """``"user@example.com:8443"``: user info, host and port as written."""
        return self._split.netloc

    @property
    def hostname(self) -> str | None:
        """The host, lower-cased, without brackets or port; ``None`` if there is none."""
        return self._split.hostname

    @property
    def port(self) -> int | None:
        """The port written in the URL, or ``None`` (the scheme's default applies)."""
        return self._split.port

    @property
    def path(self) -> str:
        """The path, percent-encoded as in the URL: ``"/caf%C3%A9"``."""
        return self._split.path

    @property
    def query(self) -> str:
        """The query string without the ``?``; parse it with :class:`QueryParams`."""
        return self._split.query

    @property
    def fragment(self) -> str:
        """The part after ``#``; browsers never send it, so it is empty for requests."""
        return self._split.fragment

    @property
    def is_secure(self) -> bool:
        """True for ``https`` and ``wss``: the connection is encrypted."""
        return self.scheme in ("https", "wss")

    def replace(
        self,
        *,
        scheme: str | None = None,
        netloc: str | None = None,
        hostname: str | None = None,
        port: int | None = None,
        path: str | None = None,
        query: str | None = None,
        fragment: str | None = None,
    ) -> URL:
        """A copy with some parts changed; an argument left as ``None`` keeps that part.

        ``hostname`` and ``port`` rewrite the host part of ``netloc`` and keep any user info;
        to drop a port, pass the whole ``netloc``.
        """
        parts = self._split
        if hostname is not None or port is not None:
            userinfo, _, _ = parts.netloc.rpartition("@")
            host = hostname if hostname is not None else parts.hostname or ""
            if ":" in host:
                host = f"[{host}]"
            port = port if port is not None else parts.port
            netloc = f"{userinfo}@{host}" if userinfo else host
            if port is not None:
                netloc += f":{port}"
        return URL(
            SplitResult(
                scheme=parts.scheme if scheme is None else scheme,
                netloc=parts.netloc if netloc is None else netloc,
                path=parts.path if path is None else path,
                query=parts.query if query is None else query,
                fragment=parts.fragment if fragment is None else fragment,
            ).geturl()
        )

    def include_query_params(self, **params: str | int | float | bool) -> URL:
        """A copy with these query parameters set, replacing any earlier values of them.

        ``URL("/items?page=1&tag=a").include_query_params(page=2)`` is ``/items?tag=a&page=2``.
        """
        kept = [(k, v) for k, v in QueryParams(self.query).multi_items() if k not in params]
        added = [(key, str(value)) for key, value in params.items()]
        return self.replace(query=urlencode(kept + added))

    def __str__(self) -> str:
        return self._url

    def __repr__(self) -> str:
        return f"URL({self._url!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, URL | str):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._url)


# --- small values --------------------------------------------------------------------------


class Address(NamedTuple):
    """A network peer: ``scope["client"]`` or ``scope["server"]`` as a named pair."""

    host: str
    port: int


class State:
    """An attribute bag: ``state.db = pool`` now, ``state.db`` later.

    The application keeps one for shared objects set up at startup (connection pools, clients);
    each request gets one for values middleware computes for the handlers (the current user).
    Reading an attribute that was never set raises ``AttributeError`` naming it and listing
    what is set, which usually points at a middleware or startup hook that did not run.

    Given a ``dict``, the state is a view over it and writes go into it: a request's state
    wraps ``scope["state"]``, so a pure ASGI middleware that writes the scope and a handler
    that reads ``request.state`` see the same values. Any other mapping is copied.
    """

    _state: dict[str, Any]

    def __init__(self, state: Mapping[str, Any] | None = None) -> None:
        backing = state if isinstance(state, dict) else dict(state or {})
        # object.__setattr__ because our own __setattr__ writes into _state, not the instance.
        object.__setattr__(self, "_state", backing)

    def __setattr__(self, name: str, value: Any) -> None:
        self._state[name] = value

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails. vars() avoids recursing into __getattr__ while
        # an instance is being copied or unpickled and _state is not there yet.
        state: dict[str, Any] = vars(self).get("_state", {})
        try:
            return state[name]
        except KeyError:
            known = ", ".join(sorted(state)) or "nothing yet"
            raise AttributeError(
                f"State has no attribute {name!r} (set: {known}); "
                f"assign it first, e.g. state.{name} = ..."
            ) from None

    def __delattr__(self, name: str) -> None:
        try:
            del self._state[name]
        except KeyError:
            raise AttributeError(f"State has no attribute {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._state

    def __repr__(self) -> str:
        return f"State({self._state!r})"
