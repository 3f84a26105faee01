"""Exceptions that become HTTP responses.

A handler (or anything it calls) raises :class:`HTTPException` to stop and
answer with a status code; the exception middleware turns it into a JSON body
``{"detail": ...}``. :class:`RequestValidationError` is the 422 raised when a
path, query or body value cannot be converted to what the handler declared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, TypedDict

__all__ = ["ClientDisconnect", "HTTPException", "RequestValidationError", "ValidationErrorItem"]


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
    """

    def __init__(self, errors: Sequence[ValidationErrorItem]) -> None:
        super().__init__(422, list(errors))
        self.errors = list(errors)


class ClientDisconnect(Exception):
    """The client went away while the request body was being read."""
