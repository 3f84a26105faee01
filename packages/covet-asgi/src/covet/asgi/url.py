"""Where a request goes and where it comes from: :class:`URL` and :class:`Address`.

A :class:`URL` is rebuilt from the ASGI scope (scheme, ``Host`` header or server address,
path, query string); an :class:`Address` is the scope's ``client`` or ``server`` pair.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import SplitResult, quote, urlencode, urlsplit

from covet.asgi.headers import Headers
from covet.asgi.queryparams import QueryParams
from covet.asgi.types import Scope

__all__ = ["URL", "Address", "is_valid_host"]

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

# RFC 3986 lets these appear unescaped in a path; everything else in a decoded path (spaces,
# non-ASCII letters, a literal "%") is percent-encoded when a URL is built from a scope.
_PATH_SAFE = "/:@!$&'()*+,;="

#: A host name: dot-separated labels of letters, digits, "-" and "_", with an optional final
#: dot; an IPv4 address is one too. No "/", "@", "?" or empty label can slip through into a URL.
HOST_NAME = r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?"
#: A ``Host`` header (lower-cased): a name or a bracketed IPv6 address, and an optional port.
HOST_HEADER = re.compile(
    rf"(?:\[(?P<ipv6>[0-9a-f:.]+)\]|(?P<name>{HOST_NAME}))(?::(?P<port>[0-9]*))?"
)


def is_valid_host(value: str) -> bool:
    """Whether a ``Host`` header value is a host and port a URL can be built on.

    ``example.com``, ``example.com:8000``, ``10.0.0.1``, ``[::1]:8000`` are; ``[``, ``a]b``,
    ``evil.com/x?``, ``user@host`` and ``host:99999`` are not.
    """
    match = HOST_HEADER.fullmatch(value.lower())
    if match is None:
        return False
    port = match["port"]
    if port and (len(port) > 5 or int(port) > 65535):
        return False
    if match["ipv6"] is not None:
        # Imported here: only a bracketed address needs it, and most Host headers are names.
        import ipaddress

        try:
            ipaddress.IPv6Address(match["ipv6"])
        except ValueError:
            return False
    return True


class URL:
    """A URL, with its parts as properties. It compares equal to its string form.

    ``URL("https://example.com:8443/a?b=1")`` parses a string. ``URL(scope=scope)`` rebuilds
    the URL a request was made to: scheme from the scope, host from the ``Host`` header (or the
    server address, when the header is missing or not a valid host), then path and query
    string. The path is percent-encoded there, so the
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
        # Without TrustedHostMiddleware any text can arrive as Host. One that is not a host
        # (``[``, ``evil.com/x?``) is treated as absent: pasted into a URL it would break
        # parsing or smuggle a path into a redirect's Location.
        if host and is_valid_host(host.strip()):
            return f"{scheme}://{host.strip()}{url}"
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


class Address(NamedTuple):
    """A network peer: ``scope["client"]`` or ``scope["server"]`` as a named pair."""

    host: str
    port: int
