"""Run hatch, the workspace tool, from a virtual environment of its own.

The README's two commands start here, so that they work on any Python 3.11+, including a
system Python whose pip refuses to install anything (PEP 668's ``externally-managed-
environment``, as on Debian and Ubuntu)::

    python3 tools/bootstrap.py run serve:example
    python3 tools/bootstrap.py run test:all

The first time, it makes ``.venv/`` at the repository root and installs hatch into it; every
time, it then hands its arguments to that hatch, which builds the workspace's environments
(``hatch.toml``). No sudo, no ``--break-system-packages``, nothing outside the checkout
(hatch keeps its environments in its own data directory).

Only the standard library is used: this file runs before anything is installed.
``COVET_BOOTSTRAP_VENV`` puts the virtual environment somewhere else.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import venv
from pathlib import Path

#: The hatch this workspace is written for (``workspace.members`` needs 1.16 or later).
HATCH_REQUIREMENT = "hatch>=1.16,<2"

REPO_ROOT = Path(__file__).resolve().parent.parent


def say(message: str) -> None:
    """One line of progress, flushed at once (the first run installs for a while)."""
    print(f"bootstrap: {message}", flush=True)


def venv_directory() -> Path:
    """Where hatch's own virtual environment lives."""
    return Path(os.environ.get("COVET_BOOTSTRAP_VENV") or REPO_ROOT / ".venv")


def executable(directory: Path, name: str) -> Path:
    """The path of ``name`` inside the virtual environment at ``directory``."""
    if os.name == "nt":
        return directory / "Scripts" / f"{name}.exe"
    return directory / "bin" / name


def create_venv(directory: Path) -> Path:
    """Make the virtual environment with pip in it; return its python.

    Debian ships ``ensurepip`` in a separate package (python3-venv). Without it, the
    environment is made without pip and the system's own pip installs into it through
    ``--python``: that is allowed under PEP 668, which guards the system's site-packages only.
    """
    say(f"creating a virtual environment for hatch in {directory}")
    python = executable(directory, "python")
    if importlib.util.find_spec("ensurepip") is not None:
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(directory)
            return python
        # Debian's venv exits (SystemExit) where CPython's raises, when ensurepip fails.
        except (subprocess.CalledProcessError, OSError, SystemExit) as error:
            say(f"venv could not install pip ({error!r}); trying the system's pip instead")
    else:
        say("this Python has no ensurepip; the system's pip will install into the environment")
    venv.EnvBuilder(with_pip=False, clear=True).create(directory)
    return python


def pip_command(python: Path) -> list[str]:
    """The command that runs a pip able to install into the environment of ``python``."""
    if subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True).returncode == 0:
        return [str(python), "-m", "pip"]
    has_system_pip = subprocess.run(
        [sys.executable, "-m", "pip", "--version"], capture_output=True
    ).returncode
    if has_system_pip == 0:
        return [sys.executable, "-m", "pip", "--python", str(python)]
    raise SystemExit(
        "bootstrap: this Python has neither ensurepip nor pip, so no virtual environment can get "
        "pip. On Debian or Ubuntu: sudo apt-get install python3-venv (or python3-pip)"
    )


def install_hatch(directory: Path) -> Path:
    """Make the environment and install hatch into it; return the hatch command."""
    python = create_venv(directory)
    say(f"installing {HATCH_REQUIREMENT} into it (once; about half a minute)")
    command = [*pip_command(python), "install", "--disable-pip-version-check", "--quiet"]
    result = subprocess.run([*command, HATCH_REQUIREMENT])
    if result.returncode != 0:
        raise SystemExit(f"bootstrap: installing hatch failed (pip exited {result.returncode})")
    return executable(directory, "hatch")


def main(arguments: list[str]) -> int:
    """Find or install hatch, then run it with ``arguments`` from the repository root."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs on whatever python3 is
        raise SystemExit(
            f"bootstrap: CovetPy needs Python 3.11 or later; this is {sys.version.split()[0]}"
        )
    directory = venv_directory()
    hatch = executable(directory, "hatch")
    if not hatch.exists():
        hatch = install_hatch(directory)
    # The environments hatch is about to build can take a while on a first run; hatch says
    # little when its output is not a terminal, so say what is happening.
    say(f"running hatch {' '.join(arguments)}")
    # hatch's own directory goes first on PATH: scripts such as test:all call `hatch run`.
    path = os.pathsep.join([str(hatch.parent), os.environ.get("PATH", "")])
    environment = {**os.environ, "PATH": path}
    return subprocess.run([str(hatch), *arguments], cwd=REPO_ROOT, env=environment).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
