"""The scenarios in Litestar, as its documentation writes them.

Handlers are ``@get`` / ``@post`` functions with typed parameters and return annotations;
Litestar encodes the returned dicts with msgspec. The POST handler takes ``data: Item`` (the
pydantic plugin validates it) and sets ``status_code=200`` (Litestar's POST default is 201).
Middleware is a list of pure ASGI classes. Litestar's default OpenAPI routes (``/schema``)
stay registered, as CovetPy's and FastAPI's docs routes do.

No ``from __future__ import annotations``: Litestar reads the annotations at run time, and the
pydantic model is imported inside a function, where a string annotation would not resolve.
"""

from typing import Any

from litestar import Litestar, MediaType, get, post
from litestar.handlers import HTTPRouteHandler

from benchmarks.apps.middleware import PassThrough
from benchmarks.apps.scenarios import ROUTE_COUNT

__all__ = ["build"]


@get("/plaintext", media_type=MediaType.TEXT)
async def plaintext() -> str:
    return "Hello, World!"


@get("/json")
async def json() -> dict[str, Any]:
    return {"message": "Hello, World!"}


@get("/users/{user_id:int}")
async def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "name": f"User {user_id}"}


@get("/search")
async def search(q: str, page: int, size: int) -> dict[str, Any]:
    return {"q": q, "page": page, "size": size}


def _resource(number: int) -> HTTPRouteHandler:
    async def resource(item_id: int) -> dict[str, Any]:
        return {"route": number, "id": item_id}

    resource.__name__ = f"resource{number}"
    return get(f"/resource{number}/{{item_id:int}}", name=f"r{number}")(resource)


def _post() -> HTTPRouteHandler:
    from benchmarks.apps.models import Item

    @post("/items", status_code=200)
    async def create_item(data: Item) -> dict[str, Any]:
        return data.model_dump()

    return create_item


def build(scenario: str) -> Litestar:
    """The Litestar app for ``scenario``."""
    middleware: list[Any] = []
    handlers: list[HTTPRouteHandler]
    if scenario in ("plaintext", "middleware_3"):
        handlers = [plaintext]
        if scenario == "middleware_3":
            middleware = [PassThrough, PassThrough, PassThrough]
    elif scenario == "json":
        handlers = [json]
    elif scenario == "path_param":
        handlers = [user]
    elif scenario == "query_params":
        handlers = [search]
    elif scenario == "post_body":
        handlers = [_post()]
    elif scenario == "routes_100":
        handlers = [_resource(number) for number in range(ROUTE_COUNT)]
    else:
        raise ValueError(f"unknown scenario {scenario!r}")
    return Litestar(route_handlers=handlers, middleware=middleware)
