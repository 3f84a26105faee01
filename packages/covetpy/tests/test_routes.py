"""covet/cli/routes.py: ``covet routes module:app`` prints the route table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from covet.cli import main
from covet.cli.routes import format_table, route_row
from covet.router import Router

SMALL_APP = """\
from covet import CovetPy, PlainTextResponse

app = CovetPy(openapi_url=None)
admin = CovetPy()


@app.route("/")
async def index(request):
    return PlainTextResponse("index")


@app.route("/users/{user_id}", methods=["GET", "DELETE"], name="user-detail")
async def user(request, user_id: int):
    return {"id": user_id}


class Handlers:
    @staticmethod
    async def create_item(request):
        return {"created": True}


app.route("/items", methods=["POST"])(Handlers.create_item)
app.mount("/admin", admin)
"""


def test_routes_prints_an_aligned_table(
    tmp_path: Path, app_module: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    name = app_module(SMALL_APP)
    assert main(["routes", f"{name}:app", "--app-dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    expected = f"""\
METHODS          PATH              NAME         ENDPOINT
---------------  ----------------  -----------  {"-" * len(f"{name}.Handlers.create_item")}
GET,HEAD         /                 index        {name}.index
DELETE,GET,HEAD  /users/{{user_id}}  user-detail  {name}.user
POST             /items            create_item  {name}.Handlers.create_item
*                /admin            -            CovetPy (mount)
"""
    assert out == expected


def test_the_default_document_and_docs_routes_are_listed(
    tmp_path: Path, app_module: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    name = app_module("from covet import CovetPy\n\napp = CovetPy()\n")
    assert main(["routes", f"{name}:app", "--app-dir", str(tmp_path)]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[2:]]
    assert rows == [
        ["GET,HEAD", "/openapi.json", "openapi_json", "covet.asgi.openapi.docs.openapi_json"],
        ["GET,HEAD", "/docs", "swagger_ui", "covet.asgi.openapi.docs.swagger_ui"],
        [
            "GET,HEAD",
            "/docs/assets/{name}",
            "swagger_ui_asset",
            "covet.asgi.openapi.docs.swagger_ui_asset",
        ],
    ]


@pytest.mark.parametrize(
    ("import_string", "message"),
    [
        ("no_colon_here", "covet routes: import string 'no_colon_here' must be 'module:attribute'"),
        ("no_such_module_xyz:app", "covet routes: could not find module 'no_such_module_xyz'"),
    ],
)
def test_a_bad_import_string_is_one_line_and_exit_code_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], import_string: str, message: str
) -> None:
    assert main(["routes", import_string, "--app-dir", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(message)


def test_an_object_without_routes_is_rejected(
    tmp_path: Path, app_module: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    name = app_module("app = 42\n")
    assert main(["routes", f"{name}:app", "--app-dir", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"covet routes: '{name}:app' is not a CovetPy app ('int' object has no routes list)\n"
    )


def test_format_table_pads_each_column_to_its_widest_cell() -> None:
    table = format_table(("A", "LONGER"), [("wide cell", "x"), ("y", "")])
    assert table.splitlines() == [
        "A          LONGER",
        "---------  ------",
        "wide cell  x",
        "y",
    ]


class CallableEndpoint:
    async def __call__(self, request: object) -> None:
        return None


def test_route_row_names_a_callable_instance_by_its_class() -> None:
    router = Router()
    route = router.add_route("/call", CallableEndpoint(), methods=["POST"], name="call")
    assert route_row(route) == ("POST", "/call", "call", f"{__name__}.CallableEndpoint")


def test_route_row_shows_the_root_mount_as_slash_and_a_missing_name_as_dash() -> None:
    router = Router()
    mount = router.mount("", Router())
    assert route_row(mount) == ("*", "/", "-", "Router (mount)")
