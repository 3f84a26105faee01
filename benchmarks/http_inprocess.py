"""HTTP in process: each framework's ASGI app called directly, no server, no network.

The app is called as a server would call it, with a fresh scope, a ``receive`` that hands
over the request body and a ``send`` that drops what it gets, in a loop on one uvloop event
loop. What is timed is the framework alone: routing, the request object, parameter parsing,
validation, the response. Calls are timed in batches long enough for the clock (about 0.2 s),
the frameworks take turns batch by batch (the order rotates each round, so none always runs
first), and each figure is the median over the rounds.

Before anything is timed every app answers the scenario's request once and the answer is
checked against ``scenarios.py``: the status, the media type and the body, byte for byte.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from benchmarks.apps import FRAMEWORK_TITLES, FRAMEWORKS, PEERS, build_app, frameworks_for
from benchmarks.apps.scenarios import SCENARIOS, Scenario
from benchmarks.harness import Chart, Settings, Suite, SuiteResult, Table, TargetCheck, median

__all__ = [
    "SUITE",
    "TARGETS",
    "call_once",
    "check_response",
    "event_loop_factory",
    "measure_scenario",
    "request_scope",
    "run_lifespan",
]

#: The issues' targets: CovetPy's speed over each peer's, in every scenario (issue 7; issue 12
#: raised Starlette's from 1.2 to 1.3 and added the demo-style and realistic-app scenarios).
TARGETS: dict[str, float] = {"starlette": 1.3, "litestar": 1.0, "fastapi": 2.0}


def event_loop_factory() -> Any:
    """uvloop's loop, as under ``uvicorn --loop uvloop``; asyncio's where it is missing."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - the bench environment installs it
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def request_scope(scenario: Scenario) -> dict[str, Any]:
    """The HTTP scope uvicorn would build for the scenario's request (without ``state``)."""
    headers = [
        (b"host", b"127.0.0.1:8000"),
        (b"user-agent", b"covet-benchmarks"),
        (b"accept", b"*/*"),
        *((name.encode(), value.encode()) for name, value in scenario.headers),
    ]
    if scenario.body:
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(scenario.body)).encode()),
        ]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": scenario.method,
        "root_path": "",
        "path": scenario.path,
        "raw_path": scenario.path.encode(),
        "query_string": scenario.query.encode(),
        "headers": headers,
    }


class Receiver:
    """``receive`` for one request: the body in one message, then a disconnect."""

    __slots__ = ("message",)

    def __init__(self, body: bytes) -> None:
        self.message: dict[str, Any] | None = {
            "type": "http.request",
            "body": body,
            "more_body": False,
        }

    async def __call__(self) -> dict[str, Any]:
        message, self.message = self.message, None
        return message if message is not None else {"type": "http.disconnect"}


async def _discard(message: dict[str, Any]) -> None:
    pass


@asynccontextmanager
async def run_lifespan(app: Any) -> AsyncIterator[None]:
    """Start ``app`` as a server does (lifespan startup), and shut it down after."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
    task = asyncio.ensure_future(app(scope, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    reply = await outbox.get()
    if reply["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"lifespan startup failed: {reply}")
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task


async def call_once(app: Any, scenario: Scenario) -> tuple[int, dict[bytes, bytes], bytes]:
    """Send the scenario's request to ``app``: the status, headers and body it answers."""
    messages: list[dict[str, Any]] = []

    async def collect(message: dict[str, Any]) -> None:
        messages.append(message)

    await app({**request_scope(scenario), "state": {}}, Receiver(scenario.body), collect)
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    headers = {bytes(name).lower(): bytes(value) for name, value in start.get("headers", [])}
    return start["status"], headers, body


def check_response(
    framework: str, scenario: Scenario, status: int, headers: dict[bytes, bytes], body: bytes
) -> None:
    """Refuse to time an app that answers anything but the scenario's expected response."""
    media_type = headers.get(b"content-type", b"").split(b";")[0].strip().decode()
    problems = []
    if status != scenario.status:
        problems.append(f"status {status}, expected {scenario.status}")
    if media_type != scenario.media_type:
        problems.append(f"content-type {media_type!r}, expected {scenario.media_type!r}")
    if body != scenario.response_body:
        problems.append(f"body {body!r}, expected {scenario.response_body!r}")
    if problems:
        raise AssertionError(
            f"{framework} answers {scenario.method} {scenario.target} wrongly: "
            + "; ".join(problems)
        )


async def _time_batch(app: Any, scenario: Scenario, calls: int) -> float:
    """Seconds per call over ``calls`` calls; each gets its own scope and receive, as live."""
    template = request_scope(scenario)
    body = scenario.body
    gc.collect()
    start = time.perf_counter()
    for _ in range(calls):
        await app({**template, "state": {}}, Receiver(body), _discard)
    return (time.perf_counter() - start) / calls


