"""The bare ASGI apps: the floor no framework can beat under the same server.

No routing table, request object or response class: each app reads the scope and sends two
messages. It still does the work the scenario asks for (parse the query, encode the JSON,
validate the body), so the gap to a framework is what the framework adds.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import orjson

from benchmarks.apps.middleware import PassThrough
from benchmarks.apps.scenarios import ROUTE_COUNT

__all__ = ["build"]

App = Any

_TEXT_HEADERS = [(b"content-type", b"text/plain; charset=utf-8")]
_JSON_HEADERS = [(b"content-type", b"application/json")]


async def _send(
    send: Any, headers: list[tuple[bytes, bytes]], body: bytes, status: int = 200
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _asgi(handle: Any) -> App:
    """An ASGI app answering every HTTP request with ``handle`` (and the lifespan)."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        await handle(scope, receive, send)

    return app


async def plaintext(scope: Any, receive: Any, send: Any) -> None:
    await _send(send, _TEXT_HEADERS, b"Hello, World!")


async def json(scope: Any, receive: Any, send: Any) -> None:
    await _send(send, _JSON_HEADERS, orjson.dumps({"message": "Hello, World!"}))


async def path_param(scope: Any, receive: Any, send: Any) -> None:
    user_id = int(scope["path"].rpartition("/")[2])
    await _send(send, _JSON_HEADERS, orjson.dumps({"id": user_id, "name": f"User {user_id}"}))


async def query_params(scope: Any, receive: Any, send: Any) -> None:
    params = dict(parse_qsl(scope["query_string"].decode("latin-1")))
    data = {"q": params["q"], "page": int(params["page"]), "size": int(params["size"])}
    await _send(send, _JSON_HEADERS, orjson.dumps(data))


def _post_body() -> App:
    from benchmarks.apps.models import Item

    async def create_item(scope: Any, receive: Any, send: Any) -> None:
        item = Item.model_validate_json(await _read_body(receive))
        await _send(send, _JSON_HEADERS, orjson.dumps(item.model_dump()))

    return create_item


async def routes_100(scope: Any, receive: Any, send: Any) -> None:
    # "/resource{n}/{id}": the routing a hand-written app would do, one split.
    _, resource, item_id = scope["path"].split("/")
    route = int(resource.removeprefix("resource"))
    assert 0 <= route < ROUTE_COUNT
    await _send(send, _JSON_HEADERS, orjson.dumps({"route": route, "id": int(item_id)}))


def build(scenario: str) -> App:
    """The bare app for ``scenario``.

    A bare app has no request object, so the ``demo_*`` scenarios are the same code as
    ``plaintext`` and ``path_param``; it has no ``realistic_app`` (no middleware to put in
    front of a routing table it does not have), and the tables show "-" there.
    """
    if scenario == "middleware_3":
        return PassThrough(PassThrough(PassThrough(_asgi(plaintext))))
    if scenario == "post_body":
        return _asgi(_post_body())
    handlers = {
        "plaintext": plaintext,
        "json": json,
        "path_param": path_param,
        "query_params": query_params,
        "routes_100": routes_100,
        "demo_plaintext": plaintext,
        "demo_path_param": path_param,
    }
    return _asgi(handlers[scenario])
