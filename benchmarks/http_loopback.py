"""HTTP over loopback: each app under uvicorn, loaded by wrk, server and client on their own cores.

Every framework's app runs under uvicorn (uvloop, httptools, one worker, no access log),
pinned with ``taskset`` to one core; ``wrk`` runs pinned to another, with one thread and
32 connections, over 127.0.0.1. For each scenario the five servers start together and take
turns under load, the order rotating each round, after a warm-up run each; a figure is the
median of the rounds. ``wrk --latency`` gives the requests per second and the 50th and 99th
percentile latencies; a run with socket errors or non-2xx answers is flagged in the table.

wrk comes from the system's packages (Debian: ``apt-get install wrk``). When it is missing,
a full or quick run installs it if it runs as root with apt-get at hand, and otherwise stops
with the command to run; a smoke run never installs anything.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.apps import FRAMEWORK_TITLES, FRAMEWORKS, PEERS, frameworks_for
from benchmarks.apps.scenarios import SCENARIOS, Scenario
from benchmarks.harness import Chart, Settings, Suite, SuiteResult, Table, TargetCheck, median
from benchmarks.servers import CoreLayout, core_layout, running_servers

__all__ = ["SUITE", "WrkResult", "ensure_wrk", "parse_wrk_output", "wrk_command"]

CONNECTIONS = 32
#: The issue's target: CovetPy at least this fraction of the bare app's requests/s.
FLOOR_TARGET = 0.8
FLOOR_SCENARIOS = ("plaintext", "json")
#: Issue 12's targets for the launch demo's style: at least this fraction of the bare app's
#: requests/s, and at least this multiple of Starlette's.
DEMO_FLOOR_TARGET = 0.75
DEMO_STARLETTE_TARGET = 1.2
DEMO_SCENARIOS = ("demo_plaintext", "demo_path_param")

_UNITS = {"us": 1.0, "ms": 1_000.0, "s": 1_000_000.0}


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: throughput, latency percentiles (microseconds) and problems seen."""

    requests_per_second: float
    p50_us: float
    p99_us: float
    errors: int


