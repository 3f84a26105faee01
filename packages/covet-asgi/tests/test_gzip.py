"""GZipMiddleware: when to compress, Vary, streams, and what is left alone."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from covet.asgi import (
    CovetPy,
    FileResponse,
    GZipMiddleware,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from covet.asgi.middleware.gzip import accepts_gzip
from covet.asgi.testing import TestClient
from covet.asgi.types import ASGIApp, Message, Receive, Scope, Send

TEXT = "CovetPy compresses text. " * 40  # 1000 bytes
CHUNKS = [f"event {n}: {'data ' * 50}\n".encode() for n in range(5)]


def make_app(tmp_path: Path | None = None, **options: int) -> CovetPy:
    app = CovetPy()
    app.add_middleware(GZipMiddleware, **options)

    @app.get("/text")
    async def text() -> PlainTextResponse:
        return PlainTextResponse(TEXT)

    @app.get("/small")
    async def small() -> PlainTextResponse:
        return PlainTextResponse("tiny")

    @app.get("/varies")
    async def varies() -> PlainTextResponse:
        return PlainTextResponse(TEXT, headers={"vary": "Cookie"})

    @app.get("/encoded")
    async def encoded() -> Response:
        body = b"\x00not really brotli" * 100
        return Response(body, headers={"content-encoding": "br"}, media_type="text/plain")

    @app.get("/image")
    async def image() -> Response:
        return Response(b"\x89PNG" + bytes(2000), media_type="image/png")

    @app.get("/svg")
    async def svg() -> Response:
        return Response("<svg>" + " " * 1000 + "</svg>", media_type="image/svg+xml")

    @app.get("/untyped")
    async def untyped() -> Response:
        return Response(TEXT.encode())

    @app.get("/empty")
    async def empty() -> Response:
        return Response(status_code=204)

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for chunk in CHUNKS:
                yield chunk

        return StreamingResponse(chunks(), media_type="text/plain")

    @app.get("/small-stream")
    async def small_stream() -> StreamingResponse:
        return StreamingResponse([b"a", b"b"], headers={"content-length": "2"})

    @app.get("/events")
    async def events() -> StreamingResponse:
        return StreamingResponse(CHUNKS, media_type="text/event-stream")

    if tmp_path is not None:
        (tmp_path / "page.html").write_text(TEXT * 300)

        @app.get("/file")
        async def file() -> FileResponse:
            return FileResponse(tmp_path / "page.html")

    return app


async def call(app: ASGIApp, path: str, headers: Sequence[tuple[str, str]] = ()) -> list[Message]:
    """Drive ``app`` directly and return every message it sent, body chunks one by one."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [(name.encode(), value.encode()) for name, value in headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    pending = [{"type": "http.request", "body": b"", "more_body": False}]
    client_stays = asyncio.Event()  # never set: the client does not disconnect
    sent: list[Message] = []

    async def receive() -> Message:
        if pending:
            return pending.pop()
        await client_stays.wait()
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def header(message: Message, name: str) -> str | None:
    values = [v.decode() for k, v in message["headers"] if k.decode().lower() == name]
    assert len(values) <= 1, values
    return values[0] if values else None


# --- what Accept-Encoding allows ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_encoding", "expected"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("GZIP", True),
        ("x-gzip", True),
        ("*", True),
        ("deflate, *;q=0.1", True),
        ("gzip;q=0", False),
        ("gzip ; q=0.0, deflate", False),
        ("gzip;q=0, *", False),  # the explicit entry wins over the wildcard
        ("*;q=0", False),
        ("identity", False),
        ("br, deflate", False),
        ("gzip;q=abc", False),
        ("", False),
        ("gzip;level=1", True),  # parameters other than q do not matter
    ],
)
def test_accept_encoding_is_read_with_its_q_values(accept_encoding: str, expected: bool) -> None:
    assert accepts_gzip(accept_encoding) is expected


# --- whole bodies -------------------------------------------------------------------------------


