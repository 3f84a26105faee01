"""The test clients themselves."""

from __future__ import annotations

import gzip

from covet.asgi import CovetPy, Receive, Request, Scope, Send
from covet.asgi.testing import AsyncTestClient, TestClient


def make_app() -> CovetPy:
    app = CovetPy()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, object]:
        return {
            "body": (await request.body()).decode(),
            "client": list(request.client or ()),
            "host": request.url.hostname,
        }

    return app


def test_sync_client_without_with_block_and_close() -> None:
    client = TestClient(make_app())
    response = client.post("/echo", content=b"hi")
    assert response.json() == {"body": "hi", "client": ["testclient", 50000], "host": "testserver"}
    client.close()
    client.close()  # closing twice is harmless


def test_sync_client_custom_base_url_and_client_address() -> None:
    with TestClient(make_app(), base_url="http://api.local", client=("10.0.0.1", 1)) as client:
        assert client.post("/echo", content=b"").json()["host"] == "api.local"
        assert client.post("/echo", content=b"").json()["client"] == ["10.0.0.1", 1]


async def test_async_client() -> None:
    async with AsyncTestClient(make_app()) as client:
        response = await client.post("/echo", content=b"async")
        assert response.json()["body"] == "async"


def test_sync_client_decodes_a_content_encoded_body_once() -> None:
    body = b"compressed " * 100

    async def gzipped(scope: Scope, receive: Receive, send: Send) -> None:
        encoded = gzip.compress(body)
        headers = [(b"content-encoding", b"gzip"), (b"content-length", b"%d" % len(encoded))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": encoded})

    response = TestClient(gzipped).get("/")
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == body
