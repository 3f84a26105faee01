"""covet-router stands alone: importable, no dependencies, nothing of ASGI."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import covet.router


def test_public_api() -> None:
    assert covet.router.__all__ == [
        "__version__",
        "Router",
        "Route",
        "Mount",
        "PathPattern",
        "StaticSegment",
        "ParamSegment",
        "RouteMatch",
        "MountMatch",
        "MethodNotAllowed",
        "RedirectSlash",
        "NotFound",
        "MatchResult",
        "Converter",
        "register_converter",
        "get_converter",
        "RouterError",
        "InvalidPathError",
        "RouteConflictError",
        "DuplicateRouteNameError",
        "ConverterError",
        "URLBuildError",
    ]
    for name in covet.router.__all__:
        assert hasattr(covet.router, name), name


def test_version_matches_the_distribution() -> None:
    assert covet.router.__version__ == importlib.metadata.version("covet-router")


def test_the_distribution_has_no_dependencies() -> None:
    assert importlib.metadata.requires("covet-router") in (None, [])


def test_importing_loads_nothing_of_asgi_or_http() -> None:
    code = (
        "import sys, covet.router\n"
        "web = ('covet.asgi', 'starlette', 'httpx', 'uvicorn', 'asyncio')\n"
        "print(sorted(m for m in sys.modules if m.startswith(web)))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert completed.stdout.strip() == "[]"


def test_no_covet_init_is_shipped() -> None:
    # covet is a PEP 420 namespace shared by every CovetPy package: a covet/__init__.py here
    # would hide the other packages' portions of it.
    package_dir = Path(covet.router.__file__).parent
    assert package_dir.name == "router"
    assert (package_dir / "py.typed").is_file()
    assert not (package_dir.parent / "__init__.py").exists()


def test_importing_the_router_does_not_load_difflib() -> None:
    # difflib is for the suggestions of a failed url_for only; it holds memory when loaded.
    code = "import sys, covet.router; print('difflib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
