"""``ImmutableMultiDict``: a read-only mapping in which a name may have several values.

Query strings and forms are lists of ``name=value`` pairs where a name may repeat
(``?tag=a&tag=b``, a group of checkboxes). A ``dict`` would keep one value per name and a
``dict`` of lists would make every lookup return a list, so this mapping keeps the pairs and
offers both views:

- ``d[name]`` returns the **last** value, as Django does: the later occurrence is the one a
  form or a link builder most likely meant to win;
- ``d.getlist(name)`` returns every value, in order;
- ``keys()``, ``items()``, ``len()`` treat each name once; ``multi_items()`` has every pair.

:class:`~covet.asgi.queryparams.QueryParams` and :class:`~covet.asgi.forms.FormData` are the
two kinds CovetPy builds. Header fields are not one: their names ignore case and their first
value is the one that counts (see ``headers.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TypeVar

__all__ = ["ImmutableMultiDict"]

_V = TypeVar("_V")


class ImmutableMultiDict(Mapping[str, _V]):
    """An immutable mapping of names to values where a name may occur several times.

    Build it from ``(name, value)`` pairs, or from a mapping (one value per name).
    """

    def __init__(self, items: Iterable[tuple[str, _V]] | Mapping[str, _V] = ()) -> None:
        pairs = list(items.items() if isinstance(items, Mapping) else items)
        self._list: list[tuple[str, _V]] = pairs
        self._dict: dict[str, _V] = dict(pairs)  # a later pair overwrites an earlier one

    def getlist(self, key: str) -> list[_V]:
        """Every value given for ``key``, in order; ``[]`` if absent."""
        return [value for name, value in self._list if name == key]

    def multi_items(self) -> list[tuple[str, _V]]:
        """Every ``(name, value)`` pair, repeated names included, in order."""
        return list(self._list)

    def __getitem__(self, key: str) -> _V:
        """The last value given for ``key``; raises ``KeyError`` if absent."""
        return self._dict[key]

    def __contains__(self, key: object) -> bool:
        return key in self._dict

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __eq__(self, other: object) -> bool:
        # The order of different names carries no meaning; the order of one name's values
        # does, as it decides d[name]. Sorting by name only is stable, so it keeps that order.
        # Only the same kind compares equal: a query string is not a form with the same pairs.
        if not isinstance(other, ImmutableMultiDict) or type(other) is not type(self):
            return NotImplemented
        return sorted(self._list, key=lambda pair: pair[0]) == sorted(
            other._list, key=lambda pair: pair[0]
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._list!r})"
