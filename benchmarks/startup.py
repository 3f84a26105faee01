"""Start-up and memory: how long importing each framework takes, and what its hello app holds.

Import time: a fresh interpreter times one import statement with ``time.perf_counter``
around it, the statement a hello app of that framework starts with; the figure is the
median over several interpreters, the frameworks taking turns, after one untimed run that
writes the bytecode caches (``PYTHONDONTWRITEBYTECODE`` is removed from the child's
environment, so the workspace's own packages load from ``.pyc`` files as installed
packages do).

Memory: each framework's hello app (the ``json`` scenario) is served by uvicorn as in the
loopback suite; after 20 requests the server's resident set size is read from
``/proc/<pid>/status`` (VmRSS). The figure is the median over several fresh servers.
"""

from __future__ import annotations

import subprocess
import sys

from benchmarks.apps import FRAMEWORK_TITLES, FRAMEWORKS
from benchmarks.apps.scenarios import SCENARIOS
from benchmarks.harness import Chart, Settings, Suite, SuiteResult, Table, TargetCheck, median
from benchmarks.servers import (
    REPO_ROOT,
    child_environment,
    core_layout,
    request,
    rss_kib,
    running_servers,
)

__all__ = ["IMPORTS", "SUITE", "import_seconds"]

#: What each measured import is: a label, and the statement a hello app starts with.
IMPORTS: dict[str, tuple[str, str]] = {
    "covetpy": ("covet.asgi", "import covet.asgi"),
    "covetpy_facade": ("covet (the facade)", "from covet import CovetPy"),
    "starlette": (
        "Starlette",
        "from starlette.applications import Starlette; "
        "from starlette.responses import JSONResponse; from starlette.routing import Route",
    ),
    "fastapi": ("FastAPI", "from fastapi import FastAPI"),
    "litestar": ("Litestar", "from litestar import Litestar, get"),
}


def import_seconds(statement: str) -> float:
    """Seconds a fresh interpreter spends on ``statement`` (perf_counter around it)."""
    code = f"import time\nstart = time.perf_counter()\n{statement}\n"
    code += "print(time.perf_counter() - start)"
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        env=child_environment(),
    )
    return float(completed.stdout)


def _import_times(settings: Settings) -> dict[str, float]:
    repeats = settings.pick(11, 5, 1)
    samples: dict[str, list[float]] = {key: [] for key in IMPORTS}
    for _, statement in IMPORTS.values():
        import_seconds(statement)  # writes the bytecode caches; not counted
    # Round by round, every import once per round: a burst of load from elsewhere on the
    # machine then slows every framework's figures alike.
    for _ in range(repeats):
        for key, (_, statement) in IMPORTS.items():
            samples[key].append(import_seconds(statement) * 1000)
    times = {key: median(values) for key, values in samples.items()}
    for key, milliseconds in times.items():
        print(f"  import {IMPORTS[key][0]:<20} {milliseconds:7.1f} ms", flush=True)
    return times


def _hello_rss(settings: Settings) -> dict[str, float]:
    repeats = settings.pick(3, 2, 1)
    scenario = SCENARIOS["json"]
    frameworks = list(FRAMEWORKS)
    samples: dict[str, list[float]] = {framework: [] for framework in frameworks}
    for _ in range(repeats):
        with running_servers(frameworks, scenario, core_layout()) as servers:
            for framework, server in servers.items():
                for _ in range(20):
                    request(server, scenario)
                samples[framework].append(rss_kib(server.process.pid) / 1024)
    rss = {framework: median(values) for framework, values in samples.items()}
    print("  rss " + " ".join(f"{f} {mib:.1f} MiB" for f, mib in rss.items()), flush=True)
    return rss


def run(settings: Settings) -> SuiteResult:
    imports = _import_times(settings)
    rss = _hello_rss(settings)
    import_table = Table(
        "Import time (ms, median over fresh interpreters; lower is better)",
        ["import", "statement", "ms"],
        [[label, f"`{statement}`", f"{imports[key]:.1f}"] for key, (label, statement) in
         IMPORTS.items()],
    )  # fmt: skip
    rss_table = Table(
        "Resident memory of the hello app under uvicorn (MiB, after 20 requests)",
        ["framework", "MiB"],
        [[FRAMEWORK_TITLES[f], f"{rss[f]:.1f}"] for f in rss],
    )
    targets = [
        TargetCheck(
            "Import time of covet.asgi <= Starlette's",
            f"{imports['covetpy']:.1f} ms vs {imports['starlette']:.1f} ms "
            f"({imports['covetpy'] / imports['starlette']:.2f}x)",
            imports["covetpy"] <= imports["starlette"],
        ),
        TargetCheck(
            "RSS of the hello app <= Starlette's",
            f"{rss['covetpy']:.1f} MiB vs {rss['starlette']:.1f} MiB "
            f"({rss['covetpy'] / rss['starlette']:.2f}x)",
            rss["covetpy"] <= rss["starlette"],
        ),
    ]
    chart = Chart(
        "startup.png",
        "Start-up and memory, relative to Starlette (lower is better; dashed: target)",
        "framework / Starlette",
        ["import time", "hello app RSS"],
        {
            FRAMEWORK_TITLES[f]: [imports[f] / imports["starlette"], rss[f] / rss["starlette"]]
            for f in ("covetpy", "fastapi", "litestar")
        },
        {FRAMEWORK_TITLES["covetpy"]: 1.0},
    )
    return SuiteResult(
        "startup",
        "Start-up and memory",
        __doc__.split("\n\n", 1)[1].strip() if __doc__ else "",
        tables=[import_table, rss_table],
        charts=[chart],
        targets=targets,
        data={"import_ms": imports, "hello_rss_mib": rss},
    )


SUITE = Suite("startup", "Start-up and memory", run)
