"""Filling a handler's arguments for one request, providers included.

A provider is any function whose value a handler asks for with
``Depends(provider)``::

    async def get_db():
        db = await connect()
        try:
            yield db          # the handler runs here
        finally:
            await db.close()  # after the response was sent

    @app.get("/users")
    async def users(db = Depends(get_db)): ...

A provider can be a function, an async function, or a (sync or async)
generator whose code after ``yield`` is the cleanup. It asks for its own
inputs exactly like a handler (the request, parameters, other providers).
Within one request each provider runs once and its value is reused
(``use_cache=False`` opts out). Tests swap a provider for another with
``app.dependency_overrides[get_db] = fake_db``.

:class:`Resolver` does the work for one request: it walks the plan made by
``signature.py``, collects every invalid value before failing (one 422 lists
them all), and registers generator cleanups on an ``AsyncExitStack`` that
the handler closes after the response.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from typing import Any

from covet.asgi.background import BackgroundTasks
from covet.asgi.exceptions import RequestValidationError, ValidationErrorItem
from covet.asgi.params import ConversionError
from covet.asgi.queryparams import QueryParams
from covet.asgi.requests import Request, parse_json_body, require_json_media_type
from covet.asgi.signature import Binding, HandlerSignatureError, plan_bindings
from covet.asgi.types import Scope

# At module level, not inside _validate: validation.py imports pydantic only when it needs
# it, so this costs nothing at start-up, while an import statement run per validated value
# cost about 0.6 us each time (the module lookup and the name fetch of ``from ... import``).
from covet.asgi.validation import validate

__all__ = ["Provider", "Resolver", "plain_arguments", "plain_plan"]

_MISSING: Any = object()


class Provider:
    """A provider function with its own signature plan, made once."""

    def __init__(
        self,
        func: Callable[..., Any],
        path_params: Sequence[str],
        _seen: tuple[Callable[..., Any], ...] = (),
    ) -> None:
        if func in _seen:
            chain = " -> ".join(f.__qualname__ for f in (*_seen, func))
            raise HandlerSignatureError(f"Providers depend on each other in a cycle: {chain}")
        self.func = func
        self.bindings = plan_bindings(func, path_params)
        self.is_async_gen = inspect.isasyncgenfunction(func)
        self.is_gen = inspect.isgeneratorfunction(func)
        self.is_async = inspect.iscoroutinefunction(func)
        self.providers = {
            binding.depends.provider: Provider(
                binding.depends.provider, path_params, (*_seen, func)
            )
            for binding in self.bindings
            if binding.depends is not None
        }


class Resolver:
    """Builds argument dicts for one request; see the module docstring."""

    def __init__(
        self,
        request: Request,
        exit_stack: AsyncExitStack | None,
        path_params: Sequence[str],
        overrides: Mapping[Callable[..., Any], Callable[..., Any]] | None = None,
    ) -> None:
        self.request = request
        self.exit_stack = exit_stack
        self.path_params = path_params
        self.overrides = overrides or {}
        self.errors: list[ValidationErrorItem] = []
        self.background: BackgroundTasks | None = None
        self._cache: dict[Callable[..., Any], Any] = {}
        self._body: Any = _MISSING

    async def arguments(
        self, bindings: Sequence[Binding], providers: Mapping[Callable[..., Any], Provider]
    ) -> dict[str, Any]:
        """The keyword arguments for one call; raises a 422 listing every bad value."""
        kwargs = await self._collect(bindings, providers)
        if self.errors:
            raise RequestValidationError(self.errors)
        return kwargs

    async def _collect(
        self, bindings: Sequence[Binding], providers: Mapping[Callable[..., Any], Provider]
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        for binding in bindings:
            if binding.source == "request":
                kwargs[binding.name] = self.request
            elif binding.source == "background":
                self.background = self.background or BackgroundTasks()
                kwargs[binding.name] = self.background
            elif binding.source == "depends":
                assert binding.depends is not None
                kwargs[binding.name] = await self._provide(
                    binding.depends.provider, binding.depends.use_cache, providers
                )
            elif binding.source == "body":
                kwargs[binding.name] = await self._body_value(binding)
            elif binding.source == "form":
                # The default limits; a handler that needs others calls request.form(...).
                kwargs[binding.name] = await self.request.form()
            else:
                kwargs[binding.name] = self._text_value(binding)
        return kwargs

    # -- providers ------------------------------------------------------------------

    async def _provide(
        self,
        declared: Callable[..., Any],
        use_cache: bool,
        providers: Mapping[Callable[..., Any], Provider],
    ) -> Any:
        func = self.overrides.get(declared, declared)
        if use_cache and func in self._cache:
            return self._cache[func]
        provider = providers[declared] if func is declared else Provider(func, self.path_params)
        errors_before = len(self.errors)
        kwargs = await self._collect(provider.bindings, provider.providers)
        if len(self.errors) > errors_before:
            return None  # its inputs are invalid: the 422 is coming, don't call it
        value = await self._call(provider, kwargs)
        if use_cache:
            self._cache[func] = value
        return value

    async def _call(self, provider: Provider, kwargs: dict[str, Any]) -> Any:
        func = provider.func
        if provider.is_async_gen or provider.is_gen:
            # A generator cleans up after the response, on the exit stack the handler opens
            # whenever it has providers (handlers.py).
            assert self.exit_stack is not None
            if provider.is_async_gen:
                manager = contextlib.asynccontextmanager(func)(**kwargs)
                return await self.exit_stack.enter_async_context(manager)
            return self.exit_stack.enter_context(contextlib.contextmanager(func)(**kwargs))
        if provider.is_async:
            return await func(**kwargs)
        return await asyncio.to_thread(func, **kwargs)

    # -- values from the request --------------------------------------------------------

    def _raw_text(self, binding: Binding) -> Any:
        """The text for ``binding`` (a list of texts for list[X]), or ``_MISSING``."""
        if binding.source == "path":
            return self.request.path_params.get(binding.key, _MISSING)
        values = self.request.headers if binding.source == "header" else self.request.query_params
        if binding.key not in values:
            return _MISSING
        return values.getlist(binding.key) if binding.many else values[binding.key]

    def _text_value(self, binding: Binding) -> Any:
        raw = self._raw_text(binding)
        location: list[str | int] = [binding.source, binding.key]
        if raw is _MISSING:
            if binding.required:
                self.errors.append(
                    {"loc": location, "msg": "Field required", "type": "missing", "input": None}
                )
                return None
            return list(binding.default) if isinstance(binding.default, list) else binding.default
        if binding.source == "path" and not isinstance(raw, str):
            return raw  # already converted by a route converter such as {id:int}
        if binding.converter is None:
            return self._validate(binding, raw, location)
        try:
            if binding.converter.many:
                return [binding.converter.convert(item) for item in raw]
            return binding.converter.convert(raw)
        except ConversionError as exc:
            self.errors.append({"loc": location, "msg": str(exc), "type": exc.kind, "input": raw})
            return None

    async def _body_value(self, binding: Binding) -> Any:
        if self._body is _MISSING:
            body = await self.request.body()
            # An empty body is "no body": a required model then reports "missing". The body
            # in hand is parsed directly: request.json() would await body() a second time.
            if body:
                content_type = self.request.content_type
                if content_type != "application/json":  # the common case, in one comparison
                    require_json_media_type(content_type)
            self._body = parse_json_body(body) if body else _MISSING
        if self._body is _MISSING:
            if binding.required:
                self.errors.append(
                    {"loc": ["body"], "msg": "Field required", "type": "missing", "input": None}
                )
            return None if binding.required else binding.default
        return self._validate(binding, self._body, ["body"])

    def _validate(self, binding: Binding, raw: Any, location: list[str | int]) -> Any:
        value, errors = validate(binding.adapter, raw, location)
        self.errors.extend(errors)
        return value


# -- the fast path: handlers that take plain path and query values, and the request --------


def plain_plan(bindings: Sequence[Binding]) -> tuple[Binding, ...] | None:
    """The bindings, when each is a plain path or query value or the request; else ``None``.

    Made once, at registration. Path and query values converted by CovetPy's own converters
    qualify, and so does the request itself (``request`` by name or annotated ``Request``):
    the handler gets the same lazy view it would get on the general path. ``list[X]``, a
    list default (copied per request), pydantic-validated annotations and every other
    source (providers, background tasks, headers, the body) keep the general path of
    :class:`Resolver`.
    """
    for binding in bindings:
        if binding.source == "request":
            continue
        converter = binding.converter
        if (
            binding.source not in ("path", "query")
            or converter is None
            or converter.many
            or isinstance(binding.default, list)
        ):
            return None
    return tuple(bindings) or None


def plain_arguments(
    plan: Sequence[Binding], scope: Scope, request: Request | None = None
) -> dict[str, Any] | None:
    """The arguments for a handler with a plain ``plan``, read from the scope, or ``None``.

    The fast path for the most common handlers of all (``async def user(user_id: int)``,
    ``async def search(q: str, page: int = 1)``, the launch demo's
    ``async def get_user(request, user_id: int)``): it reads ``scope["path_params"]`` and
    the query string directly, with no Resolver or 422 bookkeeping, and hands ``request``
    (made by the caller, only when the plan asks for it) to the parameters that take it.
    Anything unusual (a required value missing, text its converter refuses) returns
    ``None``, and the handler takes the general path, which reports it exactly as
    :meth:`Resolver._text_value` always does.
    """
    path_params: dict[str, Any] = scope.get("path_params", {})
    query: QueryParams | None = None  # parsed on first use, as Request does
    kwargs: dict[str, Any] = {}
    for binding in plan:
        if binding.source == "request":
            kwargs[binding.name] = request
            continue
        if binding.source == "path":
            value = path_params.get(binding.key, _MISSING)
        else:
            if query is None:
                query = QueryParams(scope.get("query_string", b""))
            value = query.get(binding.key, _MISSING)
        if value is _MISSING:
            if binding.required:
                return None
            value = binding.default
        elif isinstance(value, str):
            # A route converter such as {id:int} has already made a path value; text is
            # converted by the annotation, as Resolver does.
            assert binding.converter is not None  # plain_plan admits only converted bindings
            try:
                value = binding.converter.convert(value)
            except ConversionError:
                return None
        kwargs[binding.name] = value
    return kwargs