async def measure_scenario(
    scenario: Scenario, frameworks: list[str], settings: Settings
) -> dict[str, float]:
    """Microseconds per request of each framework's app for ``scenario`` (medians)."""
    batch_seconds = settings.pick(0.2, 0.1, 0.0)
    async with AsyncExitStack() as stack:
        apps = {}
        calls = {}
        for framework in frameworks:
            app = build_app(framework, scenario.name)
            await stack.enter_async_context(run_lifespan(app))
            check_response(framework, scenario, *await call_once(app, scenario))
            # Calibrate: enough calls per batch to fill batch_seconds (this also warms up).
            per_call = await _time_batch(app, scenario, 50)
            calls[framework] = max(20, int(batch_seconds / per_call))
            apps[framework] = app
        timings: dict[str, list[float]] = {framework: [] for framework in frameworks}
        for round_number in range(settings.repeats):
            shift = round_number % len(frameworks)
            for framework in frameworks[shift:] + frameworks[:shift]:
                seconds = await _time_batch(apps[framework], scenario, calls[framework])
                timings[framework].append(seconds * 1e6)
    return {framework: median(values) for framework, values in timings.items()}


def run(settings: Settings) -> SuiteResult:
    frameworks = list(FRAMEWORKS)
    micros: dict[str, dict[str, float]] = {}
    with asyncio.Runner(loop_factory=event_loop_factory) as runner:
        for scenario in SCENARIOS.values():
            serving = frameworks_for(scenario)
            micros[scenario.name] = runner.run(measure_scenario(scenario, serving, settings))
            print(
                f"  in-process {scenario.name:<15}"
                + "".join(f" {name} {micros[scenario.name][name]:7.2f}µs" for name in serving),
                flush=True,
            )
    return _result(micros, frameworks)


def _speed(micros: dict[str, float], peer: str) -> float:
    """CovetPy's speed over the peer's: the peer's time / CovetPy's time."""
    return micros[peer] / micros["covetpy"]


def _over_bare(micros: dict[str, float]) -> str:
    """CovetPy's time over the bare app's, or "-" where the bare app has no equivalent."""
    return f"{micros['covetpy'] / micros['bare']:.2f}" if "bare" in micros else "-"


def _result(micros: dict[str, dict[str, float]], frameworks: list[str]) -> SuiteResult:
    scenarios = list(micros)

    def cell(scenario: str, framework: str) -> str:
        value = micros[scenario].get(framework)
        return "-" if value is None else f"{value:.2f}"

    times = Table(
        "Microseconds per request (median; lower is faster)",
        ["scenario", *(FRAMEWORK_TITLES[f] for f in frameworks)],
        [[SCENARIOS[s].title, *(cell(s, f) for f in frameworks)] for s in scenarios],
        note="Requests per second in process are 1,000,000 / µs. The bare ASGI app has no "
        'realistic app ("-").',
    )
    ratios = Table(
        "CovetPy's speed over each peer's (peer µs / CovetPy µs; above 1 is faster)",
        ["scenario", *(f"x {FRAMEWORK_TITLES[p]} (target {TARGETS[p]})" for p in PEERS),
         "CovetPy time / bare time"],
        [
            [
                SCENARIOS[s].title,
                *(f"{_speed(micros[s], p):.2f}" for p in PEERS),
                _over_bare(micros[s]),
            ]
            for s in scenarios
        ],
    )  # fmt: skip
    targets = []
    for peer in PEERS:
        speeds = {s: _speed(micros[s], peer) for s in scenarios}
        slowest = min(speeds, key=lambda s: speeds[s])
        failing = [SCENARIOS[s].title for s in scenarios if speeds[s] < TARGETS[peer]]
        measured = f"lowest {speeds[slowest]:.2f}x ({SCENARIOS[slowest].title})"
        if failing:
            measured += "; below target: " + ", ".join(failing)
        targets.append(
            TargetCheck(
                f"In process, every scenario: CovetPy >= {TARGETS[peer]}x {FRAMEWORK_TITLES[peer]}",
                measured,
                not failing,
            )
        )
    chart = Chart(
        "inprocess_ratios.png",
        "In process: CovetPy's speed over each peer (dashed: target)",
        "peer time / CovetPy time",
        [SCENARIOS[s].title for s in scenarios],
        {FRAMEWORK_TITLES[p]: [_speed(micros[s], p) for s in scenarios] for p in PEERS},
        {FRAMEWORK_TITLES[p]: TARGETS[p] for p in PEERS},
    )
    return SuiteResult(
        "http_inprocess",
        "HTTP in process",
        __doc__.split("\n\n", 1)[1].strip() if __doc__ else "",
        tables=[times, ratios],
        charts=[chart],
        targets=targets,
        data={"microseconds_per_request": micros},
    )


SUITE = Suite("http_inprocess", "HTTP in process", run)
