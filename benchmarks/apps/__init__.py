"""The same HTTP scenarios written once per framework.

Each ``*_app`` module has ``build(scenario) -> ASGI app``: an application written the way that
framework's documentation writes it, serving only that scenario, so every app answers the same
request with the same status and the same body bytes (``scenarios.py`` holds the requests and
the expected answers, and :func:`benchmarks.inprocess.check_response` enforces them before
anything is timed).

Frameworks are imported only when their app is built: a server process for one framework
then holds that framework alone, which matters for the memory figures.
"""

from __future__ import annotations

import importlib
from typing import Any

from benchmarks.apps.scenarios import Scenario

__all__ = ["FRAMEWORKS", "FRAMEWORK_TITLES", "PEERS", "build_app", "frameworks_for"]

#: Framework name -> the module that builds its apps. The bare ASGI app is the floor.
FRAMEWORKS: dict[str, str] = {
    "bare": "benchmarks.apps.bare_app",
    "starlette": "benchmarks.apps.starlette_app",
    "fastapi": "benchmarks.apps.fastapi_app",
    "litestar": "benchmarks.apps.litestar_app",
    "covetpy": "benchmarks.apps.covet_app",
}

FRAMEWORK_TITLES: dict[str, str] = {
    "bare": "bare ASGI",
    "starlette": "Starlette",
    "fastapi": "FastAPI",
    "litestar": "Litestar",
    "covetpy": "CovetPy",
}

#: The frameworks CovetPy is compared with (the bare app is the floor, not a peer).
PEERS: tuple[str, ...] = ("starlette", "fastapi", "litestar")


def build_app(framework: str, scenario: str) -> Any:
    """The ASGI app of ``framework`` for ``scenario`` (names from FRAMEWORKS and SCENARIOS)."""
    module = importlib.import_module(FRAMEWORKS[framework])
    return module.build(scenario)


def frameworks_for(scenario: Scenario) -> list[str]:
    """The frameworks that serve ``scenario``: all of them, but the bare app only where it can."""
    return [name for name in FRAMEWORKS if name != "bare" or scenario.bare]
