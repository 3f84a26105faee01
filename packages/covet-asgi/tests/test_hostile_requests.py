"""Fuzz: random requests against a feature-rich app never get a 5xx nor raise.

Each example is one request built by hypothesis, passed to the application in process with
scope, receive and send (no HTTP client in between to tidy it up): random method, path, query
string, headers (Host, Cookie, Content-Type and arbitrary ones, any bytes), and a body of
every kind the app reads: JSON, urlencoded, multipart, text/plain, or none. The app has path
and query parameters of int, float and bool, a pydantic body and query, a form with uploads,
cookies, ``url_for`` redirects, StaticFiles and the usual middleware.

The property: the app answers with a status below 500, and no exception escapes it, with
either JSON backend. The examples are bounded (``max_examples``) so the fuzz runs in seconds
with the suite.
"""

from __future__ import annotations

import asyncio
import json
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covet.asgi import CovetPy, Query, RedirectResponse, Request, StaticFiles, UploadFile
from covet.asgi import json as covet_json
from covet.asgi.middleware import Middleware
from covet.asgi.middleware.cors import CORSMiddleware
from covet.asgi.middleware.gzip import GZipMiddleware
from covet.asgi.types import Message


class Note(pydantic.BaseModel):
    text: str
    score: float = 0
    tags: list[str] = []


def make_app(static: Path) -> CovetPy:
    app = CovetPy(
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origin_regex=r"https://(app|admin)\.example\.com",
                allow_credentials=True,
                allow_methods=["*"],
            ),
            Middleware(GZipMiddleware, minimum_size=10),
        ],
        max_body_size=64 * 1024,
    )

    @app.get("/items/{item_id}")
    async def item(item_id: int, ratio: float = 1.0, flag: bool = False, q: str = "") -> Any:
        return {"item_id": item_id, "ratio": ratio, "flag": flag, "q": q}

    @app.get("/users/{user_id:int}")
    async def user(request: Request, user_id: int, page: int = 1) -> Any:
        return {"url": str(request.url_for("item", item_id=user_id)), "page": page}

    @app.get("/search")
    async def search(
        limit: Annotated[int, pydantic.Field(ge=1, le=100), Query(alias="n")] = 10,
        at: float = 0,
    ) -> Any:
        return {"limit": limit, "at": at}

    @app.post("/notes")
    async def create_note(note: Note) -> Any:
        return note.model_dump()

    @app.post("/raw")
    async def raw(request: Request) -> Any:
        return {"got": await request.json()}

    @app.post("/form")
    async def form(request: Request) -> Any:
        data = await request.form(max_files=5, max_fields=50)
        out: dict[str, Any] = {}
        for key, value in data.multi_items():
            if isinstance(value, UploadFile):
                out[key] = [value.filename, value.safe_filename, len(await value.read())]
            else:
                out[key] = value
        return out

    @app.get("/cookies")
    async def cookies(request: Request) -> Any:
        return request.cookies

    @app.get("/go")
    async def go(request: Request) -> Any:
        return RedirectResponse(str(request.url_for("cookies")))

    @app.route("/echo", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    async def echo(request: Request) -> Any:
        body = await request.body()
        return {"url": str(request.url), "size": len(body), "query": dict(request.query_params)}

    app.mount("/static", StaticFiles(directory=static, html=True))
    return app


@pytest.fixture(scope="module", params=["installed", "stdlib"])
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CovetPy]:
    """The app, once with the JSON backend installed (orjson here) and once with the stdlib's."""
    static = tmp_path_factory.mktemp("static")
    (static / "docs").mkdir()
    (static / "docs" / "index.html").write_text("<p>docs</p>")
    (static / "site.css").write_text("body { color: red }" * 20)
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "stdlib":
            patch.setattr("covet.asgi.responses.dumps", covet_json.stdlib_dumps)
            patch.setattr(covet_json, "loads", covet_json.stdlib_loads)
        yield make_app(static)


