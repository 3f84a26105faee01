"""From a handler function to an ASGI application.

``@app.route`` receives a plain function. :class:`Handler` reads its
signature once, at registration (``signature.py`` decides where every
parameter comes from, ``dependencies.py`` fills them per request), and
wraps the function as an ASGI app with its per-route middleware. A handler
that takes only plain path and query values, and perhaps the request itself
(``async def get_user(request, user_id: int)``, the launch demo's style),
gets a *plain plan* at registration: its arguments come straight from the
scope (``dependencies.plain_arguments``), with no Resolver, and a Request is
built only when the handler takes one.

Per request, :meth:`Handler.handle` fills the arguments, calls the
function and turns what it returns into a :class:`Response`: through the
response model when there is one, else by :func:`to_response`.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from typing import Any

from covet.asgi.background import BackgroundTask, BackgroundTasks
from covet.asgi.dependencies import Provider, Resolver, plain_arguments, plain_plan
from covet.asgi.middleware import Middleware
from covet.asgi.requests import DEFAULT_MAX_BODY_SIZE, Request
from covet.asgi.responses import JSONResponse, PlainTextResponse, Response
from covet.asgi.signature import HandlerSignatureError, plan_bindings, resolved_hints
from covet.asgi.types import ASGIApp, Receive, Scope, Send
from covet.asgi.validation import adapter_for, response_adapter_for, serialize_response

__all__ = ["Handler", "HandlerSignatureError", "to_response"]

#: ``response_model=`` default: take the model from the return annotation, if it names one.
FROM_ANNOTATION: Any = object()


def to_response(result: Any, status_code: int | None = None) -> Response:
    """Turn a handler's return value into a :class:`Response`.

    dict and list become JSON, str becomes text, bytes are sent as they are,
    ``None`` is a 204 No Content, and a Response is used as it is.
    ``status_code`` (the route's) replaces the 200 of the first four.
    """
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(status_code=204)
    status = status_code or 200
    # A tuple, not ``dict | list``: isinstance() checks a tuple itself, while a union goes
    # through its own __instancecheck__, which cost about 300 instructions a response.
    if isinstance(result, (dict, list)):
        return JSONResponse(result, status_code=status)
    if isinstance(result, str):
        return PlainTextResponse(result, status_code=status)
    if isinstance(result, bytes):
        return Response(result, status_code=status, media_type="application/octet-stream")
    raise TypeError(
        f"A handler returned {type(result).__name__}; "
        "return a dict, list, str, bytes, None or a Response (or declare a response model)"
    )


class Handler:
    """One route's function, wrapped as an ASGI app with its per-route middleware.

    ``functools.update_wrapper`` copies the function's name, module and
    docstring, so route tables and tracebacks name the user's function. The
    remaining options describe the route in the OpenAPI document.
    """

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        path_params: Sequence[str] = (),
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
        middleware: Sequence[Middleware] = (),
        response_model: Any = FROM_ANNOTATION,
        status_code: int | None = None,
        tags: Sequence[str] = (),
        summary: str | None = None,
        include_in_schema: bool = True,
    ) -> None:
        functools.update_wrapper(self, func)
        self.func = func
        self.is_async = inspect.iscoroutinefunction(func)
        self.path_params = tuple(path_params)
        self.bindings = plan_bindings(func, path_params)
        self.providers = {
            binding.depends.provider: Provider(binding.depends.provider, path_params)
            for binding in self.bindings
            if binding.depends is not None
        }
        self.plain_plan = plain_plan(self.bindings)
        self.takes_request = any(binding.source == "request" for binding in self.bindings)
        self.max_body_size = max_body_size
        self.status_code = status_code
        self.tags = list(tags)
        self.summary = summary
        self.include_in_schema = include_in_schema
        self.response_model, self.response_adapter = _response_model(func, response_model)
        app: ASGIApp = self.handle
        for spec in reversed(middleware):
            app = spec.wrap(app)
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # A plain def handing back the coroutine of the route's middleware or of handle(),
        # for the router to await: an ``async def`` here would add a coroutine frame to
        # every request and do nothing in it.
        return self.app(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Fill the arguments, call the function, send what it returned.

        When the handler has providers, an exit stack stays open until the response (and
        its background tasks) are sent: that is when generator providers clean up.
        """
        if not self.bindings:
            # A handler without parameters cannot reach the request: there is nothing to
            # fill and nothing to clean up, so no Request, Resolver or cleanup is made.
            response = self.make_response(await self.call({}))
            await response(scope, receive, send)
            return
        request = None
        if self.plain_plan is not None:
            if self.takes_request:
                request = Request(scope, receive, max_body_size=self.max_body_size)
            kwargs = plain_arguments(self.plain_plan, scope, request)
            if kwargs is not None:
                if request is None:
                    response = self.make_response(await self.call(kwargs))
                    await response(scope, receive, send)
                    return
                try:
                    response = self.make_response(await self.call(kwargs))
                    await response(scope, receive, send)
                finally:
                    # Its uploads, as below. Read straight from the Request's form cache:
                    # most requests parse no form, and skipping the close() coroutine (and a
                    # property call) for them saves about 1,200 instructions a request.
                    if request._form is not None:
                        await request.close()
                return
        if request is None:
            request = Request(scope, receive, max_body_size=self.max_body_size)
        try:
            if self.providers:
                async with AsyncExitStack() as exit_stack:
                    await self._respond(request, exit_stack, scope, receive, send)
            else:
                # Only providers register cleanups, so a handler without any skips the exit
                # stack (entering, registering on and leaving one cost about 1 us a request).
                await self._respond(request, None, scope, receive, send)
        finally:
            # Uploaded files outlive the handler: the response body or a background task
            # may still read them. They are closed (their temporary files deleted) here,
            # after both and after the providers' cleanups, whether the handler succeeded
            # or raised.
            await request.close()

    async def _respond(
        self,
        request: Request,
        exit_stack: AsyncExitStack | None,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        # Overrides replace providers, so without providers there is nothing to look up.
        overrides = (
            getattr(scope.get("app"), "dependency_overrides", None) if self.providers else None
        )
        resolver = Resolver(request, exit_stack, self.path_params, overrides)
        kwargs = await resolver.arguments(self.bindings, self.providers)
        response = self.make_response(await self.call(kwargs))
        if resolver.background is not None:
            response.background = _run_after(response.background, resolver.background)
        await response(scope, receive, send)

    def plain_arguments(
        self, scope: Scope, request: Request | None = None
    ) -> dict[str, Any] | None:
        """This handler's arguments by its plain plan, or ``None`` (:func:`plain_arguments`)."""
        assert self.plain_plan is not None
        return plain_arguments(self.plain_plan, scope, request)

    def call(self, kwargs: dict[str, Any]) -> Awaitable[Any]:
        """The function called with ``kwargs``, as something to await.

        A plain ``def`` rather than ``async def``: the coroutine of an async handler is
        returned as it is, so awaiting the call costs no extra coroutine frame.
        """
        if self.is_async:
            coroutine: Awaitable[Any] = self.func(**kwargs)
            return coroutine
        # A sync handler would block the event loop; a worker thread keeps
        # other requests moving (to_thread also carries the contextvars).
        return asyncio.to_thread(self.func, **kwargs)

    def make_response(self, result: Any) -> Response:
        """A Response as is; otherwise through the response model, or :func:`to_response`."""
        if self.response_adapter is not None and not isinstance(result, Response):
            data = serialize_response(self.response_adapter, result)
            return JSONResponse(data, status_code=self.status_code or 200)
        return to_response(result, self.status_code)


def _response_model(func: Callable[..., Any], declared: Any) -> tuple[Any, Any]:
    """The response model and its pydantic adapter, or ``(None, None)``."""
    if declared is None:
        return None, None
    if declared is FROM_ANNOTATION:
        annotation = resolved_hints(func).get("return")
        adapter = response_adapter_for(annotation)
        return (annotation, adapter) if adapter is not None else (None, None)
    return declared, adapter_for(declared)


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
