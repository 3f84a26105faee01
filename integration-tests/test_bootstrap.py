"""The README's commands start on a Python whose pip refuses to install (PEP 668).

Debian and Ubuntu mark their system Python with an ``EXTERNALLY-MANAGED`` file: its pip then
stops with ``externally-managed-environment``. A scratch interpreter reproduces that: a copy
of this Python's executable beside links to its standard library, with the marker added, and
with only pip in its site-packages (so no hatch is to be found there). Debian's Python
without the python3-venv package also lacks ``ensurepip``; the second case leaves it out.

The bootstrap part of both README commands (``python3 tools/bootstrap.py``) then runs on
that interpreter and must start hatch from an environment of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 600
BOOTSTRAP = "python3 tools/bootstrap.py"  # as conftest.BOOTSTRAP


def scratch_python(root: Path, *, with_ensurepip: bool) -> Path:
    """A Python at ``root`` that is externally managed, with pip and nothing else installed."""
    base = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base_stdlib = Path(sysconfig.get_path("stdlib", vars={"installed_base": str(base)}))
    (root / "bin").mkdir(parents=True)
    # A copy, not a link: Python finds its prefix from where its executable really is.
    executable = root / "bin" / version
    shutil.copy2(base / "bin" / version, executable)
    (root / "bin" / "python3").symlink_to(version)
    for entry in (base / "lib").iterdir():
        if entry.name != version:  # libpython and friends, where the executable needs them
            (root / "lib" / entry.name).parent.mkdir(exist_ok=True)
            (root / "lib" / entry.name).symlink_to(entry)
    stdlib = root / "lib" / version
    stdlib.mkdir()
    for entry in base_stdlib.iterdir():
        if entry.name in {"site-packages", "EXTERNALLY-MANAGED"}:
            continue
        if entry.name == "ensurepip" and not with_ensurepip:
            continue
        (stdlib / entry.name).symlink_to(entry)
    site_packages = stdlib / "site-packages"
    site_packages.mkdir()
    import pip

    (site_packages / "pip").symlink_to(Path(pip.__file__).parent)
    (stdlib / "EXTERNALLY-MANAGED").write_text(
        "[externally-managed]\nError=This Python is managed by the system (a test's copy).\n"
    )
    return root / "bin" / "python3"


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without the marks of the hatch environment it runs in."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("HATCH_", "PIP_")) and name not in {"VIRTUAL_ENV", "PYTHONPATH"}
    }
    environment.update(extra)
    return environment


@pytest.mark.parametrize("with_ensurepip", [True, False], ids=["ensurepip", "no-ensurepip"])
def test_the_bootstrap_starts_hatch_on_an_externally_managed_python(
    tmp_path: Path, with_ensurepip: bool, quick_start_commands: list[str]
) -> None:
    python = scratch_python(tmp_path / "python", with_ensurepip=with_ensurepip)
    refused = subprocess.run(
        [str(python), "-m", "pip", "install", "--dry-run", "hatch"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=clean_environment(),
        check=False,
    )
    assert refused.returncode != 0
    assert "externally-managed-environment" in refused.stdout + refused.stderr

    # The bootstrap part of the README's commands, on that Python; hatch's own --version
    # stands for what the commands then ask of hatch.
    assert len(quick_start_commands) == 2
    assert all(command.startswith(BOOTSTRAP + " ") for command in quick_start_commands)
    bootstrap_venv = tmp_path / "bootstrap-venv"
    result = subprocess.run(
        [str(python), *BOOTSTRAP.split()[1:], "--version"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=clean_environment(COVET_BOOTSTRAP_VENV=str(bootstrap_venv)),
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Hatch, version 1." in result.stdout
    assert "bootstrap: running hatch --version" in result.stdout
    assert (bootstrap_venv / "bin" / "hatch").exists()
    # The system's site-packages got nothing.
    assert sorted(
        p.name for p in (python.parent.parent / "lib").glob("python*/site-packages/*")
    ) == ["pip"]
