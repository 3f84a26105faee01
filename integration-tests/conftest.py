"""Shared machinery for integration tests: start a real server, wait for it, stop it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

STARTUP_TIMEOUT = 30.0
SHUTDOWN_TIMEOUT = 10.0

Serve = Callable[..., AbstractContextManager[str]]
"""``serve(command_for_port, cwd, port=None, timeout=STARTUP_TIMEOUT, env=None)``: a context
manager yielding the server's base URL (on ``port``, or on a free one when it is None)."""


def free_port() -> int:
    """A loopback port that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _wait_until_listening(
    process: subprocess.Popen[bytes], port: int, log: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"no server on port {port} after {timeout}s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    # The server runs in its own session; signalling its group (by the id of the process
    # started here) also reaches any worker or reloader children.
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(SHUTDOWN_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(SHUTDOWN_TIMEOUT)


@pytest.fixture(scope="session")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Serve:
    """Start a server on a free loopback port, yield its base URL, always stop it."""
    log_dir = tmp_path_factory.mktemp("server-logs")

    @contextmanager
    def serving(
        command_for_port: Callable[[int], list[str]],
        cwd: Path,
        port: int | None = None,
        timeout: float = STARTUP_TIMEOUT,
        env: dict[str, str] | None = None,
    ) -> Iterator[str]:
        port = free_port() if port is None else port
        log = log_dir / f"server-{port}.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                command_for_port(port),
                cwd=cwd,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=env,
            )
        try:
            _wait_until_listening(process, port, log, timeout)
            yield f"http://127.0.0.1:{port}"
        finally:
            _stop(process)

    return serving


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def sse_server(serve: Serve) -> Iterator[str]:
    """The base URL of a real uvicorn serving ``examples/sse/app.py``."""

    def uvicorn_command(port: int) -> list[str]:
        host = ["--host", "127.0.0.1", "--port", str(port)]
        return [sys.executable, "-m", "uvicorn", "app:app", *host]

    with serve(uvicorn_command, EXAMPLES / "sse") as base_url:
        yield base_url


README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(scope="session")
def quick_start_commands() -> list[str]:
    """The commands of the README's Quick start, in order: serve, then test."""
    section = README.read_text().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```bash\n")[1:]
    return [block.split("\n```", 1)[0].strip() for block in blocks]
