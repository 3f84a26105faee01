"""covet/cli/middleware.py: ``covet middleware module:app`` prints the stack."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from covet.cli import main

APP = """\
from covet.asgi import CovetPy, CORSMiddleware, GZipMiddleware

app = CovetPy()
app.add_middleware(CORSMiddleware, allow_origins=["https://a.example"])
app.add_middleware(GZipMiddleware)
"""


def test_prints_the_stack_outermost_first(
    tmp_path: Path, app_module: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    name = app_module(APP)
    assert main(["middleware", f"{name}:app", "--app-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "1. ServerErrorMiddleware(debug=False)",
        "2. CORSMiddleware(allow_origins=['https://a.example'])",
        "3. GZipMiddleware",
        "4. ExceptionMiddleware",
        "5. router",
    ]


def test_not_an_app_and_bad_import(
    tmp_path: Path, app_module: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    name = app_module("app = object()\n")
    assert main(["middleware", f"{name}:app", "--app-dir", str(tmp_path)]) == 1
    assert "is not a CovetPy app" in capsys.readouterr().err
    assert main(["middleware", "nope_no_module_xyz:app", "--app-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("covet middleware: could not find module")
