"""tools/test_all.py, the README's test command: every stage runs, and the last lines tell.

The real stages take many minutes, so these tests give ``main`` stages of their own: small
Python commands that print a pytest summary line and exit as a suite would.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def load_test_all() -> ModuleType:
    """A fresh copy of the module (tools/ is not a package), so patches do not outlive a test."""
    name = "covet_tools_test_all"
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "tools" / "test_all.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def suite(summary: str, status: int) -> tuple[str, ...]:
    """A command that ends like a pytest run: its summary line, then its exit status."""
    code = f"print('===== {summary} in 0.12s =====');raise SystemExit({status})"
    return (sys.executable, "-c", code)


@pytest.fixture
def test_all(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = load_test_all()
    stage = module.Stage
    monkeypatch.setattr(
        module,
        "STAGES",
        (
            stage("first", suite("3 passed, 1 skipped", 0)),
            stage("broken", suite("1 failed, 2 passed", 1)),
            stage("browser", suite("4 passed", 0), needs_system_tools=True),
            stage("last", suite("5 passed", 0)),
        ),
    )
    missing = module.SystemTool(("covet-no-such-program",), "covet-no-such-package", "a test")
    monkeypatch.setattr(module, "SYSTEM_TOOLS", (missing,))
    monkeypatch.setattr(module, "can_apt_install", lambda: False)
    return module


def closing_lines(output: str) -> list[str]:
    return output.split("=" * 72 + "\n")[-1].splitlines()


def test_every_stage_runs_after_a_failure_and_the_summary_names_each(
    test_all: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert test_all.main([]) == 1
    lines = closing_lines(capsys.readouterr().out)
    assert lines[0] == (
        "system: covet-no-such-program is missing (a test): "
        "sudo apt-get install -y covet-no-such-package"
    )
    outcomes = {line.split()[1]: line.split()[2] for line in lines if line.startswith("stage ")}
    assert outcomes == {
        "first": "passed",
        "broken": "FAILED",
        "browser": "passed",
        "last": "passed",
    }
    assert lines[-2] == "test:all FAILED"
    assert lines[-1] == "tests: 14 passed, 1 failed, 1 skipped"


def test_in_ci_a_missing_system_tool_fails_the_run_and_its_stage_never_runs(
    test_all: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CI", "true")
    assert test_all.main(["first", "browser"]) == 1
    output = capsys.readouterr().out
    assert "CI=true: covet-no-such-program is missing" in output
    lines = closing_lines(output)
    assert [line.split()[1:3] for line in lines if line.startswith("stage ")] == [
        ["first", "passed"],
        ["browser", "not"],
    ]
    assert "stage browser     not run (system tools missing)" in lines
    assert lines[-2:] == ["test:all FAILED", "tests: 3 passed, 0 failed, 1 skipped"]


def test_the_named_stages_alone_pass_without_the_system_tools_they_do_not_need(
    test_all: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CI", "true")
    assert test_all.main(["last", "first"]) == 0
    lines = closing_lines(capsys.readouterr().out)
    assert not any(line.startswith("system:") for line in lines)
    assert [line.split()[1] for line in lines if line.startswith("stage ")] == ["first", "last"]
    assert lines[-2:] == ["test:all PASSED", "tests: 8 passed, 0 failed, 1 skipped"]


def test_an_unknown_stage_is_refused_with_the_list_of_stages(test_all: ModuleType) -> None:
    with pytest.raises(SystemExit, match=r"no stage named orms \(stages: first, broken, "):
        test_all.main(["orms"])


def test_the_real_stages_cover_every_package_and_end_with_the_release_check() -> None:
    module = load_test_all()
    names = [stage.name for stage in module.STAGES]
    packages = {path.name for path in (REPO_ROOT / "packages").iterdir() if path.is_dir()}
    stage_of = {"covet-router": "router", "covet-asgi": "asgi", "covetpy": "covetpy"}
    stage_of |= {"covet-orm": "orm", "covet-migrations": "migrations"}
    assert packages == set(stage_of)
    assert set(stage_of.values()) <= set(names)
    assert names[0] == "lint"
    assert names[-1] == "release"
