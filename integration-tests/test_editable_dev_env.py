"""In the editable development environment, the namespace spans packages/*/src.

Each distribution's ``src/covet`` is its own directory here, so ``covet.router`` and
``covet.asgi`` are found only because covetpy's ``covet/__init__.py`` extends ``__path__``.
"""

from __future__ import annotations

from importlib.metadata import distribution
from pathlib import Path

import covet
import covet.asgi
import covet.router

PACKAGES = Path(__file__).resolve().parent.parent / "packages"


def test_from_covet_import_covetpy_works() -> None:
    from covet import CovetPy

    assert CovetPy is covet.asgi.CovetPy


def test_each_portion_is_imported_from_its_own_source_tree() -> None:
    expected = {
        covet: PACKAGES / "covetpy" / "src" / "covet" / "__init__.py",
        covet.router: PACKAGES / "covet-router" / "src" / "covet" / "router" / "__init__.py",
        covet.asgi: PACKAGES / "covet-asgi" / "src" / "covet" / "asgi" / "__init__.py",
    }
    for module, path in expected.items():
        assert module.__file__ is not None
        assert Path(module.__file__).resolve() == path.resolve()


def test_the_extended_path_lists_every_source_tree() -> None:
    portions = {Path(entry).resolve() for entry in covet.__path__}
    for package in ("covetpy", "covet-router", "covet-asgi", "covet-orm"):
        assert (PACKAGES / package / "src" / "covet").resolve() in portions


def test_the_covet_commands_are_registered_by_the_covetpy_distribution() -> None:
    entry_points = distribution("covetpy").entry_points.select(group="covet.commands")
    assert {ep.name: ep.value for ep in entry_points} == {
        "run": "covet.cli.run:register",
        "routes": "covet.cli.routes:register",
        "middleware": "covet.cli.middleware:register",
    }
