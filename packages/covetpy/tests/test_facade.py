"""covet/__init__.py: the extended namespace and the lazy facade."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import covet


def run_python(code: str, *, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a fresh interpreter (a clean sys.modules) and return its stdout."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_import_covet_imports_no_component_package() -> None:
    code = (
        "import json, sys, covet\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('covet.') or m == 'uvicorn')\n"
        "print(json.dumps(loaded))\n"
    )
    assert json.loads(run_python(code)) == ["covet.__about__"]


def test_first_attribute_access_imports_the_defining_module() -> None:
    code = (
        "import json, sys, covet\n"
        "before = 'covet.asgi' in sys.modules\n"
        "app_class = covet.CovetPy\n"
        "after = 'covet.asgi' in sys.modules\n"
        "import covet.asgi\n"
        "print(json.dumps({'before': before, 'after': after,\n"
        "                  'same': app_class is covet.asgi.CovetPy,\n"
        "                  'cached': vars(covet).get('CovetPy') is app_class}))\n"
    )
    assert json.loads(run_python(code)) == {
        "before": False,
        "after": True,
        "same": True,
        "cached": True,
    }


def test_all_lists_exactly_the_export_table_and_the_version() -> None:
    assert set(covet.__all__) == {"__version__", *covet._EXPORTS}
    assert len(covet.__all__) == len(set(covet.__all__))


@pytest.mark.parametrize("name", sorted(covet._EXPORTS))
def test_every_export_comes_from_the_module_the_table_names(name: str) -> None:
    value = getattr(covet, name)
    module = importlib.import_module(covet._EXPORTS[name])
    assert value is getattr(module, name)
    assert getattr(value, "__module__", "").startswith(covet._EXPORTS[name])


def test_from_covet_import_the_launch_names() -> None:
    from covet import CovetPy, JSONResponse, Request
    from covet.asgi import CovetPy as AsgiCovetPy

    assert CovetPy is AsgiCovetPy
    assert isinstance(Request, type)
    assert isinstance(JSONResponse, type)


def test_from_covet_import_what_a_handler_can_ask_for() -> None:
    import covet.asgi
    from covet import Body, Depends, Header, Query

    assert (Depends, Query, Header, Body) == (
        covet.asgi.Depends,
        covet.asgi.Query,
        covet.asgi.Header,
        covet.asgi.Body,
    )
    # The markers are the real classes: a handler annotated through the facade binds as usual.
    assert Header(alias="X-Request-Source").alias == "X-Request-Source"


def test_dir_lists_lazy_names_before_they_are_imported() -> None:
    code = "import json, covet\nprint(json.dumps(dir(covet)))\n"
    names = json.loads(run_python(code))
    assert set(covet.__all__) <= set(names)
    assert names == sorted(names)
    assert "_EXPORTS" in names


def test_unknown_attribute_raises_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="module 'covet' has no attribute 'NoSuchThing'"):
        covet.NoSuchThing  # noqa: B018

    with pytest.raises(ImportError, match="cannot import name 'NoSuchThing' from 'covet'"):
        from covet import NoSuchThing  # noqa: F401


def test_version_comes_from_about() -> None:
    from covet.__about__ import __version__

    assert covet.__version__ == __version__ == "0.1.0"


def test_component_portions_are_importable_through_the_extended_path() -> None:
    import covet.asgi
    import covet.router

    assert covet.router.__name__ == "covet.router"
    assert covet.asgi.__name__ == "covet.asgi"
    portions = {Path(entry).resolve() for entry in covet.__path__}
    for portion in (covet.router, covet.asgi):
        assert portion.__file__ is not None
        assert Path(portion.__file__).resolve().parent.parent in portions


def test_a_portion_anywhere_on_sys_path_joins_the_namespace(tmp_path: Path) -> None:
    # A later component distribution (covet-orm, say) is just another ``covet``
    # directory without __init__.py somewhere on sys.path.
    portion = tmp_path / "covet" / "extra_portion"
    portion.mkdir(parents=True)
    (portion / "__init__.py").write_text("GREETING = 'found through __path__'\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    code = (
        "import covet, covet.extra_portion\n"
        "print(covet.extra_portion.GREETING)\n"
        "print(covet.__file__)\n"
    )
    greeting, init_file = run_python(code, env=env).splitlines()
    assert greeting == "found through __path__"
    # The regular package (covetpy's __init__.py) is still the one that was imported.
    assert init_file == covet.__file__
