"""Instructions per request, counted by valgrind's callgrind: a figure machine load cannot move.

    hatch run bench:profile -- --instructions demo_path_param          # CovetPy and Starlette
    hatch run bench:profile -- --instructions --framework bare json    # chosen frameworks
    hatch run bench:profile -- --instructions --served demo_path_param # under uvicorn

Wall-clock time on a shared machine moves with what the other processes do; the number of
instructions a request executes does not (to within a fraction of a percent). Each figure
comes from two runs of the same program under ``valgrind --tool=callgrind``, one serving
``SMALL`` requests and one ``LARGE``, both after the same warm-up: start-up, imports and
shut-down are the same in both, so ``(large - small) / (LARGE - SMALL)`` is the cost of one
request alone. Hash randomisation is fixed (``PYTHONHASHSEED=0``) and no bytecode is written
(``PYTHONDONTWRITEBYTECODE=1``), so the two runs do the same work.

*In process* the program is this module's ``drive``: the app called as
``http_inprocess`` calls it (same scope, receive and send). *Served* (``--served``) it is
``python -m benchmarks.serve`` (uvicorn, uvloop, httptools) under callgrind, and the requests
come from ``load``, a client on plain sockets that keeps ``CONNECTIONS`` keep-alive
connections busy until it has sent exactly the number asked for; the count then includes
uvicorn's own work per request (parsing, the transport, the event loop), the same for every
framework, so the difference between two frameworks is still theirs alone.

callgrind slows Python about fifty times, so a figure takes some seconds to a minute. The
callgrind output of the larger run is kept (its path is printed) for ``callgrind_annotate``.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.apps import build_app
from benchmarks.apps.scenarios import SCENARIOS, Scenario

__all__ = ["count_per_request", "drive", "load", "main"]

REPO_ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 300
SMALL = 200
LARGE = 1200
CONNECTIONS = 8

_COLLECTED = re.compile(r"Collected : (\d+)")


def _valgrind() -> str:
    found = shutil.which("valgrind")
    if found is None:
        raise SystemExit(
            "valgrind is not installed: on Debian or Ubuntu run `apt-get install -y valgrind`"
        )
    return found


def _environment() -> dict[str, str]:
    # No bytecode written: otherwise the first run after an edit compiles the edited module
    # and the second reads the cache, and the difference between the two is off by the
    # compilation. Without writing, both runs do exactly the same (compile or read).
    environment = dict(os.environ, PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT), *filter(None, [environment.get("PYTHONPATH")])]
    )
    return environment


def _callgrind(out_file: Path) -> list[str]:
    return [_valgrind(), "--tool=callgrind", f"--callgrind-out-file={out_file}"]


def _collected(stderr: str) -> int:
    match = _COLLECTED.search(stderr)
    if match is None:
        raise RuntimeError(f"no instruction count in callgrind's output:\n{stderr[-2000:]}")
    return int(match.group(1))


# -- in process ---------------------------------------------------------------------------


async def _drive(framework: str, scenario_name: str, calls: int) -> None:
    from benchmarks.http_inprocess import (
        Receiver,
        call_once,
        check_response,
        request_scope,
        run_lifespan,
    )

    scenario = SCENARIOS[scenario_name]
    app = build_app(framework, scenario_name)

    async def discard(message: object) -> None:
        pass

    template = request_scope(scenario)
    async with run_lifespan(app):
        check_response(framework, scenario, *await call_once(app, scenario))
        for _ in range(WARM_UP + calls):
            await app({**template, "state": {}}, Receiver(scenario.body), discard)


def drive(framework: str, scenario_name: str, calls: int) -> None:
    """Serve ``WARM_UP + calls`` in-process requests (the program callgrind counts)."""
    from benchmarks.http_inprocess import event_loop_factory

    with asyncio.Runner(loop_factory=event_loop_factory) as runner:
        runner.run(_drive(framework, scenario_name, calls))


def _count_in_process(framework: str, scenario: str, calls: int, out_file: Path) -> int:
    argv = [
        *_callgrind(out_file),
        sys.executable,
        "-m",
        "benchmarks.instructions",
        "drive",
        framework,
        scenario,
        str(calls),
    ]
    completed = subprocess.run(
        argv, cwd=REPO_ROOT, env=_environment(), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{completed.stderr[-3000:]}")
    return _collected(completed.stderr)


# -- served by uvicorn -----------------------------------------------------------------------


def _request_bytes(scenario: Scenario, port: int) -> bytes:
    lines = [
        f"{scenario.method} {scenario.target} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        *(f"{name}: {value}" for name, value in scenario.headers),
    ]
    if scenario.body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(scenario.body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + scenario.body


async def _one_connection(port: int, request: bytes, budget: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while budget[0] > 0:
            budget[0] -= 1
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            if length is None or not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"unexpected answer: {head!r}")
            await reader.readexactly(int(length.group(1)))
    finally:
        writer.close()


async def _load(port: int, scenario_name: str, requests: int) -> None:
    request = _request_bytes(SCENARIOS[scenario_name], port)
    budget = [requests]
    await asyncio.gather(*(_one_connection(port, request, budget) for _ in range(CONNECTIONS)))


def load(port: int, scenario_name: str, requests: int) -> None:
    """Send exactly ``requests`` requests over ``CONNECTIONS`` keep-alive connections."""
    asyncio.run(_load(port, scenario_name, requests))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(port: int, process: subprocess.Popen[str], timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {process.communicate()[1][-3000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise RuntimeError(f"the server did not listen on port {port} within {timeout:.0f} s")


def _count_served(framework: str, scenario: str, calls: int, out_file: Path) -> int:
    port = _free_port()
    argv = [
        *_callgrind(out_file),
        sys.executable,
        "-m",
        "benchmarks.serve",
        framework,
        scenario,
        str(port),
    ]
    process = subprocess.Popen(
        argv,
        cwd=REPO_ROOT,
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_for(port, process)
        load(port, scenario, WARM_UP + calls)
    finally:
        os.killpg(process.pid, signal.SIGINT)  # uvicorn shuts down cleanly on SIGINT
        _, stderr = process.communicate(timeout=300)
    return _collected(stderr)


# -- the figure ---------------------------------------------------------------------------


def count_per_request(framework: str, scenario: str, *, served: bool = False) -> float:
    """Instructions per request of ``framework`` on ``scenario`` (see the module docstring)."""
    count = _count_served if served else _count_in_process
    directory = Path(tempfile.mkdtemp(prefix="covet-callgrind-"))
    small = count(framework, scenario, SMALL, directory / "small.out")
    large_file = directory / f"{framework}-{scenario}{'-served' if served else ''}.out"
    large = count(framework, scenario, LARGE, large_file)
    (directory / "small.out").unlink(missing_ok=True)
    print(f"    (callgrind output of the larger run: {large_file})", flush=True)
    return (large - small) / (LARGE - SMALL)


def report(frameworks: list[str], scenarios: list[str], *, served: bool) -> None:
    """Print instructions per request for each scenario and framework, and the ratios."""
    where = "served by uvicorn" if served else "in process"
    for scenario in scenarios:
        counts = {}
        for framework in frameworks:
            counts[framework] = count_per_request(framework, scenario, served=served)
            print(
                f"  {scenario:<16} {framework:<10} {counts[framework]:>10,.0f}"
                f" instructions/request ({where})",
                flush=True,
            )
        if "covetpy" in counts:
            ratios = ", ".join(
                f"{other} / covetpy = {counts[other] / counts['covetpy']:.2f}"
                for other in frameworks
                if other != "covetpy"
            )
            if ratios:
                print(f"  {scenario:<16} {ratios}", flush=True)


def main(argv: list[str] | None = None) -> None:
    """``python -m benchmarks.instructions drive FRAMEWORK SCENARIO CALLS``: the counted program."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 4 or args[0] != "drive":
        raise SystemExit(__doc__)
    drive(args[1], args[2], int(args[3]))


if __name__ == "__main__":
    main()
