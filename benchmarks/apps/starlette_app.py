"""The scenarios in Starlette, as its documentation writes them.

Handlers take the request and return ``PlainTextResponse`` / ``JSONResponse``; routes are
``Route`` objects with Starlette's ``{name:int}`` converters; middleware is
``Middleware(cls, **options)`` in the application's list. Every Starlette handler takes the
request, so the ``demo_*`` scenarios (the launch demo's request-first style) are the same
handlers as ``plaintext`` and ``path_param``.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from benchmarks.apps.middleware import PassThrough
from benchmarks.apps.scenarios import ALLOWED_HOSTS, ALLOWED_ORIGINS, ROUTE_COUNT

__all__ = ["build"]


async def plaintext(request: Request) -> Response:
    return PlainTextResponse("Hello, World!")


async def json(request: Request) -> Response:
    return JSONResponse({"message": "Hello, World!"})


async def user(request: Request) -> Response:
    user_id = request.path_params["user_id"]
    return JSONResponse({"id": user_id, "name": f"User {user_id}"})


async def search(request: Request) -> Response:
    params = request.query_params
    return JSONResponse(
        {"q": params["q"], "page": int(params["page"]), "size": int(params["size"])}
    )


def _resource(number: int) -> Any:
    async def resource(request: Request) -> Response:
        return JSONResponse({"route": number, "id": request.path_params["item_id"]})

    return resource


def _post_routes() -> list[Route]:
    from pydantic import ValidationError

    from benchmarks.apps.models import Item

    async def create_item(request: Request) -> Response:
        try:
            item = Item.model_validate_json(await request.body())
        except ValidationError as exc:
            return JSONResponse({"detail": exc.errors(include_url=False)}, status_code=422)
        return JSONResponse(item.model_dump())

    return [Route("/items", create_item, methods=["POST"])]


def _routes_100() -> list[Route]:
    return [
        Route(f"/resource{number}/{{item_id:int}}", _resource(number), name=f"r{number}")
        for number in range(ROUTE_COUNT)
    ]


def _realistic() -> Starlette:
    routes = [
        Route("/plaintext", plaintext),
        Route("/json", json),
        Route("/users/{user_id:int}", user),
        Route("/search", search),
        *_post_routes(),
        *_routes_100(),
    ]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=list(ALLOWED_HOSTS)),
        Middleware(CORSMiddleware, allow_origins=list(ALLOWED_ORIGINS)),
        Middleware(GZipMiddleware),
    ]
    return Starlette(routes=routes, middleware=middleware)


def build(scenario: str) -> Starlette:
    """The Starlette app for ``scenario``."""
    middleware: list[Middleware] = []
    if scenario == "realistic_app":
        return _realistic()
    if scenario in ("plaintext", "middleware_3", "demo_plaintext"):
        routes = [Route("/plaintext", plaintext)]
        if scenario == "middleware_3":
            middleware = [Middleware(PassThrough) for _ in range(3)]
    elif scenario == "json":
        routes = [Route("/json", json)]
    elif scenario in ("path_param", "demo_path_param"):
        routes = [Route("/users/{user_id:int}", user)]
    elif scenario == "query_params":
        routes = [Route("/search", search)]
    elif scenario == "post_body":
        routes = _post_routes()
    elif scenario == "routes_100":
        routes = _routes_100()
    else:
        raise ValueError(f"unknown scenario {scenario!r}")
    return Starlette(routes=routes, middleware=middleware)
