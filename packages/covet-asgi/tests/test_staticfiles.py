"""covet.asgi.staticfiles: serving files, static sites, and refusing every way out."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covet.asgi import CovetPy, HTMLResponse, Request, StaticFiles
from covet.asgi.exceptions import HTTPException
from covet.asgi.staticfiles import is_inside, safe_segments
from covet.asgi.testing import TestClient
from covet.asgi.types import ASGIApp, Message, Scope

SECRET = b"the secret outside the static directory"
CSS = b"body { color: #333 }\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """tmp_path/secret.txt beside tmp_path/public/, the directory that is served."""
    (tmp_path / "secret.txt").write_bytes(SECRET)
    public = tmp_path / "public"
    (public / "css").mkdir(parents=True)
    (public / "css" / "site.css").write_bytes(CSS)
    (public / "img").mkdir()
    (public / "img" / "logo.png").write_bytes(PNG)
    (public / "notes.unknownext").write_bytes(b"?")
    (public / "100%.txt").write_bytes(b"one hundred percent")
    (public / "%2e%2e").mkdir()
    (public / "%2e%2e" / "note.txt").write_bytes(b"a directory literally named %2e%2e")
    # symlinks: two that stay inside, three that do not
    (public / "inside-link.css").symlink_to("css/site.css")
    (public / "alias").symlink_to("css", target_is_directory=True)
    (public / "outside-link.txt").symlink_to(tmp_path / "secret.txt")
    (public / "outside-dir").symlink_to(tmp_path, target_is_directory=True)
    (public / "broken-link").symlink_to(tmp_path / "nowhere")
    # a static site for html=True
    site = public / "site"
    (site / "docs").mkdir(parents=True)
    (site / "empty").mkdir()
    (site / "index.html").write_text("<h1>home</h1>")
    (site / "docs" / "index.html").write_text("<h1>docs</h1>")
    (site / "404.html").write_text("<h1>no such page</h1>")
    return public


def make_app(public: Path, **options: Any) -> CovetPy:
    app = CovetPy()
    app.mount("/static", StaticFiles(directory=public, **options), name="static")
    app.mount("/site", StaticFiles(directory=public / "site", html=True), name="site")
    app.mount("/docs", StaticFiles(directory=public / "site" / "docs", html=True))
    return app


@pytest.fixture
def client(tree: Path) -> TestClient:
    return TestClient(make_app(tree))


async def call(app: ASGIApp, path: str, *, root_path: str = "", method: str = "GET") -> Message:
    """Send a hand-made scope (no client normalises it) and return the response start."""
    scope: Scope = {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": root_path,
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
    }
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    await asyncio.wait_for(app(scope, receive, send), timeout=5)
    start = messages[0]
    start["body"] = b"".join(message.get("body", b"") for message in messages[1:])
    return start


# --- serving files ---------------------------------------------------------------------------


def test_serves_a_file_with_its_content_type_and_validators(client: TestClient) -> None:
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response.content == CSS
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert response.headers["content-length"] == str(len(CSS))
    assert response.headers["etag"].startswith('"')
    assert "last-modified" in response.headers
    assert response.headers["accept-ranges"] == "bytes"


def test_content_type_of_binary_and_unknown_files(client: TestClient) -> None:
    png = client.get("/static/img/logo.png")
    assert png.headers["content-type"] == "image/png"
    assert png.content == PNG
    unknown = client.get("/static/notes.unknownext")
    assert unknown.headers["content-type"] == "application/octet-stream"


def test_head_sends_the_headers_and_no_body(client: TestClient) -> None:
    response = client.head("/static/css/site.css")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(CSS))
    assert response.headers["content-type"] == "text/css; charset=utf-8"


def test_conditional_get_gives_304(client: TestClient) -> None:
    etag = client.get("/static/css/site.css").headers["etag"]
    response = client.get("/static/css/site.css", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag


def test_range_request_gives_206(client: TestClient) -> None:
    response = client.get("/static/img/logo.png", headers={"range": "bytes=0-7"})
    assert response.status_code == 206
    assert response.content == PNG[:8]
    assert response.headers["content-range"] == f"bytes 0-7/{len(PNG)}"


def test_url_for_names_a_file_below_the_mount(tree: Path) -> None:
    app = make_app(tree)

    @app.get("/page")
    async def page(request: Request) -> HTMLResponse:
        href = request.url_for("static", path="css/site.css")
        return HTMLResponse(f'<link rel="stylesheet" href="{href}">')

    assert app.url_for("static", path="css/site.css") == "/static/css/site.css"
    assert app.url_for("static", path="100%.txt") == "/static/100%25.txt"
    client = TestClient(app)
    assert 'href="http://testserver/static/css/site.css"' in client.get("/page").text
    assert client.get(app.url_for("static", path="css/site.css")).content == CSS
    assert client.get(app.url_for("static", path="100%.txt")).content == b"one hundred percent"


def test_other_methods_are_405_with_allow(client: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = client.request(method, "/static/css/site.css")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD"
        assert response.json() == {"detail": "Method Not Allowed"}


def test_missing_file_is_404(client: TestClient) -> None:
    response = client.get("/static/css/missing.css")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.parametrize("path", ["/static", "/static/", "/static/css", "/static/css/"])
def test_directories_are_404_without_html(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_a_file_url_with_a_trailing_slash_is_404(client: TestClient) -> None:
    assert client.get("/static/css/site.css/").status_code == 404


def test_the_apps_404_handler_answers_for_static_files(tree: Path) -> None:
    app = make_app(tree)

    @app.exception_handler(404)
    async def not_found(request: Request, exc: HTTPException) -> HTMLResponse:
        return HTMLResponse("<p>custom 404</p>", status_code=404)

    response = TestClient(app).get("/static/nothing-here.css")
    assert response.status_code == 404
    assert response.text == "<p>custom 404</p>"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_a_fifo_is_404_not_a_hung_request(tree: Path) -> None:
    os.mkfifo(tree / "pipe.txt")  # opening it for reading would block until a writer came
    assert TestClient(make_app(tree)).get("/static/pipe.txt").status_code == 404


# --- html=True: a static site ----------------------------------------------------------------


def test_html_serves_index_of_a_directory(client: TestClient) -> None:
    for path, text in [("/site/", "<h1>home</h1>"), ("/site/docs/", "<h1>docs</h1>")]:
        response = client.get(path)
        assert response.status_code == 200
        assert response.text == text
        assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_html_redirects_a_directory_without_its_slash(client: TestClient) -> None:
    response = client.get("/site/docs?lang=en", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "http://testserver/site/docs/?lang=en"
    root = client.get("/site", follow_redirects=False)
    assert root.headers["location"] == "http://testserver/site/"
    assert client.get("/site/docs", follow_redirects=True).text == "<h1>docs</h1>"


def test_html_serves_404_html_for_a_missing_file(client: TestClient) -> None:
    for path in ("/site/missing.html", "/site/empty/", "/site/empty", "/site/%2e%2e/secret.txt"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.text == "<h1>no such page</h1>"


def test_html_without_404_html_gives_the_plain_404(client: TestClient) -> None:
    response = client.get("/docs/missing.html")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


# --- construction ------------------------------------------------------------------------------


def test_missing_directory_is_a_runtime_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="no-such-dir"):
        StaticFiles(directory=tmp_path / "no-such-dir")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(RuntimeError, match=r"file\.txt.*not a directory"):
        StaticFiles(directory=tmp_path / "file.txt")


def test_check_dir_false_allows_a_directory_created_later(tmp_path: Path) -> None:
    app = CovetPy()
    app.mount("/static", StaticFiles(directory=tmp_path / "later", check_dir=False))
    client = TestClient(app)
    assert client.get("/static/a.txt").status_code == 404
    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "a.txt").write_text("now")
    assert client.get("/static/a.txt").text == "now"


def test_a_symlinked_directory_is_served(tree: Path, tmp_path: Path) -> None:
    (tmp_path / "link-to-public").symlink_to(tree, target_is_directory=True)
    app = CovetPy()
    app.mount("/static", StaticFiles(directory=tmp_path / "link-to-public"))
    client = TestClient(app)
    assert client.get("/static/css/site.css").content == CSS
    assert client.get("/static/outside-link.txt").status_code == 404


async def test_a_websocket_is_closed() -> None:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    static = StaticFiles(directory=".")
    await static({"type": "websocket", "path": "/", "headers": []}, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1000}]


# --- security: every way out is a 404 -------------------------------------------------------

# Paths as the ASGI server hands them over: already percent-decoded once. httpx would remove
# the ".." segments before sending, so these go to the app as hand-made scopes.
TRAVERSALS = [
    "/static/../secret.txt",
    "/static/css/../../secret.txt",
    "/static/css/../../public/../secret.txt",
    "/static/..",
    "/static/../",
    "/static/./css/site.css",
    "/static/..\\secret.txt",
    "/static/css\\..\\..\\secret.txt",
    "/static/secret.txt\x00.css",
    "/static/css/site.css\x00",
    "/static//etc/passwd",
    "/static/outside-link.txt",
    "/static/outside-dir/secret.txt",
    "/static/broken-link",
]


@pytest.mark.parametrize("path", TRAVERSALS)
async def test_crafted_paths_are_404(tree: Path, path: str) -> None:
    start = await call(make_app(tree), path)
    assert start["status"] == 404
    assert SECRET not in start["body"]


async def test_an_absolute_path_below_the_mount_is_404(tree: Path) -> None:
    # A naive os.path.join(directory, "/tmp/.../secret.txt") would return the absolute path.
    start = await call(make_app(tree), "/static/" + str(tree.parent / "secret.txt"))
    assert start["status"] == 404
    assert SECRET not in start["body"]


@pytest.mark.parametrize("path", TRAVERSALS)
async def test_static_files_alone_refuses_crafted_paths(tree: Path, path: str) -> None:
    # Called directly, the refusal is the HTTPException the application turns into a 404.
    static = StaticFiles(directory=tree)
    with pytest.raises(HTTPException) as raised:
        await call(static, path, root_path="/static")
    assert raised.value.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/static/%2e%2e/secret.txt",
        "/static/%2E%2E/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/%2e%2e%2fsecret.txt",
        "/static/css/%2e%2e/%2e%2e/secret.txt",
        "/static/..%5csecret.txt",
        "/static/%2e%2e%5csecret.txt",
        "/static/secret.txt%00",
        "/static/%2fetc%2fpasswd",
        "/static/%252e%252e/secret.txt",
        "/static/%252e%252e%252fsecret.txt",
    ],
)
def test_percent_encoded_traversal_is_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert SECRET not in response.content


def test_percent_encoded_absolute_path_is_404(client: TestClient, tree: Path) -> None:
    response = client.get("/static/" + quote(str(tree.parent / "secret.txt"), safe=""))
    assert response.status_code == 404
    assert SECRET not in response.content


def test_the_path_is_decoded_once_only(client: TestClient) -> None:
    # %252e%252e arrives as the text "%2e%2e": a name, not a way up.
    response = client.get("/static/%252e%252e/note.txt")
    assert response.status_code == 200
    assert response.content == b"a directory literally named %2e%2e"
    assert client.get("/static/100%25.txt").content == b"one hundred percent"


def test_symlinks_that_stay_inside_are_served(client: TestClient) -> None:
    response = client.get("/static/inside-link.css")
    assert response.content == CSS
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert client.get("/static/alias/site.css").content == CSS
    # A path through a link that leaves and comes back: only where it really ends counts.
    assert client.get("/static/outside-dir/public/css/site.css").content == CSS


async def test_follow_symlinks_serves_links_leading_outside(tree: Path) -> None:
    app = make_app(tree, follow_symlinks=True)
    client = TestClient(app)
    assert client.get("/static/outside-link.txt").content == SECRET
    assert client.get("/static/outside-dir/secret.txt").content == SECRET
    # ...but a client still cannot climb out with "..".
    for path in ("/static/../secret.txt", "/static/outside-dir/../secret.txt"):
        assert (await call(app, path))["status"] == 404


# --- the two checks on their own -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        ("/", []),
        ("/css/site.css", ["css", "site.css"]),
        ("/docs/", ["docs"]),
        ("/%2e%2e/x", ["%2e%2e", "x"]),
        ("/..", None),
        ("/a/./b", None),
        ("/a//b", None),
        ("//a", None),
        ("/a\\b", None),
        ("/a\x00", None),
    ],
)
def test_safe_segments(path: str, segments: list[str] | None) -> None:
    assert safe_segments(path) == segments


def test_is_inside() -> None:
    assert is_inside("/srv/static", "/srv/static")
    assert is_inside("/srv/static", "/srv/static/css/site.css")
    assert not is_inside("/srv/static", "/srv/static-private/key.pem")
    assert not is_inside("/srv/static", "/srv")
    assert not is_inside("/srv/static", "relative/path")  # commonpath refuses to compare


@given(path=st.text(alphabet="./\\\x00%2eab", max_size=24))
def test_any_path_stays_inside_or_is_refused(
    tmp_path_factory: pytest.TempPathFactory, path: str
) -> None:
    root = tmp_path_factory.getbasetemp() / "property"
    (root / "public" / "a").mkdir(parents=True, exist_ok=True)
    (root / "b").write_text("outside")
    static = StaticFiles(directory=root / "public")
    segments = safe_segments("/" + path)
    if segments is None:
        return
    assert not {"", ".", ".."} & set(segments)
    found = static.lookup(segments)
    if found is not None:
        assert is_inside(static.real_directory, found.path)
