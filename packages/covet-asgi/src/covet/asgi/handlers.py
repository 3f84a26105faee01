"""From a handler function to an ASGI application.

``@app.route`` receives a plain function. :class:`Handler` reads its
signature once, at registration, and decides where every parameter's value
will come from (this is the whole "magic", and it is small):

* a parameter named ``request`` or annotated :class:`Request` gets the request;
* a parameter named like a ``{path_param}`` gets that value, converted by its
  annotation (``user_id: int``);
* a parameter annotated :class:`BackgroundTasks` gets a task list that runs
  after the response is sent;
* any other parameter is a query parameter, converted by its annotation, and
  required unless it has a default.

Per request, :meth:`Handler.handle` follows that plan, calls the function
and turns what it returns into a :class:`Response` (:func:`to_response`).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from covet.asgi.background import BackgroundTask, BackgroundTasks
from covet.asgi.exceptions import RequestValidationError, ValidationErrorItem
from covet.asgi.middleware import Middleware
from covet.asgi.params import ConversionError, ValueConverter, converter_for
from covet.asgi.requests import DEFAULT_MAX_BODY_SIZE, Request
from covet.asgi.responses import JSONResponse, PlainTextResponse, Response
from covet.asgi.types import ASGIApp, Receive, Scope, Send

__all__ = ["Handler", "HandlerSignatureError", "to_response"]

Source = Literal["request", "path", "query", "background"]


class HandlerSignatureError(TypeError):
    """A handler declares a parameter CovetPy cannot fill; raised at registration."""


@dataclass(frozen=True, slots=True)
class Binding:
    """Where one handler parameter's value comes from."""

    name: str
    source: Source
    converter: ValueConverter | None = None
    default: Any = inspect.Parameter.empty

    @property
    def required(self) -> bool:
        return self.default is inspect.Parameter.empty


def _resolved_annotations(func: Callable[..., Any]) -> dict[str, Any]:
    """Annotations with string forms (``from __future__ import annotations``) resolved."""
    try:
        return typing.get_type_hints(func)
    except Exception:  # an unresolvable forward reference: fall back to the raw values
        return dict(getattr(func, "__annotations__", {}))


def plan_bindings(func: Callable[..., Any], path_params: Sequence[str]) -> tuple[Binding, ...]:
    """Decide, once, where each parameter of ``func`` gets its value."""
    hints = _resolved_annotations(func)
    where = f"{func.__module__}.{func.__qualname__}"
    bindings = []
    for parameter in inspect.signature(func).parameters.values():
        name = parameter.name
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise HandlerSignatureError(
                f"{where}: *{name} is not supported; handler parameters are bound by name"
            )
        if parameter.kind is parameter.POSITIONAL_ONLY:
            raise HandlerSignatureError(
                f"{where}: parameter {name!r} is positional-only; handlers are called by keyword"
            )
        annotation = hints.get(name, parameter.empty)
        if annotation is Request or (name == "request" and annotation is parameter.empty):
            bindings.append(Binding(name, "request"))
            continue
        if annotation is BackgroundTasks:
            bindings.append(Binding(name, "background"))
            continue
        source: Source = "path" if name in path_params else "query"
        if annotation is parameter.empty:
            annotation = str
        converter = converter_for(annotation)
        if converter is None:
            raise HandlerSignatureError(
                f"{where}: parameter {name!r} has an unsupported annotation {annotation!r}; "
                "path and query values can be str, int, float, bool, UUID, Decimal, an Enum, "
                "X | None or list[X] of those"
            )
        bindings.append(Binding(name, source, converter, parameter.default))
    return tuple(bindings)


def _convert(binding: Binding, raw: Any, errors: list[ValidationErrorItem]) -> Any:
    """Convert one value, recording a validation error instead of raising."""
    converter = binding.converter
    assert converter is not None
    try:
        if binding.source == "path" and not isinstance(raw, str):
            return raw  # already converted by a route converter such as {id:int}
        if converter.many:
            return [converter.convert(item) for item in raw]
        return converter.convert(raw)
    except ConversionError as exc:
        errors.append(
            {"loc": [binding.source, binding.name], "msg": str(exc), "type": exc.kind, "input": raw}
        )
        return None


