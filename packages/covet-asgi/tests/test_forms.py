"""Forms: urlencoded and multipart parsing, uploads, limits, errors and cleanup."""

from __future__ import annotations

import asyncio
import encodings.aliases
import os
import subprocess
import sys
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covet.asgi import (
    BackgroundTasks,
    Body,
    CovetPy,
    FormData,
    HandlerSignatureError,
    HTTPException,
    Request,
    UploadFile,
)
from covet.asgi import forms as forms_module
from covet.asgi.forms import FormLimits, parse_form
from covet.asgi.testing import TestClient
from covet.asgi.types import Message

URLENCODED = {"content-type": "application/x-www-form-urlencoded"}
BOUNDARY = "covet-boundary"
MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def part(disposition: str, body: bytes, *headers: str) -> bytes:
    """One multipart part, its headers written out by hand (UTF-8 on the wire)."""
    head = "\r\n".join([f"Content-Disposition: form-data; {disposition}", *headers])
    return f"--{BOUNDARY}\r\n{head}\r\n\r\n".encode() + body + b"\r\n"


END = f"--{BOUNDARY}--\r\n".encode()


async def describe(form: FormData) -> list[Any]:
    """The form as JSON-able data: strings as they are, files as a summary of themselves."""
    described: list[Any] = []
    for name, value in form.multi_items():
        if isinstance(value, str):
            described.append([name, value])
        else:
            content = await value.read()
            described.append(
                [name, value.filename, value.content_type, value.size, content.decode("latin-1")]
            )
    return described


def form_client(**limits: Any) -> TestClient:
    app = CovetPy()

    @app.post("/")
    async def echo(request: Request) -> Any:
        return await describe(await request.form(**limits))

    return TestClient(app)


# --- FormData ----------------------------------------------------------------------------------


async def test_formdata_is_a_multi_valued_mapping() -> None:
    upload = UploadFile(filename="a.txt")
    form = FormData([("tag", "a"), ("file", upload), ("tag", "b")])
    assert form["tag"] == "b"  # the last value wins
    assert form.getlist("tag") == ["a", "b"]
    assert form.getlist("missing") == []
    assert form["file"] is upload
    assert list(form) == ["tag", "file"]
    assert len(form) == 2
    assert "tag" in form
    assert "missing" not in form
    assert form.multi_items() == [("tag", "a"), ("file", upload), ("tag", "b")]
    assert form == FormData([("tag", "a"), ("file", upload), ("tag", "b")])
    assert form != FormData([("tag", "b"), ("file", upload), ("tag", "a")])
    assert form != {"tag": "b"}
    assert repr(FormData({"a": "1"})) == "FormData([('a', '1')])"
    await form.close()
    assert upload.closed


# --- urlencoded --------------------------------------------------------------------------------


def test_urlencoded_multi_values_blanks_and_escapes() -> None:
    client = form_client()
    body = b"tag=a&tag=b&blank=&bare&name=Ada+Lovelace&sym=%2B%26%3D&e=%C3%A9t%C3%A9&raw=\xc3\xa9"
    assert client.post("/", content=body, headers=URLENCODED).json() == [
        ["tag", "a"],
        ["tag", "b"],
        ["blank", ""],
        ["bare", ""],
        ["name", "Ada Lovelace"],
        ["sym", "+&="],
        ["e", "été"],
        ["raw", "é"],
    ]
    # httpx's data= encodes the same way a browser does
    assert client.post("/", data={"q": ["a b", "c&d"], "é": "ü"}).json() == [
        ["q", "a b"],
        ["q", "c&d"],
        ["é", "ü"],
    ]
    assert client.post("/", content=b"", headers=URLENCODED).json() == []


def test_urlencoded_charset_parameter() -> None:
    client = form_client()
    latin1 = {"content-type": "application/x-www-form-urlencoded; charset=latin-1"}
    assert client.post("/", content=b"city=K%F6ln", headers=latin1).json() == [["city", "Köln"]]

    response = client.post("/", content=b"city=K%F6ln", headers=URLENCODED)
    assert response.status_code == 400
    assert response.json()["detail"] == "Form field 'city' is not valid utf-8"

    response = client.post("/", content=b"%FF=1", headers=URLENCODED)
    assert response.status_code == 400
    assert response.json()["detail"] == "A form field name is not valid utf-8"

    for charset in ("klingon", "base64"):  # unknown, and a codec that is not a text encoding
        unknown = {"content-type": f"application/x-www-form-urlencoded; charset={charset}"}
        response = client.post("/", content=b"a=1", headers=unknown)
        assert response.status_code == 415
        assert response.json()["detail"] == f"Unsupported charset {charset!r} in Content-Type"


