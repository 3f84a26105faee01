"""Starting and stopping benchmark servers, pinned to a core, on loopback ports.

Each server is ``python -m benchmarks.serve`` in a session of its own, started under
``taskset -c CORE`` when the machine has two cores or more: the server gets one core, the
load generator another, so neither takes time from the other. Only processes started here
are stopped here, by their process group.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.apps.scenarios import Scenario

__all__ = [
    "CoreLayout",
    "Server",
    "child_environment",
    "core_layout",
    "request",
    "rss_kib",
    "running_servers",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 30.0


def child_environment() -> dict[str, str]:
    """This environment, but with bytecode caches allowed.

    Installed packages are imported from the ``.pyc`` files written at install time; with
    ``PYTHONDONTWRITEBYTECODE`` set, the workspace's own packages would be compiled from
    source at every start, which costs them time and memory no installed package pays.
    """
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


@dataclass(frozen=True)
class CoreLayout:
    """Which core the server gets and which the load generator gets (None: not pinned)."""

    server: int | None
    load: int | None

    def command(self, core: int | None, argv: list[str]) -> list[str]:
        """``argv`` under ``taskset -c core``, or as it is when there is nothing to pin to."""
        if core is None:
            return argv
        return ["taskset", "-c", str(core), *argv]

    def describe(self) -> str:
        if self.server is None:
            return "not pinned (fewer than two cores, or no taskset): server and client share"
        return f"server on core {self.server}, load generator on core {self.load} (taskset)"


def core_layout() -> CoreLayout:
    """The last core for the server, the first for the client, when there are two or more."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2 or shutil.which("taskset") is None:
        return CoreLayout(None, None)
    return CoreLayout(cores[-1], cores[0])


@dataclass
class Server:
    framework: str
    scenario: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _start(framework: str, scenario: str, layout: CoreLayout, log_dir: Path) -> Server:
    port = _free_port()
    log = log_dir / f"{framework}-{scenario}.log"
    argv = [sys.executable, "-m", "benchmarks.serve", framework, scenario, str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            layout.command(layout.server, argv),
            cwd=REPO_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=child_environment(),
        )
    return Server(framework, scenario, port, process, log)


def _wait_until_answering(server: Server, scenario: Scenario) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.framework} server exited ({server.process.returncode}):\n"
                + server.log.read_text(errors="replace")
            )
        try:
            status = request(server, scenario)
        except OSError:
            time.sleep(0.1)
            continue
        if status != scenario.status:
            raise RuntimeError(f"{server.framework} answered {status} to {scenario.target}")
        return
    raise RuntimeError(f"{server.framework} server did not answer within {STARTUP_TIMEOUT}s")


def request(server: Server, scenario: Scenario) -> int:
    """Send the scenario's request once over loopback; the status code."""
    req = urllib.request.Request(
        server.url + scenario.target,
        data=scenario.body or None,
        method=scenario.method,
        headers={
            **dict(scenario.headers),
            **({"content-type": "application/json"} if scenario.body else {}),
        },
    )
    with urllib.request.urlopen(req, timeout=5) as response:
        response.read()
        status: int = response.status
    return status


def _stop(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(10)


@contextlib.contextmanager
def running_servers(
    frameworks: list[str], scenario: Scenario, layout: CoreLayout
) -> Iterator[dict[str, Server]]:
    """One server per framework for ``scenario``, each answering before this yields."""
    with tempfile.TemporaryDirectory(prefix="covet-bench-logs-") as log_dir:
        servers: dict[str, Server] = {}
        try:
            for framework in frameworks:
                servers[framework] = _start(framework, scenario.name, layout, Path(log_dir))
            for server in servers.values():
                _wait_until_answering(server, scenario)
            yield servers
        finally:
            for server in servers.values():
                _stop(server)


def rss_kib(pid: int) -> int:
    """The resident set size of process ``pid`` in KiB, from /proc (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")
