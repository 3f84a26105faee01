"""covet/cli/run.py: ``covet run module:app`` really serves, through uvicorn."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from covet.cli import main

# The fixture of conftest.py: covet_run(*options, body=..., app_dir=None) -> CovetRun.
CovetRunFixture = Callable[..., Any]


def test_covet_run_serves_the_app_from_the_working_directory(covet_run: CovetRunFixture) -> None:
    # No --app-dir: the default "." must find served.py in the working directory.
    served = covet_run(body="served by covet run")
    response = served.get("/anything")
    assert response.status_code == 200
    assert response.text == "served by covet run"
    assert "uvicorn" in response.headers["server"]


def test_app_dir_is_searched_first(tmp_path: Path, covet_run: CovetRunFixture) -> None:
    # served.py is written to app_dir only, not to the server's working directory.
    served = covet_run(body="from app-dir", app_dir=tmp_path / "elsewhere")
    assert served.get().text == "from app-dir"


def test_workers_each_import_the_app_from_the_import_string(covet_run: CovetRunFixture) -> None:
    served = covet_run("--workers", "2", body="served by a worker")
    assert served.get().text == "served by a worker"
    # Two server processes, each of which imported served:app for itself.
    served.server.wait_for_log("Started server process", count=2)


def test_reload_serves_the_edited_module(covet_run: CovetRunFixture) -> None:
    served = covet_run("--reload", body="version 1")
    assert served.get().text == "version 1"
    # uvicorn's reloader starts watching a moment after the server first answers.
    assert served.edit_until_served("version 2", every=1.0) == "version 2", served.server.log()


def test_a_missing_module_makes_covet_run_exit_non_zero(tmp_path: Path, free_port: int) -> None:
    command = [sys.executable, "-m", "covet.cli", "run", "no_such_module_xyz:app"]
    result = subprocess.run(
        [*command, "--port", str(free_port)],
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


# --- server limits


def _uvicorn_options(monkeypatch: pytest.MonkeyPatch, *options: str) -> dict[str, Any]:
    """The keyword arguments ``covet run served:app *options`` hands to ``uvicorn.run``."""
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    assert main(["run", "served:app", *options]) == 0
    [kwargs] = calls
    return kwargs


def test_server_limits_are_set_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    kwargs = _uvicorn_options(monkeypatch)
    assert kwargs["limit_concurrency"] == 1000
    assert kwargs["timeout_keep_alive"] == 5
    assert kwargs["h11_max_incomplete_event_size"] == 16384
    assert kwargs["http"] == "auto"


def test_server_limits_can_be_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    kwargs = _uvicorn_options(
        monkeypatch,
        *("--limit-concurrency", "50", "--timeout-keep-alive", "2"),
        *("--h11-max-incomplete-event-size", "8192", "--http", "h11"),
    )
    assert kwargs["limit_concurrency"] == 50
    assert kwargs["timeout_keep_alive"] == 2
    assert kwargs["h11_max_incomplete_event_size"] == 8192
    assert kwargs["http"] == "h11"


@pytest.mark.parametrize(
    "option", ["--limit-concurrency", "--timeout-keep-alive", "--h11-max-incomplete-event-size"]
)
@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_a_limit_must_be_a_positive_whole_number(
    capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["run", "served:app", option, value])
    assert caught.value.code == 2
    assert option in capsys.readouterr().err


def test_an_unknown_http_parser_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "served:app", "--http", "zttp"])
    assert "invalid choice" in capsys.readouterr().err


def test_headers_over_the_h11_limit_are_refused_by_the_server(
    covet_run: CovetRunFixture,
) -> None:
    # The limit bounds what h11 holds while a request head is incomplete: a client that keeps
    # sending header bytes without ending the head is cut off once it passes the limit.
    served = covet_run("--http", "h11", "--h11-max-incomplete-event-size", "4096", body="ok")
    assert served.get().text == "ok"
    with socket.create_connection(("127.0.0.1", served.server.port), timeout=10) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: a\r\nX-Data: " + b"a" * 8000)
        reply = client.recv(1024)
    assert reply.startswith(b"HTTP/1.1 400 ")  # uvicorn's answer to a head h11 refuses
    small = httpx.get(served.server.base_url, headers={"x-data": "a" * 1000}, timeout=10)
    assert small.status_code == 200
