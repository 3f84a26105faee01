"""CovetPy: the application object.

``CovetPy()`` is an ASGI 3 application. Its job, per request:

1. pass the request through the middleware stack, outermost first::

       ServerErrorMiddleware -> your middleware, in the order added
       -> ExceptionMiddleware -> CovetPy.dispatch

2. in :meth:`CovetPy.dispatch`, ask the router (covet-router) what the path
   means, and call the route's :class:`~covet.asgi.handlers.Handler`, a
   mounted app, or answer 404 / 405 / a trailing-slash redirect.

The stack is built once, on the first call, so adding middleware after the
app has started serving is an error rather than a silent no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import EllipsisType
from typing import Any, TypeVar

from covet.asgi.exceptions import HTTPException
from covet.asgi.handlers import FROM_ANNOTATION, Handler
from covet.asgi.lifespan import Lifespan, LifespanContext
from covet.asgi.middleware import Middleware
from covet.asgi.middleware.errors import ServerErrorMiddleware
from covet.asgi.middleware.exceptions import ExceptionHandler, ExceptionMiddleware
from covet.asgi.openapi import add_docs_routes
from covet.asgi.requests import DEFAULT_MAX_BODY_SIZE
from covet.asgi.responses import RedirectResponse
from covet.asgi.state import State
from covet.asgi.types import ASGIApp, Receive, Scope, Send
from covet.asgi.url import URL
from covet.router import (
    MethodNotAllowed,
    Mount,
    MountMatch,
    RedirectSlash,
    Route,
    RouteMatch,
    Router,
)

__all__ = ["CovetPy"]

F = TypeVar("F", bound=Callable[..., Any])


def route_path(scope: Scope) -> str:
    """The part of the path this application routes on: the path below ``root_path``.

    ASGI servers put the whole path in ``scope["path"]`` and the prefix the app
    is mounted at (by a proxy, or by :meth:`CovetPy.mount`) in ``root_path``.
    """
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        return path[len(root_path) :] or "/"
    return path


def _default_route_name(endpoint: Callable[..., Any]) -> str | None:
    """A route is named after its function; a lambda has no useful name."""
    name = getattr(endpoint, "__name__", None)
    return None if name == "<lambda>" else name


class CovetPy:
    """An ASGI application: routes, middleware, exception handlers, lifespan.

    ``debug=True`` shows tracebacks on 500 pages (never in production).
    ``openapi_url`` and ``docs_url`` serve the OpenAPI document and the docs
    page (``None`` switches either off); ``title``, ``version`` and
    ``description`` go into the document.
    ``max_body_size`` (bytes, ``None`` for no limit) is the default request
    body limit; a route can set its own. ``redirect_slashes`` redirects
    ``/users/`` to ``/users`` (or back) when only the other form exists.
    """

    def __init__(
        self,
        *,
        debug: bool = False,
        lifespan: LifespanContext | None = None,
        on_startup: Sequence[Callable[[], Any]] = (),
        on_shutdown: Sequence[Callable[[], Any]] = (),
        middleware: Sequence[Middleware] = (),
        exception_handlers: Mapping[int | type[BaseException], ExceptionHandler] | None = None,
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
        redirect_slashes: bool = True,
        title: str = "CovetPy",
        version: str = "0.1.0",
        description: str | None = None,
        openapi_url: str | None = "/openapi.json",
        docs_url: str | None = "/docs",
    ) -> None:
        self.debug = debug
        self.max_body_size = max_body_size
        self.router = Router(redirect_slashes=redirect_slashes)
        self.state = State()
        self.user_middleware: list[Middleware] = list(middleware)
        self.exception_handlers: dict[int | type[BaseException], ExceptionHandler] = dict(
            exception_handlers or {}
        )
        self.lifespan = Lifespan(
            self, context=lifespan, on_startup=on_startup, on_shutdown=on_shutdown
        )
        #: Replace a provider in tests: ``app.dependency_overrides[get_db] = fake_db``.
        self.dependency_overrides: dict[Callable[..., Any], Callable[..., Any]] = {}
        self._stack: ASGIApp | None = None
        self.title = title
        self.version = version
        self.description = description
        self.openapi_url = openapi_url
        self.docs_url = docs_url
        add_docs_routes(self)

    # -- registering routes ---------------------------------------------------

    def add_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Sequence[str] | None = None,
        name: str | None = None,
        middleware: Sequence[Middleware] = (),
        max_body_size: int | EllipsisType | None = ...,
        response_model: Any = FROM_ANNOTATION,
        status_code: int | None = None,
        tags: Sequence[str] = (),
        summary: str | None = None,
        include_in_schema: bool = True,
    ) -> Route:
        """Register ``endpoint`` for ``path``.

        ``name`` (for :meth:`url_for`) defaults to the function's name; two
        routes with one name are an error, so give ``name=`` when one function
        serves two paths. ``max_body_size`` defaults to the application's.
        ``response_model`` (default: the return annotation, when it names a
        pydantic model) filters and serializes what the handler returns;
        ``status_code`` replaces the default 200. ``tags``, ``summary`` and
        ``include_in_schema`` shape the OpenAPI document.
        """
        route_name = name if name is not None else _default_route_name(endpoint)
        handler = Handler(
            endpoint,
            path_params=self.router.compile(path).param_names,
            max_body_size=self.max_body_size if max_body_size is ... else max_body_size,
            middleware=middleware,
            response_model=response_model,
            status_code=status_code,
            tags=tags,
            summary=summary,
            include_in_schema=include_in_schema,
        )
        return self.router.add_route(path, handler, methods=methods, name=route_name)

    def route(
        self, path: str, methods: Sequence[str] | None = None, **options: Any
    ) -> Callable[[F], F]:
        """Decorator form of :meth:`add_route`; ``methods`` defaults to GET (and HEAD)."""

        def decorator(func: F) -> F:
            self.add_route(path, func, methods=methods, **options)
            return func

        return decorator

    def get(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["GET"], **options)

    def post(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["POST"], **options)

    def put(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["PUT"], **options)

    def patch(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["PATCH"], **options)

    def delete(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["DELETE"], **options)

    def mount(self, path: str, app: ASGIApp, *, name: str | None = None) -> Mount:
        """Hand every request under ``path`` to another ASGI app.

        The mounted app gets the prefix added to ``scope["root_path"]`` and the
        full path in ``scope["path"]``, as the ASGI spec has servers do for a
        whole application; it routes on what follows the prefix.
        """
        return self.router.mount(path, app, name=name)

    @property
    def routes(self) -> list[Route | Mount]:
        """Every route and mount, in registration order."""
        return list(self.router.routes)

    def url_for(self, name: str, /, **params: Any) -> str:
        """The path of the named route with ``params`` filled in and quoted."""
        return self.router.url_for(name, **params)

    # -- middleware, errors, lifespan hooks -------------------------------------

    def add_middleware(self, cls: Any, /, **options: Any) -> None:
        """Add a middleware inside those added before it (the first added runs first)."""
        if self._stack is not None:
            raise RuntimeError("Cannot add middleware after the application has started")
        self.user_middleware.append(Middleware(cls, **options))

    def add_exception_handler(
        self, key: int | type[BaseException], handler: ExceptionHandler
    ) -> None:
        """Answer exceptions of class ``key`` (or HTTP errors with status ``key``)."""
        if self._stack is not None:
            raise RuntimeError("Cannot add exception handlers after the application has started")
        self.exception_handlers[key] = handler

    def exception_handler(self, key: int | type[BaseException]) -> Callable[[F], F]:
        def decorator(func: F) -> F:
            self.add_exception_handler(key, func)
            return func

        return decorator

    def on_startup(self, func: F) -> F:
        """Decorator: run ``func`` (sync or async) when the server starts."""
        self.lifespan.on_startup.append(func)
        return func

    def on_shutdown(self, func: F) -> F:
        """Decorator: run ``func`` (sync or async) when the server stops."""
        self.lifespan.on_shutdown.append(func)
        return func

    # -- serving ---------------------------------------------------------------------

    def build_middleware_stack(self) -> ASGIApp:
        """Wrap :meth:`dispatch` in the middleware, innermost first."""
        server_error_handler = self.exception_handlers.get(500) or self.exception_handlers.get(
            Exception
        )
        handlers = {
            key: handler
            for key, handler in self.exception_handlers.items()
            if key not in (500, Exception)
        }
        app: ASGIApp = ExceptionMiddleware(self.dispatch, handlers)
        for spec in reversed(self.user_middleware):
            app = spec.wrap(app)
        return ServerErrorMiddleware(app, debug=self.debug, handler=server_error_handler)

    def middleware_stack_description(self) -> list[str]:
        """The middleware a request passes through, outermost first, ending with the router.

        ``["ServerErrorMiddleware(debug=False)", "CORSMiddleware(allow_origins=[...])",
        "ExceptionMiddleware", "router"]``: one entry per layer that
        :meth:`build_middleware_stack` builds, in the order a request meets them. Reading it
        builds nothing, so it works before the application has started.
        """
        return [
            f"ServerErrorMiddleware(debug={self.debug!r})",
            *(str(spec) for spec in self.user_middleware),
            "ExceptionMiddleware",
            "router",
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        if scope["type"] == "lifespan":
            await self.lifespan(scope, receive, send)
            return
        if self._stack is None:
            self._stack = self.build_middleware_stack()
        await self._stack(scope, receive, send)

    async def dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route one request: the router decides, this method acts on its answer."""
        if scope["type"] == "websocket":
            await self._dispatch_websocket(scope, receive, send)
            return
        result = self.router.match(scope["method"], route_path(scope))
        if isinstance(result, RouteMatch):
            scope["path_params"] = result.params
            scope["route"] = result.route
            await result.route.endpoint(scope, receive, send)
        elif isinstance(result, MountMatch):
            await result.mount.app(self._mounted_scope(scope, result), receive, send)
        elif isinstance(result, MethodNotAllowed):
            raise HTTPException(405, headers={"Allow": ", ".join(result.allowed)})
        elif isinstance(result, RedirectSlash):
            url = URL(scope=scope).replace(path=scope.get("root_path", "") + result.path)
            await RedirectResponse(str(url))(scope, receive, send)
        else:
            raise HTTPException(404)

    async def _dispatch_websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """WebSocket routes arrive with covet-ws; here only mounts can take one."""
        result = self.router.match("GET", route_path(scope))
        if isinstance(result, MountMatch):
            await result.mount.app(self._mounted_scope(scope, result), receive, send)
            return
        await receive()  # the websocket.connect message
        await send({"type": "websocket.close", "code": 1000})

    @staticmethod
    def _mounted_scope(scope: Scope, result: MountMatch) -> Scope:
        # ``path`` stays the full path; the prefix moves into ``root_path``, so
        # the mounted app routes on what follows it (see route_path).
        return {**scope, "root_path": scope.get("root_path", "") + result.root_path}
