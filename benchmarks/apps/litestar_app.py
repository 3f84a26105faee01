"""The scenarios in Litestar, as its documentation writes them.

Handlers are ``@get`` / ``@post`` functions with typed parameters and return annotations;
Litestar encodes the returned dicts with msgspec. The POST handler takes ``data: Item`` (the
pydantic plugin validates it) and sets ``status_code=200`` (Litestar's POST default is 201).
Middleware is a list of pure ASGI classes. Litestar's default OpenAPI routes (``/schema``)
stay registered, as CovetPy's and FastAPI's docs routes do. The ``demo_*`` scenarios take
``request: Request`` first, as Litestar's docs write a handler that needs the request;
``realistic_app`` uses Litestar's own equivalents of the three middlewares:
``allowed_hosts``, ``cors_config`` and ``compression_config`` (gzip). Litestar matches the
whole ``Host`` header, port included (where Starlette and CovetPy compare the host name), so
its list names each host with the port the app is served on: 8000 in process, the port
``serve.py`` puts in ``COVET_BENCH_PORT`` under uvicorn.

No ``from __future__ import annotations``: Litestar reads the annotations at run time, and the
pydantic model is imported inside a function, where a string annotation would not resolve.
"""

import os
from typing import Any

from litestar import Litestar, MediaType, Request, get, post
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.handlers import HTTPRouteHandler

from benchmarks.apps.middleware import PassThrough
from benchmarks.apps.scenarios import ALLOWED_HOSTS, ALLOWED_ORIGINS, ROUTE_COUNT

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


@get("/plaintext", media_type=MediaType.TEXT)
async def demo_plaintext(request: Request[Any, Any, Any]) -> str:
    return "Hello, World!"


@get("/users/{user_id:int}")
async def demo_user(request: Request[Any, Any, Any], user_id: int) -> dict[str, Any]:
    return {"id": user_id, "name": f"User {user_id}"}


def _realistic() -> Litestar:
    port = os.environ.get("COVET_BENCH_PORT", "8000")
    handlers = [demo_plaintext, json, demo_user, search, _post()]
    handlers += [_resource(number) for number in range(ROUTE_COUNT)]
    return Litestar(
        route_handlers=handlers,
        allowed_hosts=AllowedHostsConfig([f"{host}:{port}" for host in ALLOWED_HOSTS]),
        cors_config=CORSConfig(allow_origins=list(ALLOWED_ORIGINS)),
        compression_config=CompressionConfig(backend="gzip"),
    )


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
    if scenario == "realistic_app":
        return _realistic()
    if scenario == "demo_plaintext":
        handlers = [demo_plaintext]
    elif scenario == "demo_path_param":
        handlers = [demo_user]
    elif scenario in ("plaintext", "middleware_3"):
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
