"""The pydantic side of validation: adapters, error reports, response models.

CovetPy converts plain parameter types itself (``params.py``). Everything
richer is handed to pydantic v2 through a ``TypeAdapter``, built once per
parameter at registration and reused for every request. This module is the
only one that imports pydantic, and only when such an annotation appears, so
``covet-asgi`` without the ``validation`` extra still serves plain handlers.
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Any

from covet.asgi.exceptions import ValidationErrorItem
from covet.asgi.extras import install_command

if TYPE_CHECKING:
    from pydantic import TypeAdapter, ValidationError

__all__ = [
    "ResponseValidationError",
    "adapter_for",
    "errors_from",
    "is_pydantic_model",
    "response_adapter_for",
    "serialize_response",
    "validate",
]


def _pydantic() -> Any:
    try:
        import pydantic
    except ImportError:  # pragma: no cover - exercised in a venv without the extra
        raise ImportError(
            "This annotation needs pydantic (the 'validation' extra): "
            + install_command("validation")
        ) from None
    return pydantic


def adapter_for(annotation: Any, *, finite_numbers: bool = False) -> TypeAdapter[Any]:
    """A pydantic TypeAdapter for ``annotation`` (raises if pydantic cannot handle it).

    ``finite_numbers=True`` (for path, query and header text) refuses ``inf`` and ``nan``
    for floats, spelled out or reached by overflow (``1e999``), as CovetPy's own converter
    does. A type that carries its own pydantic config (a dataclass, a TypedDict) keeps it.
    """
    pydantic = _pydantic()
    if finite_numbers:
        try:
            finite: TypeAdapter[Any] = pydantic.TypeAdapter(
                annotation, config=pydantic.ConfigDict(allow_inf_nan=False)
            )
        except pydantic.PydanticUserError:
            pass  # "cannot use config" with a type that has its own
        else:
            return finite
    adapter: TypeAdapter[Any] = pydantic.TypeAdapter(annotation)
    return adapter


def errors_from(exc: ValidationError, location: list[str | int]) -> list[ValidationErrorItem]:
    """pydantic's errors, each prefixed with where the value came from (``["body"]``...)."""
    return [
        {
            "loc": [*location, *error["loc"]],
            "msg": error["msg"],
            "type": error["type"],
            "input": error.get("input"),
        }
        for error in exc.errors(include_url=False, include_context=False)
    ]


def validate(
    adapter: TypeAdapter[Any], raw: Any, location: list[str | int]
) -> tuple[Any, list[ValidationErrorItem]]:
    """Validate ``raw``: the value and no errors, or ``None`` and the errors found."""
    try:
        return adapter.validate_python(raw), []
    except _pydantic().ValidationError as exc:
        return None, errors_from(exc, location)


class ResponseValidationError(ValueError):
    """A handler returned data its response model refuses: a server bug, so a 500."""


def is_pydantic_model(annotation: Any) -> bool:
    """True for a pydantic ``BaseModel`` subclass; pydantic need not be installed."""
    return isinstance(annotation, type) and any(
        cls.__module__.startswith("pydantic") and cls.__name__ == "BaseModel"
        for cls in annotation.__mro__
    )


def _mentions_model(annotation: Any) -> bool:
    if is_pydantic_model(annotation):
        return True
    return any(_mentions_model(arg) for arg in typing.get_args(annotation))


def response_adapter_for(annotation: Any) -> TypeAdapter[Any] | None:
    """An adapter when ``annotation`` (a return annotation) involves a pydantic model.

    ``-> User``, ``-> list[User]`` and ``-> User | None`` are response models;
    ``-> dict``, ``-> str`` or ``-> Response`` are not, and give ``None``.
    """
    if annotation is None or not _mentions_model(annotation):
        return None
    return adapter_for(annotation)


def serialize_response(adapter: TypeAdapter[Any], result: Any) -> Any:
    """Filter ``result`` through the response model and return JSON-ready data.

    Objects are read by attribute too (``from_attributes``), so an ORM instance
    can be returned where the model is declared; fields the model does not
    declare are dropped, which is how a model keeps a password hash out of a response.
    """
    pydantic = _pydantic()
    try:
        value = adapter.validate_python(result, from_attributes=True)
    except pydantic.ValidationError as exc:
        raise ResponseValidationError(
            f"The handler's return value does not match its response model: {exc}"
        ) from exc
    return adapter.dump_python(value, mode="json")
