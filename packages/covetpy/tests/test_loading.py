"""covet/cli/loading.py: import strings and their one-line errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from covet.cli import build_parser, main
from covet.cli.loading import (
    AppLoadError,
    add_app_arguments,
    add_app_dir,
    load_app,
    split_import_string,
)


@pytest.mark.parametrize(
    ("import_string", "expected"),
    [
        ("app:app", ("app", "app")),
        ("examples.hello.app:app", ("examples.hello.app", "app")),
        ("module:factory.app", ("module", "factory.app")),
    ],
)
def test_split_import_string(import_string: str, expected: tuple[str, str]) -> None:
    assert split_import_string(import_string) == expected


@pytest.mark.parametrize("import_string", ["app", "app:", ":app", "", " : "])
def test_malformed_import_string_says_the_expected_form(import_string: str) -> None:
    with pytest.raises(AppLoadError, match="must be 'module:attribute'") as error:
        split_import_string(import_string)
    assert repr(import_string) in str(error.value)


def test_load_app_finds_the_module_in_app_dir(
    tmp_path: Path, app_module: Callable[[str], str]
) -> None:
    name = app_module("class Holder:\n    app = object()\n\napp = 'the app'\n")
    assert load_app(f"{name}:app", app_dir=str(tmp_path)) == "the app"
    nested = load_app(f"{name}:Holder.app", app_dir=str(tmp_path))
    assert nested is sys.modules[name].Holder.app
    assert sys.path[0] == str(tmp_path)


def test_add_app_dir_makes_the_path_absolute_and_adds_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", [*sys.path])
    monkeypatch.chdir(tmp_path)
    assert add_app_dir(".") == str(tmp_path)
    add_app_dir(str(tmp_path))
    assert sys.path.count(str(tmp_path)) == 1


def test_missing_module(tmp_path: Path, app_module: Callable[[str], str]) -> None:
    with pytest.raises(
        AppLoadError, match=r"could not find module 'no_such_module_xyz' \(searched .* first\)"
    ):
        load_app("no_such_module_xyz:app", app_dir=str(tmp_path))


def test_missing_parent_package_counts_as_missing_module(tmp_path: Path) -> None:
    with pytest.raises(AppLoadError, match=r"could not find module 'no_such_pkg_xyz\.app'"):
        load_app("no_such_pkg_xyz.app:app", app_dir=str(tmp_path))


def test_missing_dependency_of_the_module_is_reported_as_an_import_failure(
    tmp_path: Path, app_module: Callable[[str], str]
) -> None:
    name = app_module("import dependency_that_is_not_installed\n")
    with pytest.raises(AppLoadError) as error:
        load_app(f"{name}:app", app_dir=str(tmp_path))
    message = str(error.value)
    assert message.startswith(f"importing module {name!r} failed: ModuleNotFoundError:")
    assert "dependency_that_is_not_installed" in message


@pytest.mark.parametrize(
    ("source", "error_type"),
    [
        ("raise RuntimeError('boom at import')\n", "RuntimeError: boom at import"),
        ("def broken(:\n", "SyntaxError"),
    ],
)
def test_module_that_fails_to_import(
    tmp_path: Path, app_module: Callable[[str], str], source: str, error_type: str
) -> None:
    name = app_module(source)
    with pytest.raises(AppLoadError, match=f"importing module '{name}' failed: {error_type}"):
        load_app(f"{name}:app", app_dir=str(tmp_path))


@pytest.mark.parametrize("attribute", ["missing", "Holder.missing"])
def test_missing_attribute(
    tmp_path: Path, app_module: Callable[[str], str], attribute: str
) -> None:
    name = app_module("class Holder:\n    pass\n")
    with pytest.raises(AppLoadError, match=f"module '{name}' has no attribute '{attribute}'"):
        load_app(f"{name}:{attribute}", app_dir=str(tmp_path))


def test_add_app_arguments_declares_the_import_string_and_app_dir() -> None:
    parser = argparse.ArgumentParser()
    add_app_arguments(parser)
    assert vars(parser.parse_args(["module:app"])) == {"app": "module:app", "app_dir": "."}
    args = parser.parse_args(["--app-dir", "src", "module:app"])
    assert (args.app, args.app_dir) == ("module:app", "src")
    with pytest.raises(SystemExit):
        parser.parse_args([])  # the app is required


@pytest.mark.parametrize("command", ["run", "routes", "middleware"])
def test_every_command_that_loads_an_app_takes_the_same_app_arguments(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = build_parser().parse_args([command, "module:app"])
    assert (args.app, args.app_dir) == ("module:app", ".")
    with pytest.raises(SystemExit):
        main([command, "--help"])
    help_text = " ".join(capsys.readouterr().out.split())  # argparse wraps to the terminal
    assert "MODULE:ATTRIBUTE the app to load, e.g. examples.hello.app:app" in help_text
    assert (
        "--app-dir APP_DIR directory put first on sys.path to find the module (default: .)"
        in help_text
    )
