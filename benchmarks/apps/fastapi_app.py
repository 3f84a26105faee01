"""The scenarios in FastAPI, as its documentation writes them.

Handlers declare typed parameters and return dicts (FastAPI encodes them with
``jsonable_encoder`` and its default ``JSONResponse``); plaintext uses
``response_class=PlainTextResponse``; the body is a pydantic model parameter. Handlers carry
no return annotation, as in FastAPI's first tutorial steps: FastAPI turns one into a response
model that validates every returned value, extra work no other app here does. FastAPI's
defaults are kept: ``/docs``, ``/redoc`` and ``/openapi.json`` are registered, as in CovetPy
and Litestar (see the README of benchmarks/).

No ``from __future__ import annotations`` here: FastAPI reads the annotations at run time,
and the pydantic model is imported inside a function, where a string annotation would not
resolve.

The ``demo_*`` scenarios are the launch demo's style in FastAPI: the handler takes
``request: Request`` first (FastAPI recognises the parameter by that annotation).
``realistic_app`` puts every route in one app behind Starlette's TrustedHost, CORS and GZip
middleware, which FastAPI documents as its own (``fastapi.middleware.*``).
"""

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from fastapi.responses import PlainTextResponse
from starlette.middleware import Middleware

from benchmarks.apps.middleware import PassThrough
from benchmarks.apps.scenarios import ALLOWED_HOSTS, ALLOWED_ORIGINS, ROUTE_COUNT, add_routes

__all__ = ["build"]


def _plaintext(app: FastAPI) -> None:
    @app.get("/plaintext", response_class=PlainTextResponse)
    async def plaintext():
        return "Hello, World!"


def _resource(app: FastAPI, number: int) -> None:
    async def resource(item_id: int):
        return {"route": number, "id": item_id}

    resource.__name__ = f"resource{number}"  # one operation id per route
    app.get(f"/resource{number}/{{item_id}}")(resource)


def _post(app: FastAPI) -> None:
    from benchmarks.apps.models import Item

    @app.post("/items")
    async def create_item(item: Item):
        return item.model_dump()


def _json(app: FastAPI) -> None:
    @app.get("/json")
    async def json():
        return {"message": "Hello, World!"}


def _path_param(app: FastAPI) -> None:
    @app.get("/users/{user_id}")
    async def user(user_id: int):
        return {"id": user_id, "name": f"User {user_id}"}


def _query_params(app: FastAPI) -> None:
    @app.get("/search")
    async def search(q: str, page: int, size: int):
        return {"q": q, "page": page, "size": size}


def _routes_100(app: FastAPI) -> None:
    for number in range(ROUTE_COUNT):
        _resource(app, number)


def _demo_plaintext(app: FastAPI) -> None:
    @app.get("/plaintext", response_class=PlainTextResponse)
    async def hello(request: Request):
        return "Hello, World!"


def _demo_path_param(app: FastAPI) -> None:
    @app.get("/users/{user_id}")
    async def get_user(request: Request, user_id: int):
        return {"id": user_id, "name": f"User {user_id}"}


_ROUTES = {
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


def build(scenario: str) -> FastAPI:
    """The FastAPI app for ``scenario``."""
    middleware = []
    if scenario == "middleware_3":
        middleware = [Middleware(PassThrough) for _ in range(3)]
    elif scenario == "realistic_app":
        middleware = [
            Middleware(TrustedHostMiddleware, allowed_hosts=list(ALLOWED_HOSTS)),
            Middleware(CORSMiddleware, allow_origins=list(ALLOWED_ORIGINS)),
            Middleware(GZipMiddleware),
        ]
    app = FastAPI(middleware=middleware)
    add_routes(app, scenario, _ROUTES)
    return app