async def test_a_large_text_body_is_gzipped_with_a_fixed_length() -> None:
    [start, body] = await call(make_app(), "/text", [("accept-encoding", "gzip")])
    assert header(start, "content-encoding") == "gzip"
    assert header(start, "content-length") == str(len(body["body"]))
    assert header(start, "vary") == "Accept-Encoding"
    assert len(body["body"]) < len(TEXT) // 5
    assert gzip.decompress(body["body"]).decode() == TEXT


def test_the_test_client_reads_a_gzipped_body() -> None:
    # httpx asks for gzip by default, as browsers do.
    response = TestClient(make_app()).get("/text")
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == TEXT


@pytest.mark.parametrize("accept_encoding", ["gzip;q=0", "identity", "br", ""])
def test_a_client_that_refuses_gzip_gets_the_plain_body_and_vary(accept_encoding: str) -> None:
    response = TestClient(make_app()).get("/text", headers={"accept-encoding": accept_encoding})
    assert "content-encoding" not in response.headers
    assert response.headers["content-length"] == str(len(TEXT))
    assert response.text == TEXT
    assert response.headers["vary"] == "Accept-Encoding"


def test_a_star_accepts_gzip() -> None:
    response = TestClient(make_app()).get("/text", headers={"accept-encoding": "*"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == TEXT


def test_a_body_below_minimum_size_is_sent_plain_with_vary() -> None:
    response = TestClient(make_app()).get("/small", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert response.text == "tiny"
    assert response.headers["vary"] == "Accept-Encoding"


def test_minimum_size_and_compresslevel_are_options() -> None:
    client = TestClient(make_app(minimum_size=1, compresslevel=9))
    response = client.get("/small", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == "tiny"


@pytest.mark.parametrize("level", [0, 10])
def test_a_compresslevel_out_of_range_is_refused(level: int) -> None:
    with pytest.raises(ValueError, match="compresslevel must be from 1 to 9"):
        GZipMiddleware(make_app(), compresslevel=level)


def test_vary_is_merged_with_the_applications_own() -> None:
    response = TestClient(make_app()).get("/varies", headers={"accept-encoding": "gzip"})
    assert response.headers.get_list("vary") == ["Cookie, Accept-Encoding"]
    assert response.text == TEXT


def test_svg_and_untyped_bodies_are_compressed() -> None:
    client = TestClient(make_app())
    for path in ("/svg", "/untyped"):
        response = client.get(path, headers={"accept-encoding": "gzip"})
        assert response.headers["content-encoding"] == "gzip", path


# --- left alone -------------------------------------------------------------------------------


async def test_an_already_encoded_body_is_left_untouched() -> None:
    [start, body] = await call(make_app(), "/encoded", [("accept-encoding", "gzip, br")])
    assert header(start, "content-encoding") == "br"
    assert body["body"] == b"\x00not really brotli" * 100
    assert header(start, "vary") is None


def test_an_already_compressed_media_type_is_left_untouched() -> None:
    response = TestClient(make_app()).get("/image", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert "vary" not in response.headers
    assert response.content == b"\x89PNG" + bytes(2000)


def test_head_is_left_untouched() -> None:
    response = TestClient(make_app()).head("/text", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert "vary" not in response.headers
    assert response.headers["content-length"] == str(len(TEXT))


def test_a_204_is_left_untouched() -> None:
    response = TestClient(make_app()).get("/empty", headers={"accept-encoding": "gzip"})
    assert response.status_code == 204
    assert "content-encoding" not in response.headers
    assert "vary" not in response.headers


# --- streams ----------------------------------------------------------------------------------


async def test_a_stream_is_compressed_chunk_by_chunk() -> None:
    sent = await call(make_app(), "/stream", [("accept-encoding", "gzip")])
    start, *bodies = sent
    assert header(start, "content-encoding") == "gzip"
    assert header(start, "content-length") is None
    assert header(start, "vary") == "Accept-Encoding"
    assert len(bodies) == len(CHUNKS) + 1  # one message per chunk, then the end
    assert all(message["more_body"] for message in bodies[:-1])
    assert bodies[-1]["more_body"] is False

    # Each message decodes on arrival to exactly its chunk: the stream stays live.
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    for message, chunk in zip(bodies, CHUNKS, strict=False):
        assert decoder.decompress(message["body"]) == chunk
    assert gzip.decompress(b"".join(m["body"] for m in bodies)) == b"".join(CHUNKS)


async def test_a_stream_without_accepted_gzip_passes_chunk_by_chunk() -> None:
    start, *bodies = await call(make_app(), "/stream", [("accept-encoding", "identity")])
    assert header(start, "content-encoding") is None
    assert header(start, "vary") == "Accept-Encoding"
    assert [message["body"] for message in bodies] == [*CHUNKS, b""]


async def test_a_stream_declaring_a_small_length_is_not_compressed() -> None:
    start, *bodies = await call(make_app(), "/small-stream", [("accept-encoding", "gzip")])
    assert header(start, "content-encoding") is None
    assert header(start, "content-length") == "2"
    assert b"".join(message["body"] for message in bodies) == b"ab"


async def test_an_event_stream_is_never_compressed() -> None:
    start, *bodies = await call(make_app(), "/events", [("accept-encoding", "gzip")])
    assert header(start, "content-encoding") is None
    assert header(start, "vary") is None
    assert [message["body"] for message in bodies] == [*CHUNKS, b""]


# --- files: validators, ranges, 304 -------------------------------------------------------------


async def test_a_large_file_is_streamed_compressed_without_its_length(tmp_path: Path) -> None:
    start, *bodies = await call(make_app(tmp_path), "/file", [("accept-encoding", "gzip")])
    assert len(bodies) > 1
    assert header(start, "content-length") is None
    assert gzip.decompress(b"".join(m["body"] for m in bodies)).decode() == TEXT * 300


def test_a_compressed_file_gets_a_weak_etag_that_still_gives_304(tmp_path: Path) -> None:
    client = TestClient(make_app(tmp_path))
    plain = client.get("/file", headers={"accept-encoding": "identity"})
    assert plain.headers["accept-ranges"] == "bytes"
    etag = plain.headers["etag"]
    assert etag.startswith('"')

    compressed = client.get("/file", headers={"accept-encoding": "gzip"})
    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.headers["etag"] == "W/" + etag
    assert "accept-ranges" not in compressed.headers

    again = client.get(
        "/file", headers={"accept-encoding": "gzip", "if-none-match": compressed.headers["etag"]}
    )
    assert again.status_code == 304


def test_a_range_response_is_left_untouched(tmp_path: Path) -> None:
    client = TestClient(make_app(tmp_path))
    response = client.get("/file", headers={"accept-encoding": "gzip", "range": "bytes=0-599"})
    assert response.status_code == 206
    assert "content-encoding" not in response.headers
    assert response.text == (TEXT * 300)[:600]


# --- other scopes and messages ------------------------------------------------------------------


async def test_non_http_scopes_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def receive() -> Message:
        raise AssertionError("not called")

    async def send(message: Message) -> None:
        raise AssertionError("not called")

    await GZipMiddleware(app)({"type": "lifespan"}, receive, send)
    assert seen == ["lifespan"]


async def test_messages_it_does_not_know_are_forwarded() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"x" * 600, "more_body": True})
        await send({"type": "http.response.trailers", "headers": [], "more_trailers": False})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    sent = await call(GZipMiddleware(app), "/", [("accept-encoding", "gzip")])
    assert [message["type"] for message in sent] == [
        "http.response.start",
        "http.response.body",
        "http.response.trailers",
        "http.response.body",
    ]
    assert gzip.decompress(sent[1]["body"] + sent[3]["body"]) == b"x" * 600


async def test_a_small_body_without_content_length_is_sent_plain() -> None:
    # Without a declared length the decision waits for the body itself.
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"short"})

    [start, body] = await call(GZipMiddleware(app), "/", [("accept-encoding", "gzip")])
    assert header(start, "content-encoding") is None
    assert header(start, "vary") == "Accept-Encoding"
    assert body["body"] == b"short"