def test_urlencoded_limits() -> None:
    client = form_client(max_fields=2, max_part_size=5)
    assert client.post("/", content=b"a=12345&b=", headers=URLENCODED).status_code == 200

    response = client.post("/", content=b"a=1&b=2&c=3", headers=URLENCODED)
    assert response.status_code == 400
    assert response.json()["detail"] == "Too many fields in the form: the limit is 2 (max_fields)"

    response = client.post("/", content=b"a=123456", headers=URLENCODED)
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "Form field 'a' is larger than the limit of 5 bytes (max_part_size)"
    )

    response = client.post("/", content=b"abcdef=1", headers=URLENCODED)
    assert response.status_code == 413
    assert response.json()["detail"] == "A form field name is longer than the limit of 5 bytes"


# --- multipart ---------------------------------------------------------------------------------


def test_multipart_fields_and_files_through_httpx() -> None:
    client = form_client()
    response = client.post(
        "/",
        data={"title": "Holiday", "tags": ["sea", "sun"]},
        files=[
            ("photo", ("cat.jpg", b"\xff\xd8JPEG", "image/jpeg")),
            ("photo", ("dog.jpg", b"WOOF", "image/jpeg")),
            ("notes", ("notes.txt", b"")),
        ],
    )
    assert response.status_code == 200
    assert response.json() == [
        ["title", "Holiday"],
        ["tags", "sea"],
        ["tags", "sun"],
        ["photo", "cat.jpg", "image/jpeg", 6, "\xff\xd8JPEG"],
        ["photo", "dog.jpg", "image/jpeg", 4, "WOOF"],
        ["notes", "notes.txt", "text/plain", 0, ""],
    ]


def test_multipart_file_headers_and_filenames() -> None:
    app = CovetPy()
    seen: dict[str, Any] = {}

    @app.post("/")
    async def upload(request: Request) -> Any:
        form = await request.form()
        for name, value in form.multi_items():
            assert isinstance(value, UploadFile)
            seen[name] = (value.filename, value.headers.get("x-extra"), value.headers)
        return None

    body = (
        part('name="plain"; filename="r\\"sum\\"\\\\.txt"', b"1", "X-Extra: yes")
        + part('name="accent"; filename="h\u00e9llo w\u00f6rld \u65e5\u672c.txt"', b"2")
        + part('name="empty"; filename=""', b"")
        + END
    )
    assert TestClient(app).post("/", content=body, headers=MULTIPART).status_code == 204
    # a quoted-string's backslash escapes are undone
    assert seen["plain"][:2] == ('r"sum"\\.txt', "yes")
    assert seen["plain"][2]["content-disposition"].startswith("form-data")
    # non-ASCII file names arrive as UTF-8 bytes, as browsers send them
    assert seen["accent"][0] == "h\u00e9llo w\u00f6rld \u65e5\u672c.txt"
    # a file input left empty still sends a part, with an empty file name
    assert seen["empty"][0] == ""


def test_quotes_in_a_filename_sent_by_httpx_stay_percent_escaped() -> None:
    # Browsers (and httpx) send `"` in a file name as %22 (HTML's form encoding). The bytes
    # are kept as sent: a literal "%22" in a name would be indistinguishable if decoded.
    response = form_client().post("/", files={"f": ('say "hi".txt', b"x", "text/plain")})
    assert response.json() == [["f", "say %22hi%22.txt", "text/plain", 1, "x"]]


def test_multipart_field_charset_and_bad_bytes() -> None:
    client = form_client()
    latin1 = {"content-type": f"multipart/form-data; boundary={BOUNDARY}; charset=latin-1"}
    body = part('name="city"', "Köln".encode("latin-1")) + END
    assert client.post("/", content=body, headers=latin1).json() == [["city", "Köln"]]

    response = client.post("/", content=body, headers=MULTIPART)
    assert response.status_code == 400
    assert response.json()["detail"] == "Form field 'city' is not valid utf-8"


