"""Exceptions that become HTTP responses.

A handler (or anything it calls) raises :class:`HTTPException` to stop and
answer with a status code; the exception middleware turns it into a JSON body
``{"detail": ...}``. :class:`RequestValidationError` is the 422 raised when a
path, query or body value cannot be converted to what the handler declared.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, TypedDict

__all__ = [
    "ClientDisconnect",
    "HTTPException",
    "RequestValidationError",
    "ValidationErrorItem",
    "encodable_input",
]


class HTTPException(Exception):
    """Stop handling the request and answer with ``status_code``.

    ``detail`` is sent as ``{"detail": detail}``; it defaults to the status
    phrase ("Not Found"). ``headers`` are added to the response, e.g. ``Allow``
    for a 405 or ``WWW-Authenticate`` for a 401.
    """

    def __init__(
        self,
        status_code: int,
        detail: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if detail is None:
            detail = HTTPStatus(status_code).phrase
        super().__init__(status_code, detail)
        self.status_code = status_code
        self.detail = detail
        self.headers = dict(headers) if headers else {}

    def __str__(self) -> str:
        return f"{self.status_code}: {self.detail}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code!r}, detail={self.detail!r})"


class ValidationErrorItem(TypedDict):
    """One failed value: where it came from, what went wrong, what was sent."""

    loc: list[str | int]
    msg: str
    type: str
    input: Any


class RequestValidationError(HTTPException):
    """422: some request values do not fit the handler's annotations.

    Every failing value is reported at once, each with its location
    (``["path", "user_id"]``, ``["query", "page"]``), so a client can fix all
    of them in one round trip.

    The response body echoes each failing input, made encodable first
    (:func:`encodable_input`), so an input no JSON encoder writes cannot turn the 422 into a
    500; :attr:`errors` keeps the inputs as they were.
    """

    def __init__(self, errors: Sequence[ValidationErrorItem]) -> None:
        super().__init__(
            422, [{**item, "input": encodable_input(item["input"])} for item in errors]
        )
        self.errors = list(errors)


#: How deep :func:`encodable_input` copies nested lists and objects; deeper is elided.
MAX_ECHO_DEPTH = 32

_INT64 = range(-(2**63), 2**64)


def encodable_input(value: Any, depth: int = 0) -> Any:
    """``value``, or a stand-in for each part of it that a JSON encoder would refuse.

    Kept as they are: ``None``, booleans, strings, integers of up to 64 bits, finite floats,
    and lists and dicts of those. Replaced by their ``repr``: ``inf`` and ``nan`` (no JSON
    spelling), strings holding a lone surrogate (not encodable as UTF-8; the repr escapes it)
    and objects of any other type. An integer beyond 64 bits (orjson writes none) becomes
    ``"<int of N bits>"``. Nesting past
    :data:`MAX_ECHO_DEPTH` levels becomes ``"..."`` (orjson writes at most 254 levels, and a
    client-sized document can be deeper).
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return repr(value)
        return value
    if isinstance(value, int):
        # Described, not written: str() of an int refuses past 4,300 digits.
        return value if value in _INT64 else f"<int of {value.bit_length()} bits>"
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, list | tuple | dict):
        if depth >= MAX_ECHO_DEPTH:
            return "..."
        if isinstance(value, dict):
            return {
                str(encodable_input(key)): encodable_input(item, depth + 1)
                for key, item in value.items()
            }
        return [encodable_input(item, depth + 1) for item in value]
    return repr(value)


class ClientDisconnect(Exception):
    """The client went away while the request body was being read."""
