"""The package's public surface, and what importing it costs."""

from __future__ import annotations

import subprocess
import sys

import pytest

import covet.asgi

# Loaded only when a program uses them: importing covet.asgi must not pull these in.
NOT_AT_START_UP = [
    "pydantic",
    "covet.asgi.forms",
    "covet.asgi.uploads",
    "tempfile",
    "http.cookies",
    "email.utils",
    "covet.asgi.debug",
    "covet.asgi.fileresponse",
    "covet.asgi.staticfiles",
    "covet.asgi.sse",
    "covet.asgi.middleware.cors",
    "covet.asgi.middleware.gzip",
    "html",
    "difflib",
]


def modules_after(code: str) -> set[str]:
    """The modules loaded by a fresh interpreter after running ``code``."""
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(result.stdout.split())


def test_every_public_name_resolves() -> None:
    for name in covet.asgi.__all__:
        assert getattr(covet.asgi, name) is not None, name
    assert set(covet.asgi.__all__) <= set(dir(covet.asgi))


def test_importing_the_package_loads_no_optional_part() -> None:
    loaded = modules_after("import covet.asgi")
    assert "covet.asgi.app" in loaded
    assert sorted(loaded & set(NOT_AT_START_UP)) == []


def test_a_lazy_name_loads_its_module_on_first_access() -> None:
    loaded = modules_after("from covet.asgi import StaticFiles, CORSMiddleware")
    assert {"covet.asgi.staticfiles", "covet.asgi.middleware.cors"} <= loaded
    assert "covet.asgi.sse" not in loaded
    from covet.asgi.staticfiles import StaticFiles

    assert covet.asgi.StaticFiles is StaticFiles


def test_an_unknown_name_is_an_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match=r"'covet\.asgi' has no attribute 'Nope'"):
        covet.asgi.Nope  # noqa: B018
