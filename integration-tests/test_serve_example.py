"""The README's first command: ``hatch run dev:serve-example`` serves examples/hello/app.py."""

from __future__ import annotations

import shlex
import subprocess
import sys
import tomllib
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
COVET_SCRIPT = Path(sys.executable).parent / "covet"

Serve = Callable[[Callable[[int], list[str]], Path], AbstractContextManager[str]]


def serve_example_command() -> list[str]:
    """The dev environment's serve-example script, as hatch will run it."""
    hatch_config = tomllib.loads((REPO_ROOT / "hatch.toml").read_text())
    script: str = hatch_config["envs"]["dev"]["scripts"]["serve-example"]
    return shlex.split(script)


def test_serve_example_is_covet_run_on_the_example_app() -> None:
    assert serve_example_command() == [
        "covet",
        "run",
        "examples.hello.app:app",
        "--host",
        "127.0.0.1",
        "--port",
        "8000",
    ]


def test_covet_run_serves_the_example_from_the_repository_root(serve: Serve) -> None:
    # The same command with a free port instead of 8000, started where hatch starts it.
    command = serve_example_command()
    port_index = command.index("--port") + 1

    def command_for_port(port: int) -> list[str]:
        return [str(COVET_SCRIPT), *command[1:port_index], str(port), *command[port_index + 1 :]]

    with serve(command_for_port, REPO_ROOT) as base_url:
        response = httpx.get(f"{base_url}/users/7", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"id": 7, "name": "User 7", "framework": "CovetPy Alpha"}


def test_covet_routes_lists_the_example_routes() -> None:
    result = subprocess.run(
        [str(COVET_SCRIPT), "routes", "examples.hello.app:app"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "METHODS   PATH                 NAME              ENDPOINT\n"
        "--------  -------------------  ----------------  " + "-" * 40 + "\n"
        "GET,HEAD  /openapi.json        openapi_json      covet.asgi.openapi.docs.openapi_json\n"
        "GET,HEAD  /docs                swagger_ui        covet.asgi.openapi.docs.swagger_ui\n"
        "GET,HEAD  /docs/assets/{name}  swagger_ui_asset  "
        "covet.asgi.openapi.docs.swagger_ui_asset\n"
        "GET,HEAD  /                    hello             examples.hello.app.hello\n"
        "GET,HEAD  /users/{user_id}     get_user          examples.hello.app.get_user\n"
    )
