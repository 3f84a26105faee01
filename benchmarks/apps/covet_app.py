"""The scenarios in CovetPy, as its README writes them.

Handlers return dicts (JSON) and strings (plain text) and declare typed parameters: path
values with the router's ``{name:int}`` converter (as ``examples/api`` writes them, and as
the Starlette and Litestar apps do, so a non-number is a 404 in all three), query values by
their annotations, and the body by a pydantic model annotation. Middleware is
``Middleware(cls)`` in the application's list. The defaults are kept: ``/openapi.json`` and
``/docs`` are registered, as FastAPI's and Litestar's docs routes are.

No ``from __future__ import annotations``: the pydantic model is imported inside a
function, where a string annotation would not resolve.
"""

from typing import Any

from benchmarks.apps.middleware import PassThrough
from benchmarks.apps.scenarios import ROUTE_COUNT
from covet.asgi import CovetPy, Middleware

__all__ = ["build"]


def _resource(app: CovetPy, number: int) -> None:
    async def resource(item_id: int) -> dict[str, Any]:
        return {"route": number, "id": item_id}

    app.add_route(f"/resource{number}/{{item_id:int}}", resource, name=f"r{number}")


def _post(app: CovetPy) -> None:
    from benchmarks.apps.models import Item

    @app.post("/items")
    async def create_item(item: Item) -> dict[str, Any]:
        return item.model_dump()


def build(scenario: str) -> CovetPy:
    """The CovetPy app for ``scenario``."""
    middleware = []
    if scenario == "middleware_3":
        middleware = [Middleware(PassThrough) for _ in range(3)]
    app = CovetPy(middleware=middleware)
    if scenario in ("plaintext", "middleware_3"):

        @app.get("/plaintext")
        async def plaintext() -> str:
            return "Hello, World!"

    elif scenario == "json":

        @app.get("/json")
        async def json() -> dict[str, Any]:
            return {"message": "Hello, World!"}

    elif scenario == "path_param":

        @app.get("/users/{user_id:int}")
        async def user(user_id: int) -> dict[str, Any]:
            return {"id": user_id, "name": f"User {user_id}"}

    elif scenario == "query_params":

        @app.get("/search")
        async def search(q: str, page: int, size: int) -> dict[str, Any]:
            return {"q": q, "page": page, "size": size}

    elif scenario == "post_body":
        _post(app)
    elif scenario == "routes_100":
        for number in range(ROUTE_COUNT):
            _resource(app, number)
    else:
        raise ValueError(f"unknown scenario {scenario!r}")
    return app