# --- what a hostile client sends ------------------------------------------------------------

HOSTILE_TEXT = [
    "9" * 5000, "1e999", "-1e999", "inf", "nan", "NaN", "", " ", "0x10", "1_000", "\x00",
    "../../etc/passwd", "..\\..\\win.ini", "%00", "%2e%2e%2f", "\ud800", "é", "[", "a]b",
    "true", "yes", "-0", "+1", "1" * 300,
]  # fmt: skip
hostile_text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40))

HOSTS = ["[", "a]b", "evil.com/x?", "user@evil.com", "example.com", "[::1]:8000",
         "h:99999", "", "testserver", "a b", "\xff"]  # fmt: skip
CONTENT_TYPES = [
    "application/json", "application/problem+json", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz", "multipart/form-data", "multipart/form-data; boundary=",
    "text/plain", "application/octet-stream", "application/json; charset=latin-1", "",
    "text/html; boundary=xyz",
]  # fmt: skip

# A server decodes the percent-encoded path as UTF-8 with replacement: no lone surrogate in it.
path_segment = st.one_of(hostile_text, st.integers().map(str)).map(
    lambda text: text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
)
paths = st.one_of(
    st.tuples(
        st.sampled_from(["/items/", "/users/", "/static/", "/static/docs", "/", "/echo/"]),
        path_segment,
    ).map("".join),
    st.sampled_from(["/notes", "/raw", "/form", "/cookies", "/go", "/search", "/echo",
                     "/static/docs", "/static/site.css", "/items/", "/notes/", "/docs"]),
)  # fmt: skip

query_strings = st.one_of(
    st.lists(
        st.tuples(
            st.sampled_from(["ratio", "flag", "q", "page", "n", "at", "x", ""]), hostile_text
        ),
        max_size=4,
    ).map(lambda pairs: urlencode(pairs, errors="surrogatepass").encode("ascii")),
    st.binary(max_size=60),
)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["text", "score", "tags", "x"]) | st.text(), children)
    ),
    max_leaves=10,
)
json_bodies = st.one_of(
    json_values.map(lambda value: json.dumps(value, allow_nan=True).encode()),
    st.sampled_from(
        [
            b"[" * 100_000,
            b"1" * 5000,
            b'{"text": "\\ud800"}',
            b'{"text": 1e999}',
            b"{",
            b'{"text": "a", "score": "1e999"}',
            b'{"text": ' + b"[" * 300 + b"]" * 300 + b"}",
        ]
    ),
)
form_bodies = st.lists(st.tuples(hostile_text, hostile_text), max_size=5).map(
    lambda pairs: urlencode(pairs, errors="surrogatepass").encode("ascii")
)


