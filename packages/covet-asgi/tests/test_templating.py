"""covet.asgi.templating: escaping, context, async rendering, and errors that point home."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import jinja2
import pytest
from markupsafe import Markup

from covet.asgi import CovetPy, Request, StaticFiles
from covet.asgi.templating import Jinja2Templates, TemplateResponse
from covet.asgi.testing import TestClient

TEMPLATES = {
    "page.html": "<p>{{ message }}</p>",
    "notes.txt": "{{ message }}",
    "links.html": (
        "<a href=\"{{ url_for('show_user', user_id=7) }}\">user</a>\n"
        "<link href=\"{{ url_for('static', path='css/site.css') }}\">"
    ),
    "request.html": "{{ request.method }} {{ request.url.path }} {{ request.query_params['q'] }}",
    "processors.html": "{{ site_name }} / {{ user }} / {{ theme }}",
    "async.html": (
        "{% for item in load_items() %}<li>{{ item }}</li>{% endfor %}{{ greet('Ada') }}"
    ),
    # line 3 has the typo
    "broken.html": "<h1>Profile</h1>\n<h2>{{ title }}</h2>\n<p>{{ titel }}</p>\n<footer>\n",
    # line 2 is not valid Jinja
    "syntax.html": "<p>fine</p>\n{% if %}\n<p>never</p>\n",
}


@pytest.fixture
def template_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "templates"
    directory.mkdir()
    for name, text in TEMPLATES.items():
        (directory / name).write_text(text)
    (tmp_path / "static" / "css").mkdir(parents=True)
    return directory


def make_app(templates: Jinja2Templates, *, debug: bool = False) -> CovetPy:
    """An app whose /render/{name} renders that template with the query as context."""
    app = CovetPy(debug=debug)

    @app.get("/render/{name}")
    async def render(request: Request, name: str) -> TemplateResponse:
        return templates.TemplateResponse(request, name, dict(request.query_params))

    @app.get("/users/{user_id}")
    async def show_user(user_id: int) -> dict[str, int]:
        return {"id": user_id}

    return app


def make_request(path: str = "/") -> Request:
    return Request({"type": "http", "method": "GET", "path": path, "headers": []})


# --- rendering and escaping ------------------------------------------------------------------


def test_renders_a_page_and_escapes_values(template_dir: Path) -> None:
    client = TestClient(make_app(Jinja2Templates(template_dir)))
    response = client.get("/render/page.html", params={"message": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert response.text == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-length"] == str(len(response.content))


def test_autoescape_applies_whatever_the_extension(template_dir: Path) -> None:
    client = TestClient(make_app(Jinja2Templates(template_dir)))
    assert client.get("/render/notes.txt", params={"message": "<b>"}).text == "&lt;b&gt;"


async def test_markup_is_sent_as_it_is(template_dir: Path) -> None:
    templates = Jinja2Templates(template_dir)
    text = await templates.render(make_request(), "page.html", {"message": Markup("<b>hi</b>")})
    assert text == "<p><b>hi</b></p>"


def test_url_for_in_a_template(template_dir: Path) -> None:
    app = make_app(Jinja2Templates(template_dir))
    app.mount("/static", StaticFiles(directory=template_dir.parent / "static"), name="static")
    response = TestClient(app).get("/render/links.html")
    assert response.text == (
        '<a href="http://testserver/users/7">user</a>\n'
        '<link href="http://testserver/static/css/site.css">'
    )


def test_request_is_in_the_context(template_dir: Path) -> None:
    client = TestClient(make_app(Jinja2Templates(template_dir)))
    response = client.get("/render/request.html", params={"q": "covet"})
    assert response.text == "GET /render/request.html covet"


def test_context_processors_sync_and_async(template_dir: Path) -> None:
    def site(request: Request) -> dict[str, Any]:
        return {"site_name": "CovetPy", "theme": "light"}

    async def current_user(request: Request) -> dict[str, Any]:
        return {"user": request.headers.get("x-user", "anonymous")}

    templates = Jinja2Templates(template_dir, context_processors=[site, current_user])
    client = TestClient(make_app(templates))
    response = client.get("/render/processors.html", headers={"x-user": "ada"})
    assert response.text == "CovetPy / ada / light"
    # the view's own context wins over a processor's value
    response = client.get("/render/processors.html", params={"theme": "dark"})
    assert response.text == "CovetPy / anonymous / dark"


def test_a_template_awaits_async_functions(template_dir: Path) -> None:
    templates = Jinja2Templates(template_dir)
    app = CovetPy()

    async def load_items() -> list[str]:
        return ["one", "two"]

    async def greet(name: str) -> str:
        return f"hello {name}"

    @app.get("/")
    async def home(request: Request) -> TemplateResponse:
        context = {"load_items": load_items, "greet": greet}
        return templates.TemplateResponse(request, "async.html", context)

    assert TestClient(app).get("/").text == "<li>one</li><li>two</li>hello Ada"


def test_status_headers_cookies_and_head(template_dir: Path) -> None:
    templates = Jinja2Templates(template_dir)
    app = CovetPy()

    @app.route("/gone", methods=["GET", "HEAD"])
    async def gone(request: Request) -> TemplateResponse:
        response = templates.TemplateResponse(
            request, "page.html", {"message": "gone"}, status_code=410, headers={"x-a": "1"}
        )
        response.set_cookie("seen", "yes")
        return response

    client = TestClient(app)
    response = client.get("/gone")
    assert response.status_code == 410
    assert response.text == "<p>gone</p>"
    assert response.headers["x-a"] == "1"
    assert response.cookies["seen"] == "yes"
    head = client.head("/gone")
    assert head.content == b""
    assert head.headers["content-length"] == str(len("<p>gone</p>"))


def test_the_response_renders_when_sent(template_dir: Path) -> None:
    templates = Jinja2Templates(template_dir)
    response = templates.TemplateResponse(make_request(), "page.html", {"message": "hi"})
    assert response.template_name == "page.html"
    assert response.context == {"message": "hi"}
    assert response.body == b""
    assert "content-length" not in response.headers
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_a_status_without_body_cannot_render(template_dir: Path) -> None:
    templates = Jinja2Templates(template_dir)
    with pytest.raises(ValueError, match="304"):
        templates.TemplateResponse(make_request(), "page.html", status_code=304)


async def test_several_directories_are_searched_in_order(tmp_path: Path) -> None:
    (tmp_path / "theme").mkdir()
    (tmp_path / "base").mkdir()
    (tmp_path / "theme" / "page.html").write_text("theme page")
    (tmp_path / "base" / "page.html").write_text("base page")
    (tmp_path / "base" / "other.html").write_text("base other")
    templates = Jinja2Templates([tmp_path / "theme", str(tmp_path / "base")])
    assert await templates.render(make_request(), "page.html") == "theme page"
    assert await templates.render(make_request(), "other.html") == "base other"


# --- configuration -----------------------------------------------------------------------------


def test_directory_or_env_exactly_one(template_dir: Path) -> None:
    with pytest.raises(TypeError, match="directory= or env="):
        Jinja2Templates()
    env = jinja2.Environment(enable_async=True)
    with pytest.raises(TypeError, match="not both"):
        Jinja2Templates(template_dir, env=env)


def test_an_env_must_be_async() -> None:
    with pytest.raises(ValueError, match="enable_async=True"):
        Jinja2Templates(env=jinja2.Environment())


async def test_a_given_env_is_used_as_it_is(template_dir: Path) -> None:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"raw.html": "{{ message }} {{ missing }}"}), enable_async=True
    )
    templates = Jinja2Templates(env=env)
    assert templates.env is env
    assert "url_for" in env.globals
    # this environment escapes nothing and forgives undefined names: its owner's choice
    text = await templates.render(make_request(), "raw.html", {"message": "<b>"})
    assert text == "<b> "


def test_undefined_names_are_errors(template_dir: Path) -> None:
    client = TestClient(make_app(Jinja2Templates(template_dir)))
    with pytest.raises(jinja2.UndefinedError, match="message"):
        client.get("/render/page.html")


def test_a_helpful_import_error_without_jinja2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)  # makes `import jinja2` fail
    monkeypatch.delitem(sys.modules, "covet.asgi.templating")
    with pytest.raises(ImportError, match=r"the 'templates' extra.* -m pip install 'jinja2"):
        importlib.import_module("covet.asgi.templating")


# --- errors in templates -----------------------------------------------------------------------


def broken_client(template_dir: Path, *, debug: bool) -> TestClient:
    app = make_app(Jinja2Templates(template_dir), debug=debug)
    return TestClient(app, raise_server_exceptions=False)


def test_debug_page_points_at_the_template_line(template_dir: Path) -> None:
    client = broken_client(template_dir, debug=True)
    response = client.get(
        "/render/broken.html", params={"title": "Ada"}, headers={"accept": "text/html"}
    )
    assert response.status_code == 500
    assert "UndefinedError: &#x27;titel&#x27; is undefined" in response.text
    template_path = str(template_dir / "broken.html")
    assert f"<b>{template_path}</b>, line 3" in response.text
    # the source of the template line is shown, marked as the current one
    assert '<li value="3" class="current">&lt;p&gt;{{ titel }}&lt;/p&gt;</li>' in response.text


def test_debug_text_traceback_names_the_template_line(template_dir: Path) -> None:
    client = broken_client(template_dir, debug=True)
    response = client.get(
        "/render/broken.html", params={"title": "Ada"}, headers={"accept": "text/plain"}
    )
    assert response.status_code == 500
    assert f'File "{template_dir / "broken.html"}", line 3' in response.text


def test_debug_page_points_at_a_syntax_error(template_dir: Path) -> None:
    client = broken_client(template_dir, debug=True)
    response = client.get("/render/syntax.html", headers={"accept": "text/html"})
    assert response.status_code == 500
    assert "TemplateSyntaxError" in response.text
    assert f"<b>{template_dir / 'syntax.html'}</b>, line 2" in response.text


@pytest.mark.parametrize("name", ["broken.html", "syntax.html"])
def test_without_debug_a_template_error_is_the_plain_500(template_dir: Path, name: str) -> None:
    client = broken_client(template_dir, debug=False)
    response = client.get(
        f"/render/{name}", params={"title": "Ada"}, headers={"accept": "text/html"}
    )
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
    assert name not in response.text
