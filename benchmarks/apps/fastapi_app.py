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
"""

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from starlette.middleware import Middleware

from benchmarks.apps.middleware import PassThrough
from benchmarks.apps.scenarios import ROUTE_COUNT

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


def build(scenario: str) -> FastAPI:
    """The FastAPI app for ``scenario``."""
    middleware = []
    if scenario == "middleware_3":
        middleware = [Middleware(PassThrough) for _ in range(3)]
    app = FastAPI(middleware=middleware)
    if scenario in ("plaintext", "middleware_3"):
        _plaintext(app)
    elif scenario == "json":

        @app.get("/json")
        async def json():
            return {"message": "Hello, World!"}

    elif scenario == "path_param":

        @app.get("/users/{user_id}")
        async def user(user_id: int):
            return {"id": user_id, "name": f"User {user_id}"}

    elif scenario == "query_params":

        @app.get("/search")
        async def search(q: str, page: int, size: int):
            return {"q": q, "page": page, "size": size}

    elif scenario == "post_body":
        _post(app)
    elif scenario == "routes_100":
        for number in range(ROUTE_COUNT):
            _resource(app, number)
    else:
        raise ValueError(f"unknown scenario {scenario!r}")
    return app
