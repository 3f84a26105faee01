"""covet/cli/__init__.py: the parser, and subcommands discovered as entry-point plugins."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from covet.cli import COMMAND_GROUP, main

FAKE_PLUGIN = """\
import argparse


def register(subparsers):
    parser = subparsers.add_parser("hello", help="greet someone")
    parser.add_argument("--name", default="world")
    parser.set_defaults(func=greet)


def greet(args: argparse.Namespace) -> int:
    print(f"hello, {args.name} (from a plugin)")
    return 0
"""


def install_fake_distribution(site: Path, name: str, entry_points: str, module: str) -> None:
    """Lay out what pip would install for a distribution: its module and its dist-info."""
    dist_info = site / f"{name}-0.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: 0.0\n"
    )
    (dist_info / "entry_points.txt").write_text(entry_points)
    (site / f"{name}.py").write_text(module)


def run_covet(*args: str, site: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m covet.cli ARGS`` in a fresh interpreter with ``site`` on sys.path."""
    return subprocess.run(
        [sys.executable, "-m", "covet.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(site)},
        cwd=site,
        check=False,
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A directory that acts as site-packages holding the fake 'covet-fakeplugin'."""
    install_fake_distribution(
        tmp_path,
        "covet_fakeplugin",
        f"[{COMMAND_GROUP}]\nhello = covet_fakeplugin:register\n",
        FAKE_PLUGIN,
    )
    return tmp_path


def test_an_installed_distribution_adds_a_command(site: Path) -> None:
    result = run_covet("hello", "--name", "student", site=site)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "hello, student (from a plugin)\n"
    assert result.stderr == ""


def test_plugin_commands_appear_in_help_beside_the_builtin_ones(site: Path) -> None:
    result = run_covet("--help", site=site)
    assert result.returncode == 0, result.stderr
    for command in ("hello", "routes", "run"):
        assert f"    {command} " in result.stdout


@pytest.mark.parametrize(
    ("module", "reason"),
    [
        ("import a_module_that_does_not_exist\n", "ModuleNotFoundError"),
        ("def register(subparsers):\n    raise RuntimeError('plugin bug')\n", "RuntimeError"),
    ],
    ids=["fails-to-import", "register-raises"],
)
def test_a_broken_plugin_costs_one_line_and_nothing_else(
    site: Path, module: str, reason: str
) -> None:
    install_fake_distribution(
        site,
        "covet_brokenplugin",
        f"[{COMMAND_GROUP}]\nbroken = covet_brokenplugin:register\n",
        module,
    )
    result = run_covet("hello", site=site)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "hello, world (from a plugin)\n"
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("covet: skipped command 'broken' (covet_brokenplugin:register): ")
    assert reason in lines[0]


def test_the_covet_script_is_installed_and_runs() -> None:
    script = Path(sys.executable).parent / "covet"
    result = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "covet 0.1.0"


def test_no_command_prints_help_and_returns_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: covet")
    assert "routes" in err
    assert "run" in err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err
