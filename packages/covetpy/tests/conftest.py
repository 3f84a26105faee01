"""Fixtures for tests that start real processes: free ports, servers, `covet run`, modules."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

STARTUP_TIMEOUT = 30.0
SHUTDOWN_TIMEOUT = 10.0
# How long a server may take to show a change: workers started, or an edit reloaded.
CHANGE_TIMEOUT = 30.0

# A bare ASGI app answering every request with ``{body}``: `covet run` serves any ASGI app,
# so the tests of the command need nothing more. (Doubled braces are literal ones.)
SERVED_APP = """\
async def app(scope, receive, send):
    if scope["type"] != "http":
        return  # no startup or shutdown work
    await send({{"type": "http.response.start", "status": 200,
                 "headers": [(b"content-type", b"text/plain")]}})
    await send({{"type": "http.response.body", "body": b"{body}"}})
"""


@dataclass
class Server:
    """A server process started by a test, listening on 127.0.0.1:``port``."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, count: int) -> None:
        """Wait until the log holds ``text`` ``count`` times, e.g. once per worker process."""
        deadline = time.monotonic() + CHANGE_TIMEOUT
        while self.log().count(text) < count:
            assert time.monotonic() < deadline, self.log()
            time.sleep(0.2)


@dataclass
class CovetRun:
    """A ``covet run served:app`` process, serving :data:`SERVED_APP` from ``module``."""

    server: Server
    module: Path

    def get(self, path: str = "/") -> httpx.Response:
        """GET ``path`` from the server."""
        return httpx.get(self.server.base_url + path, timeout=10)

    def edit_until_served(self, body: str, every: float) -> str:
        """Make the module answer ``body`` and wait for the reloader; returns the last body.

        A reloader starts watching a moment after the server first answers, and may compare
        modification times only now and then, so one edit can go unseen: the edit is repeated
        every ``every`` seconds until ``body`` is served or :data:`CHANGE_TIMEOUT` runs out.
        """
        deadline = time.monotonic() + CHANGE_TIMEOUT
        next_edit = 0.0
        served = ""
        while time.monotonic() < deadline:
            if time.monotonic() >= next_edit:
                self.module.write_text(SERVED_APP.format(body=body))
                next_edit = time.monotonic() + every
            try:
                served = self.get().text
            except httpx.TransportError:
                served = ""  # the server is between the old and the new process
            if served == body:
                break
            time.sleep(0.2)
        return served


StartServer = Callable[[list[str], Path, int], Server]


@pytest.fixture
def free_port() -> int:
    """A loopback port that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _wait_until_listening(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"server exited with {server.process.returncode} before listening:\n{server.log()}"
            )
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"no server on port {server.port} after {STARTUP_TIMEOUT}s:\n{server.log()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    # The server runs in its own session, so its group holds it and any reloader or
    # worker children; signalling the group (by the id of the process we started) stops all.
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(SHUTDOWN_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(SHUTDOWN_TIMEOUT)


@pytest.fixture
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartServer]:
    """Start ``command`` in ``cwd`` and wait until it listens on ``port``; always stopped."""
    # Logs live apart from the app's directory: a reloading server watches that one.
    log_dir = tmp_path_factory.mktemp("server-logs")
    started: list[subprocess.Popen[bytes]] = []

    def start(command: list[str], cwd: Path, port: int) -> Server:
        log_path = log_dir / f"server-{len(started)}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        started.append(process)
        server = Server(process, port, log_path)
        _wait_until_listening(server)
        return server

    yield start
    for process in started:
        _stop(process)


@pytest.fixture
def covet_run(tmp_path: Path, free_port: int, start_server: StartServer) -> Callable[..., CovetRun]:
    """Start ``covet run served:app --port <free port> *options`` over :data:`SERVED_APP`.

    ``served.py`` answers ``body``. It is written to ``tmp_path``, the server's working
    directory, or with ``app_dir=`` to that directory, which is then passed as ``--app-dir``.
    """

    def start(*options: str, body: str, app_dir: Path | None = None) -> CovetRun:
        module = (app_dir or tmp_path) / "served.py"
        module.parent.mkdir(parents=True, exist_ok=True)
        module.write_text(SERVED_APP.format(body=body))
        command = [sys.executable, "-m", "covet.cli", "run", "served:app"]
        command += ["--port", str(free_port), *options]
        if app_dir is not None:
            command += ["--app-dir", str(app_dir)]
        return CovetRun(start_server(command, tmp_path, free_port), module)

    return start


@pytest.fixture
def app_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], str]]:
    """Write source as a uniquely named module in ``tmp_path``; returns the module name.

    Unique names keep in-process imports of different tests from sharing sys.modules
    entries; the modules are dropped from sys.modules afterwards, and sys.path (which
    ``--app-dir`` changes) is restored.
    """
    monkeypatch.setattr(sys, "path", [*sys.path])
    names: list[str] = []

    def write(source: str) -> str:
        name = f"covet_test_app_{uuid.uuid4().hex[:12]}"
        (tmp_path / f"{name}.py").write_text(source)
        names.append(name)
        return name

    yield write
    for name in names:
        sys.modules.pop(name, None)
