"""Reading a handler's signature: where each parameter's value comes from.

This runs once, when a route is registered. The rules, in order:

* named ``request`` (unannotated) or annotated :class:`Request` -> the request;
* annotated :class:`BackgroundTasks` -> a task list run after the response;
* annotated :class:`~covet.asgi.forms.FormData` -> the body parsed as an HTML form
  (``await request.form()``); refused here, at registration, when python-multipart (the
  ``forms`` extra) is missing, rather than failing at the first request;
* ``Depends(provider)`` as the default or inside ``Annotated`` -> the
  provider's value (see ``dependencies.py``);
* ``Annotated[T, Header()]`` -> a request header (``x_token`` reads ``x-token``);
* ``Annotated[T, Body()]``, or annotated with a pydantic model -> the JSON body;
* named like a ``{path_param}`` -> that path value;
* anything else -> a query parameter, required unless it has a default.

Each value is then converted by its annotation: plain types (str, int, float,
bool, UUID, Decimal, Enum, ``X | None``, ``list[X]``) by ``params.py``, with
no dependency; anything richer (a pydantic model, ``Annotated[int,
Field(ge=1)]``, ``Literal``, ``datetime``...) by pydantic (``validation.py``).
"""

from __future__ import annotations

import contextlib
import inspect
import sys
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from covet.asgi.background import BackgroundTasks
from covet.asgi.params import ValueConverter, converter_for
from covet.asgi.requests import Request
from covet.asgi.validation import is_pydantic_model

__all__ = [
    "Binding",
    "Body",
    "Depends",
    "Header",
    "HandlerSignatureError",
    "Query",
    "Source",
    "plan_bindings",
    "resolved_hints",
]

Source = Literal["request", "background", "depends", "path", "query", "header", "body", "form"]


class HandlerSignatureError(TypeError):
    """A handler declares a parameter CovetPy cannot fill; raised at registration."""


@dataclass(frozen=True, slots=True)
class Query:
    """Mark a parameter as a query parameter: ``Annotated[int, Query(alias="p")]``."""

    alias: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Header:
    """Mark a parameter as a request header; ``user_agent`` reads ``user-agent``."""

    alias: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Body:
    """Mark a parameter as the JSON body, for types that are not a pydantic model."""

    description: str | None = None


@dataclass(frozen=True, slots=True)
class Depends:
    """Ask for a provider's value: ``db = Depends(get_db)``.

    The provider is called once per request (``use_cache=False`` to call it
    for every parameter that asks), and may itself ask for the request,
    parameters or other providers.
    """

    provider: Callable[..., Any]
    use_cache: bool = True


@dataclass(frozen=True, slots=True)
class Binding:
    """Where one parameter's value comes from and how it is converted.

    ``converter`` is the dependency-free converter for plain types; when it is
    ``None`` and the source carries data, ``annotation`` goes to pydantic.
    ``key`` is the name in the request (the query key or the header name).
    """

    name: str
    source: Source
    annotation: Any = str
    key: str = ""
    converter: ValueConverter | None = None
    default: Any = inspect.Parameter.empty
    depends: Depends | None = None
    description: str | None = None
    adapter: Any = field(default=None, compare=False)

    @property
    def required(self) -> bool:
        return self.default is inspect.Parameter.empty

    @property
    def many(self) -> bool:
        """True when the parameter takes every value given for its key (``list[X]``)."""
        if self.converter is not None:
            return self.converter.many
        base = _strip_optional(self.annotation)
        return typing.get_origin(base) in (list, tuple, set, frozenset)


def _strip_optional(annotation: Any) -> Any:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        return _strip_optional(args[0])
    if type(None) in args and len(args) == 2:
        return next(arg for arg in args if arg is not type(None))
    return annotation


def resolved_hints(func: Callable[..., Any]) -> dict[str, Any]:
    """Annotations with string forms (``from __future__ import annotations``) resolved."""
    with contextlib.suppress(Exception):  # one name did not resolve: do them one by one
        return typing.get_type_hints(func, include_extras=True)
    namespace = dict(getattr(func, "__globals__", {}))
    hints: dict[str, Any] = {}
    for name, value in getattr(func, "__annotations__", {}).items():
        if isinstance(value, str):
            # What get_type_hints does for each string: evaluate the program's own source.
            # One that fails stays a string, and plan_bindings reports it by name.
            with contextlib.suppress(Exception):
                value = eval(value, namespace)
        hints[name] = value
    return hints


def _split_annotated(annotation: Any) -> tuple[Any, list[Any]]:
    """``Annotated[int, Header(), Field(ge=1)]`` -> (the annotation minus our markers, markers)."""
    if typing.get_origin(annotation) is not typing.Annotated:
        return annotation, []
    base, *extras = typing.get_args(annotation)
    ours = [extra for extra in extras if isinstance(extra, Query | Header | Body | Depends)]
    theirs = [extra for extra in extras if extra not in ours]
    if theirs:
        return typing.Annotated[(base, *theirs)], ours
    return base, ours


