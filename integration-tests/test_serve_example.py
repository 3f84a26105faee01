"""The README's commands, character for character: serving the example, and what CI runs.

The serve command is run exactly as the README writes it, from the repository root: the
bootstrap, hatch building the ``serve`` environment (the first time: runtime packages only),
``covet run`` on port 8000. ``.ci/run`` must end with the README's test command, verbatim.
"""

from __future__ import annotations

import json
import os
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
#: A first run builds the serve environment before the server starts.
FIRST_START_TIMEOUT = 600

Serve = Callable[..., AbstractContextManager[str]]

#: What serving may install: CovetPy and what its runtime needs, never a test tool or a peer.
NOT_FOR_SERVING = {
    "pytest",
    "hypothesis",
    "coverage",
    "starlette",
    "fastapi",
    "litestar",
    "sqlalchemy",
    "tortoise-orm",
    "matplotlib",
    "schemathesis",
    "httpx",
}


def hatch_scripts(environment: str) -> dict[str, str]:
    scripts: dict[str, str] = tomllib.loads((REPO_ROOT / "hatch.toml").read_text())["envs"][
        environment
    ]["scripts"]
    return scripts


def outside_hatch() -> dict[str, str]:
    """This environment without the marks of the hatch environment the tests run in."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("HATCH_") and name not in {"VIRTUAL_ENV", "PYTHONPATH"}
    }


def test_the_readme_commands_are_the_serve_and_test_scripts(
    quick_start_commands: list[str],
) -> None:
    serve_command, test_command = quick_start_commands
    assert serve_command == "python3 tools/bootstrap.py run serve:example"
    assert test_command == "python3 tools/bootstrap.py run test:all"
    assert hatch_scripts("serve")["example"] == (
        "covet run examples.hello.app:app --host 127.0.0.1 --port 8000"
    )


def test_ci_run_ends_with_the_readme_test_command(quick_start_commands: list[str]) -> None:
    lines = [
        line
        for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[-1] == quick_start_commands[1]


def test_the_readme_serve_command_serves_the_example_on_port_8000(
    serve: Serve, quick_start_commands: list[str]
) -> None:
    command = shlex.split(quick_start_commands[0])
    assert command[0] == "python3"

    def readme_command(port: int) -> list[str]:
        return command

    with serve(
        readme_command, REPO_ROOT, port=8000, timeout=FIRST_START_TIMEOUT, env=outside_hatch()
    ) as base_url:
        response = httpx.get(f"{base_url}/users/7", timeout=10)
        hello = httpx.get(f"{base_url}/", timeout=10)
        # What the serve environment holds, asked of hatch while it serves.
        listed = subprocess.run(
            [*command[:2], "run", "serve:python", "-m", "pip", "list", "--format", "json"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=FIRST_START_TIMEOUT,
            env=outside_hatch(),
            check=False,
        )
    assert response.status_code == 200
    assert response.json() == {"id": 7, "name": "User 7", "framework": "CovetPy Alpha"}
    assert hello.json() == {"message": "Hello from CovetPy Alpha v0.1.0!"}
    assert listed.returncode == 0, listed.stderr
    installed = {entry["name"].lower() for entry in json.loads(listed.stdout.splitlines()[-1])}
    assert {"covetpy", "covet-asgi", "uvicorn"} <= installed
    assert not installed & NOT_FOR_SERVING


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
