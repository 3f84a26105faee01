"""covet-orm stands alone: SQLite is its one dependency, and it imports no web code."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import requires

from packaging.requirements import Requirement


def test_base_install_requires_only_aiosqlite() -> None:
    requirements = [Requirement(line) for line in requires("covet-orm") or []]
    base = [r.name.lower() for r in requirements if r.marker is None]
    assert base == ["aiosqlite"]
    extras: dict[str, set[str]] = {}
    for requirement in requirements:
        if requirement.marker is not None:
            for extra in ("postgres", "mysql"):
                if requirement.marker.evaluate({"extra": extra}):
                    extras.setdefault(extra, set()).add(requirement.name.lower())
    assert extras == {"postgres": {"psycopg", "psycopg-pool"}, "mysql": {"aiomysql", "pymysql"}}


def test_importing_covet_orm_loads_no_web_package_and_no_server_driver() -> None:
    code = (
        "import sys, covet.orm\n"
        "db = covet.orm.Database('sqlite://:memory:')\n"
        "prefixes = ('covet.asgi', 'covet.router', 'httpx', 'starlette', 'uvicorn',"
        " 'psycopg', 'aiomysql', 'pymysql')\n"
        "print(sorted(m for m in sys.modules if m.startswith(prefixes)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
