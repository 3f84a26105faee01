"""Where and with what a run was made: machine, operating system, Python, package versions."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["KEY_PACKAGES", "describe_machine", "load_average", "package_versions"]

#: The packages whose versions decide the figures; every other installed one is listed too.
KEY_PACKAGES = (
    "covet-router",
    "covet-asgi",
    "covetpy",
    "starlette",
    "fastapi",
    "litestar",
    "uvicorn",
    "uvloop",
    "httptools",
    "pydantic",
    "pydantic-core",
    "orjson",
    "msgspec",
    "covet-orm",
    "sqlalchemy",
    "tortoise-orm",
    "aiosqlite",
    "psycopg",
    "psycopg-binary",
    "psycopg-pool",
    "asyncpg",
    "greenlet",
)


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def _wrk_version() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        return "not installed"
    completed = subprocess.run([wrk, "-v"], capture_output=True, text=True)
    first_line = (completed.stdout or completed.stderr).splitlines()[:1]
    return first_line[0].split(" Copyright")[0] if first_line else "unknown"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: how busy the machine was besides this run."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def describe_machine() -> dict[str, Any]:
    """The facts a reader needs to compare a run with their own."""
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "ram_gib": round(_ram_gib(), 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "wrk": _wrk_version(),
        "load average at start": load_average(),
    }


def _normalised(name: str) -> str:
    """A distribution name as PEP 503 compares them: ``pydantic_core`` is ``pydantic-core``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def package_versions() -> dict[str, str]:
    """Every installed distribution and its version, the key ones first."""
    installed = {
        _normalised(dist.metadata["Name"] or ""): dist.version
        for dist in importlib.metadata.distributions()
    }
    ordered = {name: installed[name] for name in KEY_PACKAGES if name in installed}
    ordered.update({name: installed[name] for name in sorted(installed) if name not in ordered})
    return ordered
