"""Reading the ``Cookie`` request header: ``session=abc; theme=dark`` -> a dict.

A browser sends every cookie it holds for the site in one header, pairs separated by ``;``.
What a browser stores is whatever some server (or script) once set, so one odd pair is
normal: a value with a space, a JSON value, a name without ``=``. The parser here does what
browsers and other frameworks do: it keeps each well-formed pair and skips only the pair it
cannot read, so a stray cookie from a tracking script never costs the user their session.

It reads in one pass, and its work is bounded whatever the client sends (the header is
client input, and parsing happens on the event loop, where a slow parser stalls every
request of the worker):

- at most :data:`MAX_COOKIE_HEADER` characters of the header are read (32 KiB, four times
  what browsers send at most); the rest is ignored;
- at most :data:`MAX_COOKIES` pairs are kept (200; browsers keep about 180 per site);
- a quoted value (``"a b"``) is unquoted by one regular-expression substitution that takes
  each backslash escape once, so the time grows with the length of the value and no faster.

Rules, pair by pair: the name is the text before the first ``=``, stripped of spaces; it
must not be empty nor hold a space, a control character, ``"``, ``,`` or ``\\`` (browsers
accept more than RFC 6265's tokens, e.g. PHP's ``items[0]``, so only what could never be a
name is refused); the value is the rest, stripped, with one pair of surrounding double
quotes removed and its ``\\"``, ``\\\\`` and ``\\NNN`` (octal) escapes undone, as
:mod:`http.cookies` writes them. A pair without ``=`` or with an invalid name is skipped.
When a name comes twice, the last value wins.
"""

from __future__ import annotations

import re

__all__ = ["MAX_COOKIES", "MAX_COOKIE_HEADER", "parse_cookie_header"]

#: Characters of the ``Cookie`` header that are read; anything after them is ignored.
MAX_COOKIE_HEADER = 32 * 1024

#: Pairs kept from one header; later ones are ignored.
MAX_COOKIES = 200

_NAME = re.compile(r'[^\x00-\x20\x7f",\\]+')
# One escape at a time, left to right: an octal byte, or any other escaped character.
_ESCAPE = re.compile(r"\\(?:([0-3][0-7][0-7])|(.))", re.DOTALL)


def _unescape(match: re.Match[str]) -> str:
    octal, char = match.groups()
    return chr(int(octal, 8)) if octal is not None else char


def _unquote(value: str) -> str:
    """``"a \\"b\\""`` -> ``a "b"``; a value without surrounding quotes is returned as it is."""
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return value
    return _ESCAPE.sub(_unescape, value[1:-1])


def parse_cookie_header(header: str) -> dict[str, str]:
    """The cookies in a ``Cookie`` header value, name to value; see the module docstring."""
    truncated = len(header) > MAX_COOKIE_HEADER
    chunks = header[:MAX_COOKIE_HEADER].split(";")
    if truncated:
        chunks.pop()  # cut off mid-pair: the last one is not what the client sent
    cookies: dict[str, str] = {}
    for chunk in chunks:
        name, equals, value = chunk.partition("=")
        name = name.strip()
        if not equals or not _NAME.fullmatch(name):
            continue
        cookies[name] = _unquote(value.strip())
        if len(cookies) >= MAX_COOKIES:
            break
    return cookies