def _is_structured(annotation: Any) -> bool:
    base = _strip_optional(annotation)
    return typing.get_origin(base) is dict or base is dict or is_pydantic_model(base)


def plan_bindings(func: Callable[..., Any], path_params: Sequence[str]) -> tuple[Binding, ...]:
    """Decide, once, where each parameter of ``func`` gets its value."""
    hints = resolved_hints(func)
    where = f"{func.__module__}.{func.__qualname__}"
    bindings = [
        _plan_one(parameter, hints.get(parameter.name, parameter.empty), path_params, where)
        for parameter in inspect.signature(func).parameters.values()
    ]
    readers = [binding for binding in bindings if binding.source in ("body", "form")]
    if len(readers) > 1:
        names = [binding.name for binding in readers]
        if any(binding.source == "form" for binding in readers):
            raise HandlerSignatureError(
                f"{where}: parameters {names} all read the request body; a form is read once, "
                "as one FormData parameter, and not also as JSON"
            )
        raise HandlerSignatureError(
            f"{where}: parameters {names} all read the JSON body; declare one model that holds them"
        )
    return tuple(bindings)


def _is_form_data(annotation: Any) -> bool:
    """``annotation is FormData``, without importing forms.py (and tempfile) to find out.

    A handler annotated with FormData has imported it, so the module is loaded already.
    """
    forms = sys.modules.get("covet.asgi.forms")
    return forms is not None and annotation is forms.FormData


def _form_binding(name: str, annotation: Any, where: str) -> Binding:
    from covet.asgi.forms import require_python_multipart

    try:
        require_python_multipart()
    except RuntimeError as exc:
        raise HandlerSignatureError(f"{where}: parameter {name!r} reads a form; {exc}") from None
    return Binding(name, "form", annotation)


def _plan_one(
    parameter: inspect.Parameter, annotation: Any, path_params: Sequence[str], where: str
) -> Binding:
    name = parameter.name
    if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
        raise HandlerSignatureError(
            f"{where}: *{name} is not supported; handler parameters are bound by name"
        )
    if parameter.kind is parameter.POSITIONAL_ONLY:
        raise HandlerSignatureError(
            f"{where}: parameter {name!r} is positional-only; handlers are called by keyword"
        )
    annotation, markers = _split_annotated(annotation)
    default = parameter.default
    if isinstance(default, Depends):
        markers.append(default)
        default = parameter.empty
    marker = markers[0] if markers else None

    if annotation is Request or (name == "request" and annotation is parameter.empty):
        return Binding(name, "request")
    if annotation is BackgroundTasks:
        return Binding(name, "background")
    if _is_form_data(annotation):
        return _form_binding(name, annotation, where)
    if isinstance(marker, Depends):
        return Binding(name, "depends", annotation, depends=marker)

    if annotation is parameter.empty:
        annotation = str
    if isinstance(annotation, str):
        raise HandlerSignatureError(
            f"{where}: the annotation {annotation!r} of parameter {name!r} could not be "
            "resolved; import the type at module level"
        )
    description = getattr(marker, "description", None)
    source: Source
    if isinstance(marker, Body) or (
        marker is None and is_pydantic_model(_strip_optional(annotation))
    ):
        source, key = "body", ""
    elif isinstance(marker, Header):
        source, key = "header", (marker.alias or name.replace("_", "-")).lower()
    elif name in path_params and not isinstance(marker, Query):
        source, key = "path", name
    else:
        source, key = "query", getattr(marker, "alias", None) or name
    converter = None if source == "body" else converter_for(annotation)
    if converter is None and source != "body" and _is_structured(annotation):
        raise HandlerSignatureError(
            f"{where}: parameter {name!r} is {annotation!r}, which a {source} value cannot be; "
            "a model or a mapping belongs in the body (annotate it with a pydantic model or Body())"
        )
    binding = Binding(name, source, annotation, key, converter, default, None, description)
    if converter is None:
        from covet.asgi.validation import adapter_for  # pydantic is needed only from here

        try:
            adapter = adapter_for(annotation, finite_numbers=source != "body")
        except Exception as exc:
            raise HandlerSignatureError(
                f"{where}: parameter {name!r} has an unsupported annotation {annotation!r} "
                f"({exc}); path and query values can be str, int, float, bool, UUID, Decimal, "
                "an Enum, X | None or list[X] of those, or any type pydantic validates"
            ) from exc
        binding = Binding(name, source, annotation, key, None, default, None, description, adapter)
    return binding
