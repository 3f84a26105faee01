"""Build every distribution, check it, install what was built, and test the installed copy.

``hatch run release:check`` is what a release of any package must pass first:

1. **build** an sdist and a wheel of each package under ``packages/`` (``python -m build``:
   the wheel is built from the sdist, so a file missing from the sdist fails here);
2. **check** their metadata and READMEs as PyPI will render them (``twine check --strict``);
3. **wheelhouse**: download what the wheels need from PyPI next to them, once;
4. **install** each package with every extra it declares into a fresh virtual environment of
   its own, from that wheelhouse alone (``--no-index``): an undeclared dependency or a wrong
   version range of one component on another cannot be hidden by an index or by another
   package's wheel;
5. **test** each package's own suite against its installed wheel (never the source tree:
   the check fails if ``covet.<x>`` imports from anywhere but the new environment).

Each package keeps its own version (``src/covet/<x>/__about__.py``) and changelog; a tag such as
``covet-orm-v0.2.0`` publishes that one package (``.github/workflows/release.yml``).
``--skip-tests`` stops after the install; ``--output DIR`` keeps the artifacts (default: a
temporary directory).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import tomllib
import venv
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGES = REPO_ROOT / "packages"

#: Installed beside the packages so that their suites can run (what the hatch envs add).
TEST_TOOLS = [
    "pytest>=8",
    "pytest-asyncio>=0.24",
    "hypothesis>=6.100",
    "openapi-spec-validator>=0.7",
]

#: The import name of each distribution, checked to come from the new environment.
IMPORT_NAMES = {
    "covet-router": "covet.router",
    "covet-asgi": "covet.asgi",
    "covet-orm": "covet.orm",
    "covet-migrations": "covet.migrations",
    "covetpy": "covet.cli",
}


def say(message: str) -> None:
    print(f"release:check: {message}", flush=True)


def run(command: list[str], **options: object) -> None:
    """Run a command, echoing it; a failure ends the check with its exit status."""
    say("$ " + " ".join(command))
    result = subprocess.run(command, check=False, **options)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise SystemExit(f"release:check: FAILED ({result.returncode}): {' '.join(command)}")


def distributions() -> dict[str, tuple[Path, str]]:
    """Every package: its name, directory and the extras it declares (comma-separated)."""
    found: dict[str, tuple[Path, str]] = {}
    for pyproject in sorted(PACKAGES.glob("*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text())["project"]
        found[project["name"]] = (
            pyproject.parent,
            ",".join(project.get("optional-dependencies", {})),
        )
    return found


def build(packages: dict[str, tuple[Path, str]], dist: Path) -> list[Path]:
    for directory, _extras in packages.values():
        run(
            [
                sys.executable,
                "-m",
                "build",
                "--sdist",
                "--wheel",
                "--outdir",
                str(dist),
                str(directory),
            ]
        )
    artifacts = sorted(dist.iterdir())
    wheels = [path for path in artifacts if path.suffix == ".whl"]
    if len(wheels) != len(packages) or len(artifacts) != 2 * len(packages):
        raise SystemExit(
            f"release:check: expected a wheel and an sdist per package, got {artifacts}"
        )
    run([sys.executable, "-m", "twine", "check", "--strict", *map(str, artifacts)])
    return wheels


def requirement(name: str, extras: str) -> str:
    return f"{name}[{extras}]" if extras else name


def wheelhouse(packages: dict[str, tuple[Path, str]], dist: Path, work: Path) -> Path:
    """Every package with all its extras and the test tools, downloaded next to the wheels once."""
    house = work / "wheelhouse"
    wanted = [requirement(name, extras) for name, (_, extras) in packages.items()]
    # Our packages come only from dist/ (they are on no index); the rest from PyPI, once.
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--disable-pip-version-check",
            "download",
            "--quiet",
            "--dest",
            str(house),
            "--find-links",
            str(dist),
            *wanted,
            *TEST_TOOLS,
        ]
    )
    return house


def install(name: str, extras: str, house: Path, work: Path) -> Path:
    """A fresh environment holding one package, its extras and the test tools; its python.

    One environment per package: a suite sees only what its package declares, so a
    dependency one package forgot to declare cannot be supplied by another's wheel.
    """
    env = work / f"venv-{name}"
    venv.EnvBuilder(with_pip=True, clear=True).create(env)
    python = env / "bin" / "python"
    # No index and no configuration file: a find-links of the machine's own must not help.
    alone = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
    run(
        [
            str(python),
            "-m",
            "pip",
            "--disable-pip-version-check",
            "install",
            "--quiet",
            "--no-index",
            "--find-links",
            str(house),
            requirement(name, extras),
            *TEST_TOOLS,
        ],
        env=alone,
    )
    return python


def check_import(python: Path, env: Path, module: str) -> None:
    """The component imports from its new environment, never from the source tree."""
    code = f"import importlib; print(importlib.import_module({module!r}).__file__)"
    result = subprocess.run(
        [str(python), "-I", "-c", code],
        capture_output=True,
        text=True,
        cwd=env,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"release:check: FAILED: {module} does not import:\n{result.stderr}")
    path = result.stdout.strip()
    if not Path(path).resolve().is_relative_to(env.resolve()):
        raise SystemExit(f"release:check: FAILED: {path} is not from the installed wheel")
    say(f"{module} imports from the installed wheel")


def test(directory: Path, python: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    # From the repository root, so that pytest reads the workspace's settings; the
    # sources are not importable there (no src directory is on sys.path).
    run(
        [str(python), "-m", "pytest", str(directory / "tests"), "-p", "no:cacheprovider", "-q"],
        cwd=REPO_ROOT,
        env=environment,
    )


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="hatch run release:check", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--output", type=Path, help="keep the built files and environment here")
    parser.add_argument("--skip-tests", action="store_true", help="stop after installing")
    options = parser.parse_args(arguments)
    packages = distributions()
    with tempfile.TemporaryDirectory(prefix="covet-release-") as scratch:
        work = (options.output or Path(scratch)).resolve()
        dist = work / "dist"
        dist.mkdir(parents=True, exist_ok=True)
        for stale in dist.iterdir():
            stale.unlink()
        build(packages, dist)
        house = wheelhouse(packages, dist, work)
        for name, (directory, extras) in packages.items():
            say(f"installing {requirement(name, extras)} alone")
            python = install(name, extras, house, work)
            check_import(python, python.parent.parent, IMPORT_NAMES[name])
            if not options.skip_tests:
                say(f"testing the installed {name}")
                test(directory, python)
    say(f"PASSED: {len(packages)} distributions built, checked, installed and tested")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
