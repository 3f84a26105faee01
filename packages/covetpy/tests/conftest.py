"""Fixtures for tests that start real processes: free ports, servers, throwaway modules."""

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

import pytest

STARTUP_TIMEOUT = 30.0
SHUTDOWN_TIMEOUT = 10.0


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
