"""Every test of the workspace, stage by stage, ending with what passed, failed or never ran.

``hatch run test:all`` runs this file (the README's test command). Each stage is one
``hatch run`` of one environment, so each package's suite runs with only that package and its
dependencies installed. Every stage runs even when an earlier one failed, so one run shows
every failure; the last lines list each stage's outcome and add up pytest's counts.

Before the stages, the system programs the tests need are looked for (:data:`SYSTEM_TOOLS`).
A missing one is installed when this runs as root with apt-get; otherwise the command that
installs it is printed. Without it, its tests skip locally with that reason; with
``CI=true`` the stages that need it are not run and the run fails, naming the command.

``hatch run test:all -- orm dev`` runs only the stages named.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SystemTool:
    """A program from the system's packages that some tests drive."""

    commands: tuple[str, ...]  # any one of them will do
    apt_package: str
    needed_by: str


SYSTEM_TOOLS = (
    SystemTool(("chromium", "google-chrome"), "chromium", "the browser test of Server-Sent Events"),
    SystemTool(("wrk",), "wrk", "the loopback suite of the benchmark smoke test"),
)


@dataclass(frozen=True)
class Stage:
    """One step of the run: a hatch command, and whether it needs the system tools."""

    name: str
    command: tuple[str, ...]
    needs_system_tools: bool = False


STAGES = (
    Stage("lint", ("hatch", "run", "lint:all")),
    Stage("router", ("hatch", "run", "router:test")),
    Stage("asgi", ("hatch", "run", "asgi:test")),
    Stage("covetpy", ("hatch", "run", "covetpy:test")),
    Stage("orm", ("hatch", "run", "orm:test")),
    Stage("migrations", ("hatch", "run", "migrations:test")),
    Stage("dev", ("hatch", "run", "dev:test"), needs_system_tools=True),
    Stage("release", ("hatch", "run", "release:check")),
)

#: pytest's closing line, e.g. ``==== 12 passed, 1 skipped in 3.21s ====``.
PYTEST_SUMMARY = re.compile(r"^=+ (?P<counts>\d+ [a-z]+.*?) in [\d.]+s\b.*=+$")
PYTEST_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)")


@dataclass
class Outcome:
    """What one stage did: its status, how long it took and pytest's counts in it."""

    status: str  # "passed", "FAILED" or "not run (reason)"
    seconds: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def say(message: str) -> None:
    print(f"test:all: {message}", flush=True)


def missing_tools() -> list[SystemTool]:
    """The system tools none of whose commands is on PATH."""
    return [tool for tool in SYSTEM_TOOLS if not any(map(shutil.which, tool.commands))]


def can_apt_install() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None


def apt_install(tools: list[SystemTool]) -> None:
    packages = [tool.apt_package for tool in tools]
    say(f"installing {' '.join(packages)} with apt-get (running as root)")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=False, env=environment)
    subprocess.run(["apt-get", "install", "-y", "-q", *packages], check=False, env=environment)


def check_system_tools() -> list[str]:
    """Install or report the missing system tools; the lines saying what is still missing."""
    missing = missing_tools()
    if missing and can_apt_install():
        apt_install(missing)
        missing = missing_tools()
    return [
        f"{tool.commands[0]} is missing ({tool.needed_by}): "
        f"sudo apt-get install -y {tool.apt_package}"
        for tool in missing
    ]


def run_stage(stage: Stage) -> Outcome:
    """Run one stage, echoing its output and reading pytest's counts from it."""
    say(f"stage {stage.name}: {' '.join(stage.command)}")
    started = time.monotonic()
    counts: Counter[str] = Counter()
    with subprocess.Popen(
        stage.command,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            summary = PYTEST_SUMMARY.match(line.strip())
            if summary is not None:
                for number, word in PYTEST_COUNT.findall(summary["counts"]):
                    counts["errors" if word.startswith("error") else word] += int(number)
    sys.stdout.flush()
    status = "passed" if process.returncode == 0 else "FAILED"
    return Outcome(status, time.monotonic() - started, counts)


def report(outcomes: dict[str, Outcome], problems: list[str]) -> bool:
    """Print the closing summary; whether the whole run passed."""
    print("\n" + "=" * 72)
    for line in problems:
        print(f"system: {line}")
    totals: Counter[str] = Counter()
    for name, outcome in outcomes.items():
        totals.update(outcome.counts)
        counts = ", ".join(f"{n} {word}" for word, n in sorted(outcome.counts.items()))
        timing = f"{outcome.seconds:6.0f} s" if outcome.seconds else " " * 8
        print(f"stage {name:<11} {outcome.status:<8} {timing}  {counts}".rstrip())
    passed = all(outcome.status == "passed" for outcome in outcomes.values()) and not (
        problems and in_ci()
    )
    print(f"test:all {'PASSED' if passed else 'FAILED'}")
    print(
        f"tests: {totals['passed']} passed, {totals['failed'] + totals['errors']} failed, "
        f"{totals['skipped']} skipped"
    )
    return passed


def main(selected: list[str]) -> int:
    unknown = set(selected) - {stage.name for stage in STAGES}
    if unknown:
        names = ", ".join(stage.name for stage in STAGES)
        raise SystemExit(f"test:all: no stage named {', '.join(sorted(unknown))} (stages: {names})")
    stages = [stage for stage in STAGES if not selected or stage.name in selected]
    problems = check_system_tools() if any(s.needs_system_tools for s in stages) else []
    for line in problems:
        say(("CI=true: " if in_ci() else "warning: ") + line)
    outcomes: dict[str, Outcome] = {}
    for stage in stages:
        if stage.needs_system_tools and problems and in_ci():
            outcomes[stage.name] = Outcome("not run (system tools missing)")
            continue
        try:
            outcomes[stage.name] = run_stage(stage)
        except KeyboardInterrupt:
            outcomes[stage.name] = Outcome("FAILED (interrupted)")
            for later in stages[stages.index(stage) + 1 :]:
                outcomes[later.name] = Outcome("not run (interrupted)")
            break
    return 0 if report(outcomes, problems) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