def test_multipart_limits() -> None:
    client = form_client(max_files=1, max_fields=1, max_part_size=4)
    files = part('name="a"; filename="a.txt"', b"a" * 100)  # files are not bound by part size
    ok = part('name="f"', b"1234") + files + END
    assert client.post("/", content=ok, headers=MULTIPART).status_code == 200

    two_files = files + part('name="b"; filename="b.txt"', b"b") + END
    response = client.post("/", content=two_files, headers=MULTIPART)
    assert response.status_code == 400
    assert response.json()["detail"] == "Too many files in the form: the limit is 1 (max_files)"

    two_fields = part('name="f"', b"1") + part('name="g"', b"2") + END
    response = client.post("/", content=two_fields, headers=MULTIPART)
    assert response.status_code == 400
    assert response.json()["detail"] == "Too many fields in the form: the limit is 1 (max_fields)"

    big_field = part('name="comment"', b"12345") + END
    response = client.post("/", content=big_field, headers=MULTIPART)
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "Form field 'comment' is larger than the limit of 4 bytes (max_part_size)"
    )


def test_the_body_limit_applies_to_forms() -> None:
    app = CovetPy(max_body_size=100)

    @app.post("/")
    async def echo(request: Request) -> Any:
        return len(await request.form())

    response = TestClient(app).post("/", files={"f": ("f.bin", b"x" * 200)})
    assert response.status_code == 413
    assert response.json()["detail"] == "Request body is larger than the limit of 100 bytes"


@pytest.mark.parametrize(
    ("headers", "body", "status", "detail"),
    [
        (
            {"content-type": "multipart/form-data"},
            b"",
            400,
            "multipart/form-data needs a boundary parameter in its Content-Type header",
        ),
        (
            MULTIPART,
            b"--wrong\r\n\r\n",
            400,
            "Malformed multipart body (boundary 'covet-boundary'): Expected boundary character",
        ),
        (
            {"content-type": f"multipart/form-data; boundary={'x' * 300}"},
            b"",
            400,
            "Malformed multipart body (boundary 'xxx",
        ),
        (
            MULTIPART,
            part('name="a"', b"cut off before the closing boundary"),
            400,
            "Malformed multipart body: it ends before the closing boundary",
        ),
        (MULTIPART, b"", 400, "Malformed multipart body: it ends before the closing boundary"),
        (
            MULTIPART,
            part('filename="nameless.txt"', b"x") + END,
            400,
            "Malformed multipart body: a part has no name in its Content-Disposition",
        ),
        (
            {"content-type": "application/json"},
            b"{}",
            415,
            "Request.form() reads application/x-www-form-urlencoded or multipart/form-data, "
            "got 'application/json'",
        ),
        ({}, b"a=1", 415, "Request.form() reads application/x-www-form-urlencoded or"),
    ],
)
def test_malformed_bodies_get_a_clear_error(
    headers: dict[str, str], body: bytes, status: int, detail: str
) -> None:
    response = form_client().post("/", content=body, headers=headers)
    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)


def test_an_empty_multipart_form() -> None:
    assert form_client().post("/", content=END, headers=MULTIPART).json() == []


# --- spooling, caching, cleanup ----------------------------------------------------------------


def test_small_uploads_stay_in_memory_and_large_ones_go_to_disk() -> None:
    app = CovetPy(max_body_size=None)

    @app.post("/")
    async def sizes(request: Request) -> Any:
        form = await request.form(spool_threshold=1000)
        small, large = form["small"], form["large"]
        assert isinstance(small, UploadFile)
        assert isinstance(large, UploadFile)
        assert small.in_memory
        assert large.file._rolled  # type: ignore[attr-defined]
        assert await large.read(3) == b"LLL"  # read back from the first byte
        return [small.size, large.size, os.fstat(large.file.fileno()).st_size]

    files = {"small": ("s", b"S" * 999), "large": ("l", b"L" * 5000)}
    assert TestClient(app).post("/", files=files).json() == [999, 5000, 5000]