def to_response(result: Any) -> Response:
    """Turn a handler's return value into a :class:`Response`.

    dict and list become JSON, str becomes text, bytes are sent as they are,
    ``None`` is a 204 No Content, and a Response is used as it is.
    """
    if isinstance(result, Response):
        return result
    if isinstance(result, dict | list):
        return JSONResponse(result)
    if isinstance(result, str):
        return PlainTextResponse(result)
    if isinstance(result, bytes):
        return Response(result, media_type="application/octet-stream")
    if result is None:
        return Response(status_code=204)
    raise TypeError(
        f"A handler returned {type(result).__name__}; "
        "return a dict, list, str, bytes, None or a Response"
    )


class Handler:
    """One route's function, wrapped as an ASGI app with its per-route middleware.

    ``functools.update_wrapper`` copies the function's name, module and
    docstring, so route tables and tracebacks name the user's function.
    """

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        path_params: Sequence[str] = (),
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
        middleware: Sequence[Middleware] = (),
    ) -> None:
        functools.update_wrapper(self, func)
        self.func = func
        self.is_async = inspect.iscoroutinefunction(func)
        self.bindings = plan_bindings(func, path_params)
        self.max_body_size = max_body_size
        app: ASGIApp = self.handle
        for spec in reversed(middleware):
            app = spec.wrap(app)
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Bind the arguments, call the function, send what it returned."""
        request = Request(scope, receive, max_body_size=self.max_body_size)
        try:
            kwargs, background = self.bind(request)
            if self.is_async:
                result = await self.func(**kwargs)
            else:
                # A sync handler would block the event loop; a worker thread keeps
                # other requests moving (to_thread also carries the contextvars).
                result = await asyncio.to_thread(self.func, **kwargs)
            response = to_response(result)
            if background is not None:
                response.background = _run_after(response.background, background)
            await response(scope, receive, send)
        finally:
            # Uploaded files outlive the handler: the response body or a background task
            # may still read them. Only now, after both, are they closed (which deletes
            # their temporary files), whether the handler succeeded or raised.
            await request.close()

    def bind(self, request: Request) -> tuple[dict[str, Any], BackgroundTasks | None]:
        """The keyword arguments for one call, or a 422 listing every bad value."""
        kwargs: dict[str, Any] = {}
        errors: list[ValidationErrorItem] = []
        background: BackgroundTasks | None = None
        for binding in self.bindings:
            if binding.source == "request":
                kwargs[binding.name] = request
            elif binding.source == "background":
                background = background or BackgroundTasks()
                kwargs[binding.name] = background
            elif binding.source == "path":
                kwargs[binding.name] = _convert(binding, request.path_params[binding.name], errors)
            else:
                kwargs[binding.name] = self._query_value(binding, request, errors)
        if errors:
            raise RequestValidationError(errors)
        return kwargs, background

    @staticmethod
    def _query_value(binding: Binding, request: Request, errors: list[ValidationErrorItem]) -> Any:
        converter = binding.converter
        assert converter is not None
        params = request.query_params
        if binding.name not in params:
            if binding.required:
                errors.append(
                    {
                        "loc": ["query", binding.name],
                        "msg": "Field required",
                        "type": "missing",
                        "input": None,
                    }
                )
                return None
            default = binding.default
            return list(default) if isinstance(default, list) else default
        raw = params.getlist(binding.name) if converter.many else params[binding.name]
        return _convert(binding, raw, errors)


def _run_after(
    first: BackgroundTask | BackgroundTasks | None, then: BackgroundTasks
) -> BackgroundTask | BackgroundTasks:
    """Run the response's own background work, then the handler's task list."""
    if first is None:
        return then

    async def run_both() -> None:
        await first()
        await then()

    return BackgroundTask(run_both)
