"""Escaping: what keeps names and pattern text from changing the meaning of SQL.

Two kinds of text end up *inside* SQL rather than beside it as bound parameters:

- **Identifiers** (table, column and alias names): quoted by the dialect, and checked first
  against :data:`IDENTIFIER`, so quoting never has to cope with hostile input. A name only
  ever comes from a model's declaration, never from a request.
- **Patterns** of ``contains``/``startswith``/``endswith``: the value is still a bound
  parameter, but LIKE and GLOB read wildcards in it. ``escape_like`` and ``escape_glob`` make
  a user's ``%``, ``_``, ``*``, ``?`` and ``[`` match only themselves.

``dialects.py`` uses these; they need no dialect, so they are tested on their own.
"""

from __future__ import annotations

import functools
import re

from covet.orm.errors import FieldError

__all__ = ["IDENTIFIER", "check_identifier", "escape_glob", "escape_like", "wrap_pattern"]

#: What a table, column or alias name may look like. Anything else is refused before it gets
#: near SQL text, so quoting never has to cope with hostile input.
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def check_identifier(name: str, what: str = "identifier") -> str:
    """Return ``name`` if it is a plain SQL identifier, else raise :class:`FieldError`."""
    if not isinstance(name, str) or not _is_identifier(name):
        raise FieldError(
            f"invalid {what} {name!r}: use letters, digits and underscores, not starting with "
            "a digit, at most 63 characters"
        )
    return name


@functools.lru_cache(maxsize=4096)
def _is_identifier(name: str) -> bool:
    # Remembered: every compiled query quotes its table and column names again, and the
    # answer for a name never changes. Only the few names a program uses are kept.
    return IDENTIFIER.fullmatch(name) is not None


def escape_like(text: str) -> str:
    """Escape LIKE's wildcards so that ``%`` and ``_`` in ``text`` match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def escape_glob(text: str) -> str:
    """Escape GLOB's wildcards (``*``, ``?``, ``[``) by putting each in a one-character class."""
    return "".join(f"[{char}]" if char in "*?[" else char for char in text)


def wrap_pattern(escaped: str, kind: str, wildcard: str) -> str:
    """``contains``/``startswith``/``endswith`` as a pattern: the wildcard on the open side(s)."""
    before = wildcard if kind in ("contains", "endswith") else ""
    after = wildcard if kind in ("contains", "startswith") else ""
    return f"{before}{escaped}{after}"