def open_inodes() -> set[tuple[int, int]]:
    """(device, inode) of every file this process has open."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            stat = os.stat(f"/proc/self/fd/{fd}")
        except OSError:  # the descriptor listdir itself used
            continue
        inodes.add((stat.st_dev, stat.st_ino))
    return inodes


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
def test_uploads_are_closed_and_their_temporary_files_deleted_after_the_response() -> None:
    app = CovetPy(max_body_size=None)
    kept: list[UploadFile] = []
    on_disk: dict[str, Any] = {}

    async def read_later(upload: UploadFile) -> None:
        await upload.seek(0)
        on_disk["background read"] = len(await upload.read())

    @app.post("/")
    async def keep(request: Request, tasks: BackgroundTasks) -> Any:
        form = await request.form(spool_threshold=10)
        upload = form["big"]
        assert isinstance(upload, UploadFile)
        kept.append(upload)
        stat = os.fstat(upload.file.fileno())
        on_disk["inode"] = (stat.st_dev, stat.st_ino)
        on_disk["links"] = stat.st_nlink  # 0: the temporary file has no name on disk
        assert on_disk["inode"] in open_inodes()
        tasks.add_task(read_later, upload)  # the upload is still open for background work
        return {"ok": True}

    with TestClient(app) as client:
        response = client.post("/", files={"big": ("big.bin", b"x" * 1000)})
    assert response.json() == {"ok": True}
    assert on_disk["background read"] == 1000
    assert on_disk["links"] == 0
    assert kept[0].closed
    assert on_disk["inode"] not in open_inodes()


def test_uploads_are_closed_when_the_handler_fails() -> None:
    app = CovetPy()
    kept: list[UploadFile] = []

    @app.post("/")
    async def fail(request: Request) -> Any:
        upload = (await request.form())["f"]
        assert isinstance(upload, UploadFile)
        kept.append(upload)
        raise HTTPException(409, "taken")

    response = TestClient(app).post("/", files={"f": ("f", b"x")})
    assert response.status_code == 409
    assert kept[0].closed


def test_uploads_already_written_are_closed_when_parsing_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    created: list[UploadFile] = []

    class RecordedUploadFile(UploadFile):
        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            created.append(self)

    monkeypatch.setattr(forms_module, "UploadFile", RecordedUploadFile)
    body = part('name="f"; filename="f.txt"', b"x" * 100) + part('name="a"', b"1") * 2 + END
    response = form_client(max_fields=1).post("/", content=body, headers=MULTIPART)
    assert response.status_code == 400
    assert len(created) == 1
    assert created[0].closed


def test_form_is_parsed_once_and_cached() -> None:
    app = CovetPy()

    @app.post("/")
    async def twice(request: Request) -> Any:
        first = await request.form()
        second = await request.form(max_fields=0)  # the limits of the first call stand
        assert first is second
        with pytest.raises(RuntimeError, match="already streamed"):
            await request.body()
        return dict(first)

    @app.post("/after-body")
    async def after_body(request: Request) -> Any:
        raw = await request.body()
        return {"raw": raw.decode(), "form": dict(await request.form())}

    client = TestClient(app)
    assert client.post("/", data={"a": "1"}).json() == {"a": "1"}
    assert client.post("/after-body", data={"a": "1"}).json() == {
        "raw": "a=1",
        "form": {"a": "1"},
    }


async def test_close_on_a_request_without_a_form_does_nothing() -> None:
    request = Request({"type": "http", "method": "GET", "headers": []})
    await request.close()  # nothing parsed, nothing to release


# --- a FormData parameter -----------------------------------------------------------------------


def test_a_formdata_parameter_receives_the_parsed_form() -> None:
    app = CovetPy()
    kept: list[UploadFile] = []

    @app.post("/profile")
    async def profile(form: FormData, request: Request) -> Any:
        assert form is await request.form()  # the same parsed form, read once
        photo = form["photo"]
        assert isinstance(photo, UploadFile)
        kept.append(photo)
        return {"name": form["name"], "photo": (await photo.read()).decode()}

    client = TestClient(app)
    response = client.post("/profile", data={"name": "Ada"}, files={"photo": ("p.txt", b"hi")})
    assert response.json() == {"name": "Ada", "photo": "hi"}
    assert kept[0].closed  # closed after the response, as for request.form()
    wrong = client.post("/profile", json={"name": "Ada"})
    assert wrong.status_code == 415


def test_a_formdata_parameter_with_a_json_body_is_refused_at_registration() -> None:
    app = CovetPy()
    with pytest.raises(HandlerSignatureError, match=r"\['form', 'item'\] all read the request"):

        @app.post("/")
        async def both(form: FormData, item: Annotated[dict[str, Any], Body()]) -> None: ...


def test_a_formdata_parameter_without_python_multipart_is_refused_at_registration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "python_multipart", None)  # "not installed"
    app = CovetPy()
    with pytest.raises(HandlerSignatureError) as caught:

        @app.post("/signup")
        async def signup(form: FormData) -> None: ...

    message = str(caught.value)
    assert "signup: parameter 'form' reads a form" in message
    assert f"{sys.executable} -m pip install 'python-multipart>=" in message
    assert "/signup" not in [route.path for route in app.routes]  # nothing was registered


# --- without the extra -------------------------------------------------------------------------


async def test_a_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "python_multipart", None)  # makes the import fail

    async def receive() -> Message:
        return {"type": "http.request", "body": b"a=1", "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "headers": [(b"content-type", URLENCODED["content-type"].encode())],
    }
    expected = r"the 'forms' extra\): .* -m pip install .*python-multipart"
    with pytest.raises(RuntimeError, match=expected):
        await Request(scope, receive).form()


def test_covet_asgi_imports_without_python_multipart() -> None:
    code = (
        "import sys; sys.modules['python_multipart'] = None\n"
        "import covet.asgi\n"
        "print(covet.asgi.FormData.__name__, covet.asgi.UploadFile.__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["FormData", "UploadFile"]


# --- memory: a huge body against a small limit --------------------------------------------------

CHUNK = 64 * 1024
FIFTY_MB = 50 * 1024 * 1024
ONE_MB = 1024 * 1024


class GeneratedBody:
    """An ASGI ``receive`` that makes a multipart upload of ``total`` bytes as it is asked for.

    It never holds the body: each call hands out the same 64 KiB chunk, and it counts how
    many bytes the application pulled.
    """

    def __init__(self, total: int) -> None:
        self.head = part('name="file"; filename="big.bin"', b"")[:-2]  # headers, no data yet
        self.tail = b"\r\n" + END
        self.total = total
        self.chunk = b"x" * CHUNK
        self.pulled = 0

    async def __call__(self) -> Message:
        if self.pulled == 0:
            body = self.head
        else:
            left = self.total - self.pulled - len(self.tail)
            body = self.chunk if left > CHUNK else self.chunk[:left] + self.tail
        self.pulled += len(body)
        return {"type": "http.request", "body": body, "more_body": self.pulled < self.total}


def upload_app() -> CovetPy:
    app = CovetPy()

    @app.post("/upload", max_body_size=ONE_MB)
    async def limited(request: Request) -> Any:
        return len(await request.form())

    @app.post("/unlimited", max_body_size=None)
    async def unlimited(request: Request) -> Any:
        upload = (await request.form())["file"]
        assert isinstance(upload, UploadFile)
        return {"size": upload.size, "in_memory": upload.in_memory}

    return app


async def call(app: CovetPy, path: str, receive: GeneratedBody, **headers: str) -> list[Message]:
    """Run one request through the app, measuring the peak of Python allocations."""
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    raw_headers = [(b"content-type", MULTIPART["content-type"].encode())]
    raw_headers += [(name.encode(), value.encode()) for name, value in headers.items()]
    scope = {"type": "http", "method": "POST", "path": path, "headers": raw_headers}
    await app(scope, receive, send)
    return sent


async def test_a_50_mb_upload_to_a_1_mb_endpoint_is_refused_with_flat_memory() -> None:
    app = upload_app()
    receive = GeneratedBody(FIFTY_MB)
    tracemalloc.start()
    try:
        sent = await call(app, "/upload", receive)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sent[0]["status"] == 413
    assert b"larger than the limit of 1048576 bytes" in sent[1]["body"]
    # it stopped at the chunk that crossed 1 MiB instead of draining 50 MB
    assert ONE_MB < receive.pulled <= ONE_MB + CHUNK + len(receive.head)
    assert peak < 5 * ONE_MB, f"peak Python allocations {peak} bytes"


async def test_a_declared_50_mb_body_is_refused_before_one_byte_is_read() -> None:
    receive = GeneratedBody(FIFTY_MB)
    sent = await call(upload_app(), "/upload", receive, **{"content-length": str(FIFTY_MB)})
    assert sent[0]["status"] == 413
    assert receive.pulled == 0


async def test_an_accepted_large_upload_streams_to_disk_with_flat_memory() -> None:
    receive = GeneratedBody(20 * ONE_MB)
    tracemalloc.start()
    try:
        sent = await call(upload_app(), "/unlimited", receive)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sent[0]["status"] == 200
    size = 20 * ONE_MB - len(receive.head) - len(receive.tail)
    assert sent[1]["body"] == b'{"size":%d,"in_memory":false}' % size
    assert receive.pulled == 20 * ONE_MB
    assert peak < 5 * ONE_MB, f"peak Python allocations {peak} bytes"


# --- any input: a form or a clear error --------------------------------------------------------


async def chunked(body: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def parse_or_error(content_type: str, body: bytes, chunk: int, **limits: Any) -> Any:
    try:
        form = await parse_form(content_type, chunked(body, chunk), FormLimits(**limits))
    except HTTPException as exc:
        return exc
    await form.close()
    return form


def assert_clear_error(error: HTTPException) -> None:
    assert error.status_code in (400, 413)
    assert isinstance(error.detail, str)
    assert error.detail


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab=&+%2C3éF; ", max_size=40), chunk=st.integers(1, 8))
def test_urlencoded_agrees_with_parse_qsl(text: str, chunk: int) -> None:
    body = text.encode()
    result = asyncio.run(parse_or_error(URLENCODED["content-type"], body, chunk))
    try:
        expected = parse_qsl(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        assert isinstance(result, HTTPException)
        assert_clear_error(result)
        return
    assert isinstance(result, FormData)
    assert result.multi_items() == expected


CODECS = sorted(set(encodings.aliases.aliases.values()))


@settings(max_examples=300, deadline=None)
@given(charset=st.sampled_from(CODECS), body=st.binary(max_size=20))
def test_any_charset_and_bytes_give_a_form_or_a_clear_error(charset: str, body: bytes) -> None:
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    result = asyncio.run(parse_or_error(content_type, body, 7))
    if isinstance(result, HTTPException):
        assert result.status_code in (400, 413, 415)
        assert result.detail
    else:
        assert isinstance(result, FormData)


FRAGMENTS = [
    f"--{BOUNDARY}\r\n".encode(),
    f"\r\n--{BOUNDARY}\r\n".encode(),
    f"\r\n--{BOUNDARY}--\r\n".encode(),
    b'Content-Disposition: form-data; name="a"\r\n',
    b'Content-Disposition: form-data; name="f"; filename="f.txt"\r\n',
    b"Content-Type: text/plain\r\n",
    b"\r\n",
    b"value",
    b"\xff\xfe",
    b"-",
]


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(FRAGMENTS) | st.binary(max_size=6), max_size=12),
    chunk=st.integers(1, 16),
)
def test_any_multipart_body_gives_a_form_or_a_clear_error(pieces: list[bytes], chunk: int) -> None:
    body = b"".join(pieces)
    result = asyncio.run(
        parse_or_error(MULTIPART["content-type"], body, chunk, max_part_size=8, max_fields=2)
    )
    if isinstance(result, HTTPException):
        assert_clear_error(result)
    else:
        assert isinstance(result, FormData)


def test_an_uploaded_traversal_name_has_a_safe_basename_beside_the_raw_one() -> None:
    app = CovetPy()

    @app.post("/")
    async def upload(request: Request) -> Any:
        file = (await request.form())["f"]
        assert isinstance(file, UploadFile)
        return [file.filename, file.safe_filename]

    body = part('name="f"; filename="../..\\\\etc/pass\x00wd"', b"x") + END
    response = TestClient(app).post("/", content=body, headers=MULTIPART)
    assert response.json() == ["../..\\etc/pass\x00wd", "passwd"]
