"""covet/cli/run.py: ``covet run module:app`` really serves, through uvicorn."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from covet.cli import main

# A bare ASGI app: `covet run` serves any ASGI app, so its test needs nothing more.
ASGI_APP = """\
async def app(scope, receive, send):
    if scope["type"] != "http":
        return  # no startup or shutdown work
    await send({{"type": "http.response.start", "status": 200,
                 "headers": [(b"content-type", b"text/plain")]}})
    await send({{"type": "http.response.body", "body": b"{body}"}})
"""

RELOAD_TIMEOUT = 30.0

StartServer = Callable[..., Any]


def covet_run(*args: str) -> list[str]:
    return [sys.executable, "-m", "covet.cli", "run", *args]


def test_covet_run_serves_the_app_from_the_working_directory(
    tmp_path: Path, free_port: int, start_server: StartServer
) -> None:
    (tmp_path / "served.py").write_text(ASGI_APP.format(body="served by covet run"))
    # No --app-dir: the default "." must find served.py in the working directory.
    server = start_server(covet_run("served:app", "--port", str(free_port)), tmp_path, free_port)
    response = httpx.get(f"{server.base_url}/anything", timeout=10)
    assert response.status_code == 200
    assert response.text == "served by covet run"
    assert "uvicorn" in response.headers["server"]


def test_app_dir_is_searched_first(
    tmp_path: Path, free_port: int, start_server: StartServer
) -> None:
    app_dir = tmp_path / "elsewhere"
    app_dir.mkdir()
    (app_dir / "served.py").write_text(ASGI_APP.format(body="from app-dir"))
    command = covet_run("served:app", "--port", str(free_port), "--app-dir", str(app_dir))
    server = start_server(command, tmp_path, free_port)
    assert httpx.get(server.base_url, timeout=10).text == "from app-dir"


def test_workers_each_import_the_app_from_the_import_string(
    tmp_path: Path, free_port: int, start_server: StartServer
) -> None:
    (tmp_path / "served.py").write_text(ASGI_APP.format(body="served by a worker"))
    command = covet_run("served:app", "--port", str(free_port), "--workers", "2")
    server = start_server(command, tmp_path, free_port)
    assert httpx.get(server.base_url, timeout=10).text == "served by a worker"
    # Two server processes, each of which imported served:app for itself.
    deadline = time.monotonic() + RELOAD_TIMEOUT
    while server.log().count("Started server process") < 2:
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.2)


def test_reload_serves_the_edited_module(
    tmp_path: Path, free_port: int, start_server: StartServer
) -> None:
    module = tmp_path / "served.py"
    module.write_text(ASGI_APP.format(body="version 1"))
    command = covet_run("served:app", "--port", str(free_port), "--reload")
    server = start_server(command, tmp_path, free_port)
    assert httpx.get(server.base_url, timeout=10).text == "version 1"

    # The reloader starts watching a moment after the server first answers, so an edit
    # made right away can go unseen; the edit is repeated until the new body is served.
    deadline = time.monotonic() + RELOAD_TIMEOUT
    next_edit = 0.0
    body = ""
    while time.monotonic() < deadline:
        if time.monotonic() >= next_edit:
            module.write_text(ASGI_APP.format(body="version 2"))
            next_edit = time.monotonic() + 1.0
        try:
            body = httpx.get(server.base_url, timeout=5).text
        except httpx.TransportError:
            body = ""  # the server is between the old and the new process
        if body == "version 2":
            break
        time.sleep(0.2)
    assert body == "version 2", server.log()


def test_a_missing_module_makes_covet_run_exit_non_zero(tmp_path: Path, free_port: int) -> None:
    result = subprocess.run(
        covet_run("no_such_module_xyz:app", "--port", str(free_port)),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert 'Could not import module "no_such_module_xyz"' in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no_colon_here"], "covet run: import string 'no_colon_here' must be 'module:attribute'"),
        (
            ["served:app", "--reload", "--workers", "2"],
            "covet run: --reload and --workers cannot be combined",
        ),
    ],
)
def test_bad_arguments_are_one_line_and_exit_code_1(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["run", *args]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(message)
    assert err.count("\n") == 1
