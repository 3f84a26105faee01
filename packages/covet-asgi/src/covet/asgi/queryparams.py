"""The query string of a URL: :func:`parse_query_string` and :class:`QueryParams`.

``?tag=a&tag=b&page=`` is a list of name/value pairs in which a name may repeat and a value
may be blank; :class:`QueryParams` keeps that list and answers lookups from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import unquote_plus, urlencode

from covet.asgi.multidict import ImmutableMultiDict

__all__ = ["QueryParams", "parse_query_string"]


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


class QueryParams(ImmutableMultiDict[str]):
    """The query string of a URL as an immutable, multi-valued mapping.

    Build it from a query string (``"a=1&a=2&b="``, ``str`` or the ``bytes`` of
    ``scope["query_string"]``), from a list of pairs, or from a mapping. Percent-escapes are
    decoded as UTF-8 and blank values are kept (``?flag=`` gives ``{"flag": ""}``).

    As in every :class:`~covet.asgi.multidict.ImmutableMultiDict`, ``params[key]`` returns the
    **last** value and ``params.getlist(key)`` every value, in order.

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
        super().__init__(pairs)

    def __str__(self) -> str:
        return urlencode(self._list)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"