def _microseconds(text: str) -> float:
    match = re.fullmatch(r"([0-9.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk_output(output: str) -> WrkResult:
    """Read requests/s, p50, p99 and the error counts from ``wrk --latency`` output."""
    rps = re.search(r"^Requests/sec:\s+([0-9.]+)", output, re.MULTILINE)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if rps is None or p50 is None or p99 is None:
        raise ValueError(f"unexpected wrk output:\n{output}")
    errors = 0
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if socket_errors is not None:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx is not None:
        errors += int(non_2xx.group(1))
    return WrkResult(
        float(rps.group(1)), _microseconds(p50.group(1)), _microseconds(p99.group(1)), errors
    )


def ensure_wrk(settings: Settings) -> str:
    """The path of wrk; installs it (root with apt-get, full or quick mode) when missing."""
    found = shutil.which("wrk")
    if found is not None:
        return found
    advice = "wrk is not installed: on Debian or Ubuntu run `sudo apt-get install -y wrk`"
    if settings.mode == "smoke" or os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SystemExit(advice)
    print("  wrk is missing; running: apt-get update && apt-get install -y wrk", flush=True)
    subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit(advice)
    return found


def _lua_script(scenario: Scenario, directory: Path) -> Path | None:
    """A wrk script sending the scenario's method and body, for anything but a plain GET."""
    if scenario.method == "GET":
        return None
    body = scenario.body.decode()
    script = directory / f"{scenario.name}.lua"
    script.write_text(
        f'wrk.method = "{scenario.method}"\n'
        f"wrk.body = [[{body}]]\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    return script


def wrk_command(
    wrk: str,
    url: str,
    seconds: int,
    script: Path | None,
    layout: CoreLayout,
    headers: tuple[tuple[str, str], ...] = (),
) -> list[str]:
    """The wrk command line for one run, pinned to the load generator's core."""
    argv = [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for name, value in headers:
        argv += ["-H", f"{name}: {value}"]
    if script is not None:
        argv += ["-s", str(script)]
    return layout.command(layout.load, [*argv, url])


def _run_wrk(argv: list[str]) -> WrkResult:
    completed = subprocess.run(argv, capture_output=True, text=True, check=True)
    return parse_wrk_output(completed.stdout)


def run(settings: Settings) -> SuiteResult:
    wrk = ensure_wrk(settings)
    layout = core_layout()
    seconds = settings.pick(2, 1, 1)
    rounds = settings.pick(4, 2, 1)
    warm_up = settings.mode != "smoke"
    names = list(SCENARIOS) if settings.mode != "smoke" else ["json"]
    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="covet-bench-wrk-") as scripts:
        for name in names:
            scenario = SCENARIOS[name]
            script = _lua_script(scenario, Path(scripts))
            frameworks = frameworks_for(scenario)
            runs: dict[str, list[WrkResult]] = {framework: [] for framework in frameworks}
            with running_servers(frameworks, scenario, layout) as servers:
                commands = {
                    framework: wrk_command(
                        wrk,
                        servers[framework].url + scenario.target,
                        seconds,
                        script,
                        layout,
                        scenario.headers,
                    )
                    for framework in frameworks
                }
                if warm_up:
                    for framework in frameworks:
                        _run_wrk(wrk_command(wrk, servers[framework].url + scenario.target,
                                             1, script, layout, scenario.headers))  # fmt: skip
                for round_number in range(rounds):
                    shift = round_number % len(frameworks)
                    for framework in frameworks[shift:] + frameworks[:shift]:
                        runs[framework].append(_run_wrk(commands[framework]))
            results[name] = {
                framework: {
                    "requests_per_second": median([r.requests_per_second for r in done]),
                    "p50_us": median([r.p50_us for r in done]),
                    "p99_us": median([r.p99_us for r in done]),
                    "errors": float(sum(r.errors for r in done)),
                }
                for framework, done in runs.items()
            }
            print(
                f"  loopback {name:<13}"
                + "".join(
                    f" {f} {results[name][f]['requests_per_second']:8.0f}/s" for f in frameworks
                ),
                flush=True,
            )
    return _result(results, list(FRAMEWORKS), layout, seconds, rounds)


def _result(
    results: dict[str, dict[str, dict[str, float]]],
    frameworks: list[str],
    layout: CoreLayout,
    seconds: int,
    rounds: int,
) -> SuiteResult:
    names = list(results)

    def cell(name: str, framework: str) -> str:
        if framework not in results[name]:
            return "-"  # the bare app has no realistic app
        figures = results[name][framework]
        text = (
            f"{figures['requests_per_second']:,.0f} / "
            f"{figures['p50_us'] / 1000:.2f} / {figures['p99_us'] / 1000:.2f}"
        )
        return text + (f" ({figures['errors']:.0f} errors)" if figures["errors"] else "")

    throughput = Table(
        "Requests per second / p50 ms / p99 ms (medians over the rounds)",
        ["scenario", *(FRAMEWORK_TITLES[f] for f in frameworks)],
        [[SCENARIOS[n].title, *(cell(n, f) for f in frameworks)] for n in names],
        note=(
            f"{rounds} round(s) of {seconds} s per framework and scenario after a warm-up; "
            f"wrk -t1 -c{CONNECTIONS}; {layout.describe()}."
        ),
    )

    def speed(name: str, other: str) -> float:
        if other not in results[name]:
            return float("nan")  # the bare app has no realistic app: "-" in the table
        return (
            results[name]["covetpy"]["requests_per_second"]
            / results[name][other]["requests_per_second"]
        )

    def ratio(name: str, other: str) -> str:
        return "-" if other not in results[name] else f"{speed(name, other):.2f}"

    ratios = Table(
        "CovetPy's requests/s over each framework's (above 1 is faster)",
        ["scenario", *(f"x {FRAMEWORK_TITLES[f]}" for f in ("bare", *PEERS))],
        [[SCENARIOS[n].title, *(ratio(n, f) for f in ("bare", *PEERS))] for n in names],
    )
    targets = [
        TargetCheck(
            f"Loopback {SCENARIOS[n].title}: CovetPy >= {FLOOR_TARGET}x the bare ASGI app",
            f"{speed(n, 'bare'):.2f}x",
            speed(n, "bare") >= FLOOR_TARGET,
        )
        for n in FLOOR_SCENARIOS
        if n in results
    ]
    for n in DEMO_SCENARIOS:
        if n not in results:
            continue
        targets += [
            TargetCheck(
                f"Loopback {SCENARIOS[n].title}: CovetPy >= {DEMO_FLOOR_TARGET}x the bare ASGI app",
                f"{speed(n, 'bare'):.2f}x",
                speed(n, "bare") >= DEMO_FLOOR_TARGET,
            ),
            TargetCheck(
                f"Loopback {SCENARIOS[n].title}: CovetPy >= {DEMO_STARLETTE_TARGET}x Starlette",
                f"{speed(n, 'starlette'):.2f}x",
                speed(n, "starlette") >= DEMO_STARLETTE_TARGET,
            ),
        ]
    chart = Chart(
        "loopback_ratios.png",
        "Over loopback: CovetPy's requests/s over each framework's (dashed: target)",
        "CovetPy req/s / other req/s",
        [SCENARIOS[n].title for n in names],
        {FRAMEWORK_TITLES[f]: [speed(n, f) for n in names] for f in ("bare", *PEERS)},
        {FRAMEWORK_TITLES["bare"]: FLOOR_TARGET},
    )
    return SuiteResult(
        "http_loopback",
        "HTTP over loopback",
        __doc__.split("\n\n", 1)[1].strip() if __doc__ else "",
        tables=[throughput, ratios],
        charts=[chart],
        targets=targets,
        data={"results": results, "core_layout": layout.describe()},
    )


SUITE = Suite("http_loopback", "HTTP over loopback", run)
