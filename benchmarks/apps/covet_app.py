"""The scenarios in CovetPy, as its README writes them.

Handlers return dicts (JSON) and strings (plain text) and declare typed parameters: path
values with the router's ``{name:int}`` converter (as ``examples/api`` writes them, and as
the Starlette and Litestar apps do, so a non-number is a 404 in all three), query values by
their annotations, and the body by a pydantic model annotation. The ``demo_*`` scenarios are
the launch demo's style, word for word: ``request`` first, and ``/users/{user_id}`` with the
value converted by the annotation (a non-number is a 422). Middleware is
``Middleware(cls, **options)`` in the application's list. The defaults are kept:
``/openapi.json`` and ``/docs`` are registered, as FastAPI's and Litestar's docs routes are.

No ``from __future__ import annotations``: the pydantic model is imported inside a
function, where a string annotation would not resolve.
"""

from collections.abc import Callable
from typing import Any

from benchmarks.apps.middleware import PassThrough
from benchmarks.apps.scenarios import ALLOWED_HOSTS, ALLOWED_ORIGINS, ROUTE_COUNT, add_routes
from covet.asgi import (
    CORSMiddleware,
    CovetPy,
    GZipMiddleware,
    Middleware,
    TrustedHostMiddleware,
)

__all__ = ["build"]


def _plaintext(app: CovetPy) -> None:
    @app.get("/plaintext")
    async def plaintext() -> str:
        return "Hello, World!"


def _json(app: CovetPy) -> None:
    @app.get("/json")
    async def json() -> dict[str, Any]:
        return {"message": "Hello, World!"}


def _path_param(app: CovetPy) -> None:
    @app.get("/users/{user_id:int}")
    async def user(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "name": f"User {user_id}"}


def _query_params(app: CovetPy) -> None:
    @app.get("/search")
    async def search(q: str, page: int, size: int) -> dict[str, Any]:
        return {"q": q, "page": page, "size": size}


def _post(app: CovetPy) -> None:
    from benchmarks.apps.models import Item

    @app.post("/items")
    async def create_item(item: Item) -> dict[str, Any]:
        return item.model_dump()


def _routes_100(app: CovetPy) -> None:
    for number in range(ROUTE_COUNT):
        _resource(app, number)


def _resource(app: CovetPy, number: int) -> None:
    async def resource(item_id: int) -> dict[str, Any]:
        return {"route": number, "id": item_id}

    app.add_route(f"/resource{number}/{{item_id:int}}", resource, name=f"r{number}")


def _demo_plaintext(app: CovetPy) -> None:
    @app.route("/plaintext")
    async def hello(request) -> str:  # type: ignore[no-untyped-def]
        return "Hello, World!"


def _demo_path_param(app: CovetPy) -> None:
    @app.route("/users/{user_id}")
    async def get_user(request, user_id: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        return {"id": user_id, "name": f"User {user_id}"}


_ROUTES: dict[str, Callable[[CovetPy], None]] = {
    "plaintext": _plaintext,
    "middleware_3": _plaintext,
    "json": _json,
    "path_param": _path_param,
    "query_params": _query_params,
    "post_body": _post,
    "routes_100": _routes_100,
    "demo_plaintext": _demo_plaintext,
    "demo_path_param": _demo_path_param,
}


def build(scenario: str) -> CovetPy:
    """The CovetPy app for ``scenario``."""
    middleware = []
    if scenario == "middleware_3":
        middleware = [Middleware(PassThrough) for _ in range(3)]
    elif scenario == "realistic_app":
        middleware = [
            Middleware(TrustedHostMiddleware, allowed_hosts=list(ALLOWED_HOSTS)),
            Middleware(CORSMiddleware, allow_origins=list(ALLOWED_ORIGINS)),
            Middleware(GZipMiddleware),
        ]
    app = CovetPy(middleware=middleware)
    add_routes(app, scenario, _ROUTES)
    return app
