"""The small value types a request and a response are made of, under one name.

Each lives in the module named for its concept; this module gathers them, so that
``from covet.asgi.datastructures import Headers`` (the name Starlette users know) works too:

- ``headers.py``: :class:`Headers` / :class:`MutableHeaders`, HTTP header fields,
  case-insensitive and multi-valued, stored as the ``(bytes, bytes)`` pairs ASGI uses.
- ``multidict.py``: :class:`ImmutableMultiDict`, a mapping where a name may have several values.
- ``queryparams.py``: :class:`QueryParams`, the ``?a=1&b=2`` part of a URL as such a mapping,
  and :func:`parse_query_string`, its parser.
- ``url.py``: :class:`URL`, a URL and its parts, built from a string or from an ASGI scope;
  :class:`Address`, a ``(host, port)`` pair such as the client's.
- ``state.py``: :class:`State`, a bag of attributes for application or request state.

Each one is built from what ASGI hands over (a scope, raw header pairs, a query string), so it
is always clear where a value came from.
"""

from __future__ import annotations

from covet.asgi.headers import Headers, MutableHeaders
from covet.asgi.multidict import ImmutableMultiDict
from covet.asgi.queryparams import QueryParams, parse_query_string
from covet.asgi.state import State
from covet.asgi.url import URL, Address

__all__ = [
    "URL",
    "Address",
    "Headers",
    "ImmutableMultiDict",
    "MutableHeaders",
    "QueryParams",
    "State",
    "parse_query_string",
]