def _multipart(parts: list[tuple[str, str | None, bytes]], truncate: bool) -> bytes:
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{quote(name, errors="replace")}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += b"--xyz\r\nContent-Disposition: " + disposition.encode("utf-8", "replace")
        out += b"\r\n\r\n" + content + b"\r\n"
    out += b"--xyz--\r\n"
    return out[: len(out) // 2] if truncate else out


multipart_bodies = st.builds(
    _multipart,
    st.lists(st.tuples(hostile_text, st.none() | hostile_text, st.binary(max_size=50)), max_size=4),
    st.booleans(),
)
bodies = st.one_of(
    st.just(b""), st.binary(max_size=200), json_bodies, form_bodies, multipart_bodies
)

header_names = st.text(alphabet=string.ascii_lowercase + "-_", min_size=1, max_size=12)
headers = st.lists(
    st.one_of(
        st.tuples(st.just("host"), st.sampled_from(HOSTS) | st.text(max_size=20)),
        st.tuples(
            st.just("cookie"),
            st.sampled_from(["session=abc; tracking=a b", 'x="\\\\\\\\\\"', "flag; =;;"])
            | st.text(max_size=60),
        ),
        st.tuples(st.just("content-type"), st.sampled_from(CONTENT_TYPES) | st.text(max_size=20)),
        st.tuples(st.just("content-length"), st.sampled_from(["0", "-1", "99999999", "x"])),
        st.tuples(st.just("origin"), st.sampled_from(["null", "https://app.example.com", "x"])),
        st.tuples(st.just("accept-encoding"), st.sampled_from(["gzip", "gzip;q=x", "*"])),
        st.tuples(st.just("range"), st.sampled_from(["bytes=0-1", "bytes=9-1", "bytes=-"])),
        st.tuples(header_names, st.text(max_size=30)),
    ),
    max_size=6,
)
methods = st.sampled_from(["GET", "POST", "PUT", "HEAD", "OPTIONS", "DELETE", "PATCH"])

# Notes close to valid, so validation itself (not only the parser) meets hostile values.
note_bodies = st.fixed_dictionaries(
    {"text": st.one_of(st.text(max_size=20), st.integers(), st.none())},
    optional={
        "score": st.one_of(st.floats(), st.integers(), st.sampled_from(HOSTILE_TEXT)),
        "tags": st.lists(st.one_of(st.text(max_size=10), st.integers()), max_size=3),
    },
).map(lambda value: json.dumps(value, allow_nan=True).encode())

# A body aimed at the route that reads it, with the matching Content-Type: random headers
# alone rarely put a JSON body on /notes or a multipart one on /form.
aimed_requests = st.one_of(
    st.tuples(st.sampled_from(["/notes", "/raw"]), st.just("application/json"),
              st.one_of(note_bodies, json_bodies)),
    st.tuples(st.just("/form"), st.just("application/x-www-form-urlencoded"), form_bodies),
    st.tuples(st.just("/form"), st.just("multipart/form-data; boundary=xyz"), multipart_bodies),
    st.tuples(st.just("/echo"), st.just("text/plain"), st.binary(max_size=100)),
)  # fmt: skip


async def call(app: CovetPy, scope: dict[str, Any], body: bytes, chunked: bool) -> list[Message]:
    """Run one request through ``app``: the body in one or two messages, then disconnect."""
    half = len(body) // 2 if chunked else len(body)
    inbox: list[Message] = [{"type": "http.request", "body": body[:half], "more_body": chunked}]
    if chunked:
        inbox.append({"type": "http.request", "body": body[half:], "more_body": False})
    sent: list[Message] = []
    finished = asyncio.Event()

    async def receive() -> Message:
        if inbox:
            return inbox.pop(0)
        await finished.wait()  # a real client stays until the response is complete
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            finished.set()

    await asyncio.wait_for(app(scope, receive, send), timeout=10)
    return sent


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    method=methods,
    path=paths,
    query_string=query_strings,
    header_pairs=headers,
    body=bodies,
    chunked=st.booleans(),
    aimed=st.none() | aimed_requests,
)
def test_no_request_gets_a_5xx_or_raises(
    app: CovetPy,
    method: str,
    path: str,
    query_string: bytes,
    header_pairs: list[tuple[str, str]],
    body: bytes,
    chunked: bool,
    aimed: tuple[str, str, bytes] | None,
) -> None:
    if aimed is not None:
        method = "POST"
        path, content_type, body = aimed
        header_pairs = [*header_pairs, ("content-type", content_type)]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "scheme": "http",
        "method": method,
        "path": path,
        "raw_path": quote(path).encode("ascii"),
        "root_path": "",
        "query_string": query_string,
        "headers": [
            (name.encode("latin-1", "replace"), value.encode("utf-8", "surrogatepass"))
            for name, value in header_pairs
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent = asyncio.run(call(app, scope, body, chunked))
    starts = [message for message in sent if message["type"] == "http.response.start"]
    assert len(starts) == 1, sent
    assert starts[0]["status"] < 500, (starts[0], sent[1:2])
    for name, value in starts[0]["headers"]:
        if name == b"location":
            assert b"evil" not in value, value
