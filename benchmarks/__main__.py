"""``python -m benchmarks``: run every registered suite and write the results.

    python -m benchmarks              # full run (< 10 minutes on 2 cores), the published one
    python -m benchmarks --quick      # rougher, about a third of the time
    python -m benchmarks --smoke      # seconds: proves the harness and every app work
    python -m benchmarks --suite startup --suite http_inprocess

A full run of every suite writes ``benchmarks/results/`` (latest.md, latest.json, the PNG
charts) and copies the summary into the root README; any other run (quick, smoke, or some
suites only) writes into a temporary directory unless ``--output`` names one, so it never
replaces the published results.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.harness import Settings, SuiteResult
from benchmarks.machine import KEY_PACKAGES, describe_machine, load_average, package_versions
from benchmarks.report import summary_lines, update_readme, write_results
from benchmarks.servers import REPO_ROOT
from benchmarks.suites import load_suites

__all__ = ["main"]

RESULTS = REPO_ROOT / "benchmarks" / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_const", const="quick", dest="mode")
    mode.add_argument("--smoke", action="store_const", const="smoke", dest="mode")
    parser.add_argument("--suite", action="append", help="run only this suite (repeatable)")
    parser.add_argument("--output", type=Path, help="where to write the results")
    args = parser.parse_args(argv)
    settings = Settings(args.mode or "full")
    published = settings.mode == "full" and args.output is None and not args.suite
    output = args.output or (
        RESULTS if published else Path(tempfile.mkdtemp(prefix="covet-bench-"))
    )

    machine = describe_machine()
    print(f"CovetPy benchmarks, {settings.mode} run, on {machine['cpu']} "
          f"({machine['cores']} cores), {machine['python']}", flush=True)  # fmt: skip
    started = time.monotonic()
    results: list[SuiteResult] = []
    for suite in load_suites(args.suite):
        print(f"{suite.title}:", flush=True)
        results.append(suite.run(settings))
    minutes = (time.monotonic() - started) / 60
    machine["load average at end"] = load_average()

    markdown = write_results(
        output, results, machine, package_versions(), KEY_PACKAGES, settings.mode, minutes
    )
    targets = [target for result in results for target in result.targets]
    print()
    print("\n".join(summary_lines(targets, machine, settings.mode)))
    print(f"\nWritten: {markdown} (and latest.json, charts) in {minutes:.1f} minutes")
    if published and update_readme(REPO_ROOT / "README.md", results, machine, settings.mode):
        print("README.md: the performance summary was updated from latest.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
